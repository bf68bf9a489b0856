import type { Command } from "commander";
import { listAudit } from "../../audit/audit.ts";
import type { CommandContext } from "../context.ts";

/** `nightjar audit`: who changed what, when. */
export function registerAudit(program: Command, context: CommandContext): void {
  program
    .command("audit")
    .description("the audit log: every change made through the API or the CLI, newest first")
    .option("--entity <entity>", "only changes of this entity (user, api_key, sfmc_messages, …)")
    .option("--limit <n>", "at most this many rows", (v) => Number.parseInt(v, 10), 100)
    .option("--json", "print the rows as one JSON line (an array)")
    .action(
      async (options: { entity?: string; limit: number; json?: boolean }, command: Command) => {
        const out = context.output(options.json);
        await context.withApp(command, async (app) => {
          const rows = await listAudit(app.db.kysely, {
            entity: options.entity,
            limit: options.limit,
          });
          out.result(rows, () =>
            rows.length === 0
              ? "No changes recorded."
              : rows
                  .map(
                    (r) =>
                      `${r.at.toISOString()}  ${r.actor}  ${r.action} ${r.entity}${r.entityId === null ? "" : ` #${r.entityId}`}${r.after ? `  ${JSON.stringify(r.after)}` : ""}`,
                  )
                  .join("\n"),
          );
        });
      },
    );
}
