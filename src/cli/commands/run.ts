import cliProgress from "cli-progress";
import type { Command } from "commander";
import { cliActor } from "../../audit/audit.ts";
import type { AccountProgress } from "../../delivery/deliver.ts";
import { crashHooksFromEnv } from "../../delivery/hooks.ts";
import type { NightReport } from "../../delivery/night-report.ts";
import { type RunEvent, runNight } from "../../delivery/nightly-run.ts";
import { ReportedFailure } from "../../errors.ts";
import type { CommandContext } from "../context.ts";
import type { OutStream } from "../io.ts";
import { parseDate } from "../options.ts";
import { count } from "../output.ts";

/** Bars of batches and recipients per SFMC account on a terminal; a line per account elsewhere. */
function deliveryProgress(stderr: OutStream) {
  const tty = Boolean(stderr.isTTY);
  const multi = tty
    ? new cliProgress.MultiBar(
        {
          stream: stderr as NodeJS.WritableStream,
          format: "{account} {bar} {value}/{total} batches | {recipients} recipients handed over",
          hideCursor: true,
          clearOnComplete: false,
        },
        cliProgress.Presets.shades_classic,
      )
    : null;
  const bars = new Map<string, cliProgress.SingleBar>();
  let last: AccountProgress[] = [];
  return {
    update(accounts: AccountProgress[]) {
      last = accounts;
      if (!multi) return;
      for (const a of accounts) {
        const payload = {
          account: a.account.padEnd(12),
          recipients: `${count(a.recipientsDone)}/${count(a.recipients)}`,
        };
        const bar = bars.get(a.account);
        if (bar) bar.update(a.batchesDone, payload);
        else bars.set(a.account, multi.create(Math.max(1, a.batches), a.batchesDone, payload));
      }
    },
    stop() {
      multi?.stop();
      if (tty) return;
      for (const a of last)
        stderr.write(
          `  ${a.account}: ${a.batchesDone}/${a.batches} batches, ${count(a.recipientsDone)} recipients handed over\n`,
        );
    },
  };
}

function summary(report: NightReport): string {
  const lines = [
    `Nightly run #${report.runId} of ${report.date}: ${report.status}${report.error ? ` (${report.error})` : ""}.`,
  ];
  for (const c of report.campaigns) {
    const problems = [
      c.failed > 0 ? `${c.failed} failed` : "",
      c.unknownBatches > 0 ? `${c.unknownBatches} unknown` : "",
      c.expired > 0 ? `${c.expired} expired` : "",
      c.late > 0 ? `${c.late} late` : "",
    ].filter(Boolean);
    lines.push(
      `  #${c.id} ${c.name} (${c.localDate}): ${count(c.recipients)} recipients, ${count(c.control)} control; ${c.sent}/${c.batches} batches sent${problems.length ? `, ${problems.join(", ")}` : ""}${c.firstSendTime ? `; SendTimes ${c.firstSendTime} – ${c.lastSendTime}` : ""}`,
    );
  }
  if (report.campaigns.length === 0) lines.push("  No campaign is due in this night.");
  if (report.unknownBatches > 0)
    lines.push(
      `${report.unknownBatches} batch${report.unknownBatches === 1 ? " is" : "es are"} unknown: SFMC may or may not have received ${report.unknownBatches === 1 ? "it" : "them"}. Check SFMC, then decide with \`nightjar batches list --state unknown\` and \`nightjar batches resolve ID --sent|--resend|--abandon\`.`,
    );
  return lines.join("\n");
}

/** `nightjar run`: one nightly run. */
export function registerRun(program: Command, context: CommandContext): void {
  program
    .command("run")
    .description(
      "the nightly run of a date: sync messages, import the day's files, model, plan, freeze the recipient lists and hand the send batches over to SFMC within the send budget",
    )
    .option(
      "--date <date>",
      "the night (YYYY-MM-DD; default: today in schedule.timeZone)",
      parseDate,
    )
    .option("--json", "print the run's report as one JSON line")
    .action(async (options: { date?: string; json?: boolean }, command: Command) => {
      const out = context.output(options.json);
      const hooks = crashHooksFromEnv(process.env);
      const controller = new AbortController();
      const stderr = () => out.stderr;
      await context.withApp(
        command,
        async (app) => {
          const progress = deliveryProgress(out.stderr);
          const onEvent = (event: RunEvent) => {
            if (event.type === "run")
              stderr().write(
                `${event.resumed ? "Continuing" : "Starting"} nightly run #${event.runId} of ${event.date}\n`,
              );
            else if (event.type === "delivery") progress.update(event.accounts);
            else if (event.status !== "running" || event.step === "deliver") {
              if (event.step === "deliver" && event.status !== "running") progress.stop();
              if (event.status !== "running")
                stderr().write(
                  `  ${event.step}: ${event.status}${event.note ? ` — ${event.note}` : ""}\n`,
                );
            }
          };
          const report = await runNight(app, {
            date: options.date,
            trigger: "cli",
            actor: cliActor(),
            command: "nightjar run",
            onEvent,
            hooks,
            signal: controller.signal,
          });
          out.result(report, () => summary(report));
          if (report.status !== "completed")
            throw new ReportedFailure(`the nightly run of ${report.date} failed: ${report.error}`);
        },
        {
          // The first Ctrl-C hands over no further batch; the calls in flight get their answers.
          onSignal: () => {
            stderr().write(
              "Stopping: no further batch is handed over; waiting for the calls in flight…\n",
            );
            controller.abort();
          },
        },
      );
    });
}
