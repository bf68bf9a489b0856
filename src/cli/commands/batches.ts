import type { Command } from "commander";
import { InvalidArgumentError, Option } from "commander";
import { cliActor } from "../../audit/audit.ts";
import {
  BATCH_STATES,
  type BatchState,
  type BatchView,
  listBatches,
  type Resolution,
  resolveBatch,
} from "../../delivery/batches.ts";
import type { CommandContext } from "../context.ts";
import { parseDate } from "../options.ts";
import { count } from "../output.ts";
import { parseId } from "./target-groups.ts";

const batchLine = (b: BatchView) =>
  [
    `#${b.id}`,
    `campaign #${b.campaignId} ${b.campaignName}`,
    b.localDate,
    `${count(b.size)} keys`,
    `[${b.state}]`,
    `SendTime ${b.sendAt}`,
    b.lateMinutes > 0 ? `${b.lateMinutes} min late` : "",
    b.handedAt ? `handed over ${b.handedAt}` : "",
    b.tokenId ? `token ${b.tokenId}` : "",
    b.resendOf !== null ? `re-send of #${b.resendOf}` : "",
    b.error ? `— ${b.error}` : "",
  ]
    .filter(Boolean)
    .join("  ");

type ResolveOptions = { sent?: boolean; tokenId?: string; resend?: boolean; abandon?: boolean };

function resolution(options: ResolveOptions): Resolution {
  const chosen = [options.sent, options.resend, options.abandon].filter(Boolean).length;
  if (chosen !== 1)
    throw new InvalidArgumentError("give exactly one of --sent, --resend, --abandon");
  if (options.tokenId !== undefined && !options.sent)
    throw new InvalidArgumentError("--token-id goes with --sent");
  if (options.sent) return { action: "sent", tokenId: options.tokenId };
  return options.resend ? { action: "resend" } : { action: "abandon" };
}

/** `nightjar batches …`: the send batches, and the resolution of unknown ones. */
export function registerBatches(program: Command, context: CommandContext): void {
  const batches = program
    .command("batches")
    .description("send batches: up to 5,000 contact keys handed over to SFMC in one call");

  batches
    .command("list")
    .description(
      "list the send batches, newest first (unknown ones with their contact keys under --json)",
    )
    .addOption(new Option("--state <state>", "only batches in this state").choices(BATCH_STATES))
    .option("--date <date>", "only the batches of this nightly run date (YYYY-MM-DD)", parseDate)
    .option("--json", "print the batches as one JSON line (an array)")
    .action(
      async (options: { state?: BatchState; date?: string; json?: boolean }, command: Command) => {
        const out = context.output(options.json);
        await context.withApp(command, async (app) => {
          const all = await listBatches(app, { state: options.state, date: options.date });
          out.result(all, () =>
            all.length === 0
              ? `No ${options.state ?? ""}${options.state ? " " : ""}batches.`
              : all.map(batchLine).join("\n"),
          );
        });
      },
    );

  batches
    .command("resolve <id>")
    .description(
      "decide about an unknown batch (SFMC may or may not have received it) once you checked SFMC",
    )
    .option("--sent", "SFMC has it: mark it sent (its metrics are collected with --token-id)")
    .option("--token-id <tokenId>", "with --sent: the tokenId you found in SFMC")
    .option("--resend", "SFMC does not have it: hand the same keys over again in a new batch")
    .option("--abandon", "do not send it")
    .option("--json", "print the batch (and its re-send) as one JSON line")
    .action(async (id: string, options: ResolveOptions & { json?: boolean }, command: Command) => {
      const out = context.output(options.json);
      const batchId = parseId(id);
      const wanted = resolution(options);
      await context.withApp(command, async (app) => {
        const result = await resolveBatch(app, cliActor(), batchId, wanted);
        out.result(result, () => {
          const { batch, resend } = result;
          if (resend)
            return `Batch #${batch.id} is abandoned: re-sent as batch #${resend.id} (${count(resend.size)} keys, SendTime ${resend.sendAt}). It is handed over by the next nightly run: \`nightjar run --date ${resend.runDate}\` now, or serve's schedule (any later night's run also takes it).`;
          return `Batch #${batch.id} is ${batch.state}${batch.tokenId ? ` (token ${batch.tokenId})` : ""}.`;
        });
      });
    });
}
