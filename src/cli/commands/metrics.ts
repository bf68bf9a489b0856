import cliProgress from "cli-progress";
import type { Command } from "commander";
import { collectSendMetrics, type MetricsCollection } from "../../metrics/collect.ts";
import type { CommandContext } from "../context.ts";
import type { OutStream } from "../io.ts";
import { parseDate } from "../options.ts";
import { count } from "../output.ts";
import { parseId } from "./target-groups.ts";

/** A bar of the calls made on a terminal; nothing elsewhere (the summary says it all). */
function collectionProgress(stderr: OutStream) {
  if (!stderr.isTTY) return { update: (_done: number, _total: number) => {}, stop: () => {} };
  const bar = new cliProgress.SingleBar(
    {
      stream: stderr as NodeJS.WritableStream,
      format: "delivery reports {bar} {value}/{total}",
      hideCursor: true,
      clearOnComplete: true,
    },
    cliProgress.Presets.shades_classic,
  );
  let begun = false;
  return {
    update(done: number, total: number) {
      if (total === 0) return;
      if (!begun) {
        bar.start(total, done);
        begun = true;
      } else bar.update(done);
    },
    stop: () => {
      if (begun) bar.stop();
    },
  };
}

function summary(result: MetricsCollection, now: boolean): string {
  const what = now ? "asked again now" : `due on ${result.date}`;
  if (result.due === 0) return `No delivery report is ${what}.`;
  const lines = [
    `Collected ${count(result.collected)} of ${count(result.due)} delivery reports ${what}${result.failed > 0 ? `; ${count(result.failed)} failed (asked again at the next collection)` : ""}.`,
  ];
  for (const d of result.byDay)
    lines.push(
      `  day ${d.day}: ${d.collected}/${d.due}${d.failed > 0 ? `, ${d.failed} failed` : ""}`,
    );
  for (const f of result.failures)
    lines.push(`  batch #${f.batchId} (campaign #${f.campaignId}, day ${f.day}): ${f.error}`);
  return lines.join("\n");
}

/** `nightjar metrics …`: the send metrics SFMC reports for a week after each send. */
export function registerMetrics(program: Command, context: CommandContext): void {
  const metrics = program
    .command("metrics")
    .description("send metrics: SFMC's delivery report of each sent batch, daily for 7 days");

  metrics
    .command("collect")
    .description(
      "collect the delivery reports due today (days 1 … 7 after each send date; the nightly run does this too). Exits 0 even when calls failed: they are reported, and asked again at the next collection",
    )
    .option("--campaign <id>", "only this campaign's batches", parseId)
    .option(
      "--now",
      "ask again for every sent batch of the last 7 days (the send date too), whether or not it was collected today",
    )
    .option(
      "--date <date>",
      "the collection date (YYYY-MM-DD, not after today; default: today in schedule.timeZone)",
      parseDate,
    )
    .option("--json", "print the collection as one JSON line")
    .action(
      async (
        options: { campaign?: number; now?: boolean; date?: string; json?: boolean },
        command: Command,
      ) => {
        const out = context.output(options.json);
        await context.withApp(command, async (app) => {
          const progress = collectionProgress(out.stderr);
          const result = await collectSendMetrics(app, {
            date: options.date,
            campaignId: options.campaign,
            now: options.now,
            onProgress: (done, total) => progress.update(done, total),
          });
          progress.stop();
          out.result(result, () => summary(result, Boolean(options.now)));
        });
      },
    );
}
