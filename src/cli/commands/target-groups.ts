import { type Command, InvalidArgumentError } from "commander";
import type { App } from "../../app.ts";
import { cliActor } from "../../audit/audit.ts";
import { countTargetGroup, previewTargetGroup } from "../../targeting/count.ts";
import { targetGroupSizes } from "../../targeting/group-sizes.ts";
import {
  createTargetGroup,
  deleteTargetGroup,
  getTargetGroup,
  listTargetGroups,
  type TargetGroup,
  updateTargetGroup,
} from "../../targeting/target-groups.ts";
import type { CommandContext } from "../context.ts";
import { readJsonFile } from "../json-file.ts";
import { parseDate } from "../options.ts";
import { count } from "../output.ts";

type Json = { json?: boolean };

/** A positive id as typed (`create --json` prints it; it is accepted exactly as printed). */
export function parseId(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1)
    throw new InvalidArgumentError("expected an id, e.g. 12");
  return Number(value);
}

function parseCount(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError("expected a whole number");
  return Number(value);
}

const groupLine = (g: TargetGroup) =>
  `#${g.id}  ${g.name}${g.lastSize ? `  ${count(g.lastSize.reachable)} reachable of ${count(g.lastSize.total)} (${g.lastSize.date})` : ""}`;

/** `nightjar target-groups …`: the saved target groups, their counts, previews and sizes. */
export function registerTargetGroups(program: Command, context: CommandContext): void {
  const groups = program
    .command("target-groups")
    .description("target groups: rules over the customer data and model, their counts and sizes");
  // The rule to count or preview: from --file (a bare rule, or {"rule": …} as the API takes it),
  // or the saved group's.
  const rule = async (options: { file?: string }, id: number | undefined, app: App) => {
    if (options.file !== undefined) {
      const body = (await readJsonFile(context.io, options.file, context.resolve)) as Record<
        string,
        unknown
      > | null;
      return body && typeof body === "object" && "rule" in body ? body.rule : body;
    }
    if (id === undefined)
      throw new InvalidArgumentError("give a target group id or --file RULE.json");
    return (await getTargetGroup(app.db.kysely, id)).rule;
  };

  groups
    .command("create")
    .description('save a target group from a JSON file: {"name", "rule", "description"?}')
    .requiredOption("--file <path>", "the group as JSON (- for stdin)")
    .option("--json", "print the group as one JSON line")
    .action(async (options: Json & { file: string }, command: Command) => {
      const out = context.output(options.json);
      const body = await readJsonFile(context.io, options.file, context.resolve);
      await context.withApp(command, async (app) => {
        const group = await createTargetGroup(app, cliActor(), body);
        out.result(group, () => `Saved target group #${group.id} "${group.name}".`);
      });
    });

  groups
    .command("update <id>")
    .description("replace a target group's name, rule and description from a JSON file")
    .requiredOption("--file <path>", "the group as JSON (- for stdin)")
    .option("--json", "print the group as one JSON line")
    .action(async (id: string, options: Json & { file: string }, command: Command) => {
      const out = context.output(options.json);
      const groupId = parseId(id);
      const body = await readJsonFile(context.io, options.file, context.resolve);
      await context.withApp(command, async (app) => {
        const group = await updateTargetGroup(app, cliActor(), groupId, body);
        out.result(group, () => `Updated target group #${group.id} "${group.name}".`);
      });
    });

  groups
    .command("list")
    .description("list the target groups with their latest size")
    .option("--json", "print the groups as one JSON line (an array)")
    .action(async (options: Json, command: Command) => {
      const out = context.output(options.json);
      await context.withApp(command, async (app) => {
        const all = await listTargetGroups(app.db.kysely);
        out.result(all, () =>
          all.length === 0 ? "No target groups yet." : all.map(groupLine).join("\n"),
        );
      });
    });

  groups
    .command("show <id>")
    .description("one target group with its rule")
    .option("--json", "print the group as one JSON line")
    .action(async (id: string, options: Json, command: Command) => {
      const out = context.output(options.json);
      const groupId = parseId(id);
      await context.withApp(command, async (app) => {
        const group = await getTargetGroup(app.db.kysely, groupId);
        out.result(group, () => `${groupLine(group)}\n${JSON.stringify(group.rule, null, 2)}`);
      });
    });

  groups
    .command("delete <id>")
    .description("delete a target group that no campaign uses")
    .option("--json", 'print {"deleted": id}')
    .action(async (id: string, options: Json, command: Command) => {
      const out = context.output(options.json);
      const groupId = parseId(id);
      await context.withApp(command, async (app) => {
        await deleteTargetGroup(app, cliActor(), groupId);
        out.result({ deleted: groupId }, () => `Deleted target group #${groupId}.`);
      });
    });

  groups
    .command("count [id]")
    .description(
      "count a saved group, or a rule from a file: total present customers and reachable ones",
    )
    .option("--file <path>", 'a rule, or {"rule": …}, as JSON (- for stdin)')
    .option("--as-of <date>", "count as of a past import date (YYYY-MM-DD)", parseDate)
    .option("--json", 'print {"total","reachable"} as one JSON line')
    .action(
      async (
        id: string | undefined,
        options: Json & { file?: string; asOf?: string },
        command: Command,
      ) => {
        const out = context.output(options.json);
        const groupId = id === undefined ? undefined : parseId(id);
        await context.withApp(command, async (app) => {
          const counted = await countTargetGroup(
            app,
            await rule(options, groupId, app),
            options.asOf === undefined ? {} : { asOf: options.asOf },
          );
          out.result(
            { total: counted.total, reachable: counted.reachable },
            () =>
              `${count(counted.reachable)} reachable of ${count(counted.total)} matching customers (as of ${counted.asOf})${counted.consentAttribute === null ? "; no push-consent attribute is configured, so every present customer counts as consenting" : ""}.`,
          );
        });
      },
    );

  groups
    .command("preview [id]")
    .description("the first matching customers, by contact key")
    .option("--file <path>", 'a rule, or {"rule": …}, as JSON (- for stdin)')
    .option("--limit <n>", "how many (default 20)", parseCount, 20)
    .option("--json", "print the customers as one JSON line (an array)")
    .action(
      async (
        id: string | undefined,
        options: Json & { file?: string; limit: number },
        command: Command,
      ) => {
        const out = context.output(options.json);
        const groupId = id === undefined ? undefined : parseId(id);
        await context.withApp(command, async (app) => {
          const { customers: rows } = await previewTargetGroup(
            app,
            await rule(options, groupId, app),
            {
              limit: options.limit,
            },
          );
          out.result(rows, () =>
            rows.length === 0
              ? "No customer matches."
              : rows
                  .map(
                    (r) =>
                      `${r.contactKey}  ${r.stage ?? "—"}  CLV ${r.clv ?? "—"}${r.reachable ? "" : "  (not reachable)"}`,
                  )
                  .join("\n"),
          );
        });
      },
    );

  groups
    .command("sizes <id>")
    .description(
      "the group's daily size (total, reachable), each day recorded by a nightly run or computed from the history",
    )
    .option("--days <n>", "how many days back (default 90)", parseCount, 90)
    .option("--json", "print the series as one JSON line")
    .action(async (id: string, options: Json & { days: number }, command: Command) => {
      const out = context.output(options.json);
      const groupId = parseId(id);
      await context.withApp(command, async (app) => {
        const sizes = await targetGroupSizes(app, groupId, { days: options.days });
        out.result(sizes, () =>
          sizes.days.length === 0
            ? "No sizes yet."
            : sizes.days
                .map(
                  (d) =>
                    `${d.date}  ${count(d.reachable)} reachable of ${count(d.total)}  (${d.source})`,
                )
                .join("\n"),
        );
      });
    });
}
