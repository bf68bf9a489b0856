import type { Command } from "commander";
import { analyzeCampaign, type CampaignAnalysis } from "../../metrics/analysis.ts";
import type { CommandContext } from "../context.ts";
import { parseDate } from "../options.ts";
import { count } from "../output.ts";
import { parseId } from "./target-groups.ts";

const percent = (f: number | null, digits = 2) =>
  f === null ? "–" : `${(f * 100).toFixed(digits)}%`;
const signed = (n: number | null, digits = 2) =>
  n === null ? "–" : `${n >= 0 ? "+" : ""}${n.toFixed(digits)}`;
const interval = (ci: [number, number] | null, scale = 1, digits = 2) =>
  ci === null ? "–" : `${signed(ci[0] * scale, digits)} to ${signed(ci[1] * scale, digits)}`;
const plain = (n: number | null) => (n === null ? "–" : n.toFixed(2));
const pValue = (p: number | null) => (p === null ? "–" : p < 0.0001 ? "< 0.0001" : p.toFixed(4));

/** The analysis as a person reads it on a terminal. */
function analysisText(a: CampaignAnalysis): string {
  const r = a.responseRate;
  const v = a.revenuePerCustomer;
  const m = a.metrics;
  const lines = [
    `Campaign #${a.campaignId} ${a.campaignName}, occurrence ${a.occurrence}: window ${a.window.from} to ${a.window.to} (${a.timeZone})${a.complete ? "" : ", not complete yet: the purchases so far"}`,
    a.verdict,
    "",
    `Customers             test ${count(a.groups.test.customers)} · control ${count(a.groups.control.customers)}`,
    `Responders            test ${count(a.groups.test.responders)} · control ${count(a.groups.control.responders)}`,
    `Response rate         test ${percent(r.test)} · control ${percent(r.control)} · uplift ${signed(r.uplift === null ? null : r.uplift * 100)} pts (${signed(r.relativeUplift === null ? null : r.relativeUplift * 100, 1)}%) · 95% CI ${interval(r.ci95, 100)} pts · p ${pValue(r.pValue)}`,
    `P(test beats control) ${percent(r.probabilityTestBetter, 1)}`,
    `Revenue per customer  test ${plain(v.test)} · control ${plain(v.control)} · uplift ${signed(v.uplift)} (${signed(v.relativeUplift === null ? null : v.relativeUplift * 100, 1)}%) · 95% CI ${interval(v.ci95)} · p ${pValue(v.pValue)} (Welch, df ${v.degreesOfFreedom === null ? "–" : v.degreesOfFreedom.toFixed(1)})`,
    `CUPED revenue uplift  ${signed(a.cuped.uplift)} · 95% CI ${interval(a.cuped.ci95)} · θ ${a.cuped.theta === null ? "–" : a.cuped.theta.toFixed(4)} · variance reduced by ${percent(a.cuped.varianceReduction, 1)}`,
    `Incremental           ${a.incremental.responders === null ? "–" : a.incremental.responders.toFixed(1)} responders · revenue ${signed(a.incremental.revenue)}`,
    `Minimum detectable uplift ${a.minimumDetectableUplift === null ? "–" : `${(a.minimumDetectableUplift * 100).toFixed(2)} pts`} (95% confidence, 80% power)`,
    "",
    `Send metrics: targeted ${count(m.targeted)} · control ${count(m.control)} · pushed ${count(m.pushed)} · SFMC count ${m.count === null ? "–" : count(m.count)} · send rate ${percent(m.sendRate, 1)} · late ${m.late} · expired ${m.expired} · unknown ${m.unknown} batches`,
    ...m.days.map(
      (d) =>
        `  day ${d.day} ${d.date}: ${d.count === null ? "not collected" : `count ${count(d.count)}, send rate ${percent(d.sendRate, 1)}`}`,
    ),
  ];
  if (a.occurrences.length > 1) {
    lines.push("", "Every occurrence (no pooled test: the same customers recur):");
    for (const o of a.occurrences)
      lines.push(
        `  ${o.occurrence}${o.complete ? "" : " (so far)"}  test ${count(o.groups.test.customers)} · control ${count(o.groups.control.customers)} · response ${percent(o.responseRate.test)} vs ${percent(o.responseRate.control)} · uplift ${signed(o.responseRate.uplift === null ? null : o.responseRate.uplift * 100)} pts · p ${pValue(o.responseRate.pValue)} · ${o.significance.replaceAll("_", " ")}`,
      );
  }
  return lines.join("\n");
}

/** `nightjar analysis CAMPAIGN`: the campaign's test-against-control analysis. */
export function registerAnalysis(program: Command, context: CommandContext): void {
  program
    .command("analysis")
    .description(
      "a campaign's analysis: send metrics per day, and the test group against the control group (response rate, revenue per customer, CUPED, probability to beat control, verdict)",
    )
    .argument("<campaign>", "the campaign's id", parseId)
    .option("--occurrence <date>", "the occurrence's send date (default: the latest)", parseDate)
    .option("--json", "print the analysis as one JSON line (rates as fractions)")
    .action(
      async (
        campaignId: number,
        options: { occurrence?: string; json?: boolean },
        command: Command,
      ) => {
        const out = context.output(options.json);
        await context.withApp(command, async (app) => {
          const analysis = await analyzeCampaign(app, campaignId, {
            occurrence: options.occurrence,
          });
          out.result(analysis, () => analysisText(analysis));
        });
      },
    );
}
