import type { Command } from "commander";
import { planNight } from "../../delivery/plan.ts";
import type { CommandContext } from "../context.ts";
import { parseDate } from "../options.ts";
import { count } from "../output.ts";

/** `nightjar plan`: what the nightly run of a date will send, and when. */
export function registerPlan(program: Command, context: CommandContext): void {
  program
    .command("plan")
    .description(
      "what the nightly run of a date will send: every occurrence due, its sizes, batches, execution schedule and warnings",
    )
    .option(
      "--date <date>",
      "the night (YYYY-MM-DD; default: today in schedule.timeZone)",
      parseDate,
    )
    .option("--json", "print the plan as one JSON line")
    .action(async (options: { date?: string; json?: boolean }, command: Command) => {
      const out = context.output(options.json);
      await context.withApp(command, async (app) => {
        const plan = await planNight(app, { date: options.date });
        for (const warning of plan.warnings) out.warn(warning);
        out.result(plan, () => {
          if (plan.occurrences.length === 0)
            return `Nothing is due in the night of ${plan.date} (sends from ${plan.window.from} to ${plan.window.to}).`;
          const lines = [
            `The night of ${plan.date}: ${plan.occurrences.length} occurrence${plan.occurrences.length === 1 ? "" : "s"} (sends from ${plan.window.from} to ${plan.window.to}).`,
          ];
          for (const o of plan.occurrences) {
            lines.push(
              "",
              `#${o.campaignId} ${o.campaignName} (priority ${o.priority}${o.exclusive ? "" : ", not exclusive"}) — ${o.sendTime.local} ${o.sendTime.timeZone} = ${o.sendTime.utc} (SFMC ${o.sendTime.sfmc})`,
              `  group #${o.targetGroup.id}: ${count(o.targetGroup.total)} matching, ${count(o.targetGroup.reachable)} reachable; after priorities ${count(o.afterPriorities)} (lost ${count(o.lostToHigherPriority)} to higher priorities)`,
              `  test ${count(o.test)} · control ${count(o.control)} · ${o.batches} batch${o.batches === 1 ? "" : "es"}${o.firstBatchAt ? ` from ${o.firstBatchAt} to ${o.lastBatchAt} (${o.latenessMinutes} min after the send time)` : ""}`,
              `  ${measurable(o)}`,
              ...o.warnings.map((w) => `  warning: ${w}`),
            );
          }
          if (plan.overlaps.customersInSeveral > 0)
            lines.push(
              "",
              `${count(plan.overlaps.customersInSeveral)} reachable customers are in two or more of these campaigns.`,
            );
          return lines.join("\n");
        });
      });
    });
}

/** The smallest uplift the split can show, in points, beside the group's usual response rate. */
function measurable(o: {
  baselineResponseRate: number | null;
  minimumDetectableUplift: number | null;
}): string {
  if (o.minimumDetectableUplift === null)
    return "minimum detectable uplift: none (no control group or no members)";
  const rate =
    o.baselineResponseRate === null
      ? ""
      : ` on a usual response rate of ${points(o.baselineResponseRate)}%`;
  return `minimum detectable uplift: ${points(o.minimumDetectableUplift)} pts${rate} (95% confidence, 80% power)`;
}

const points = (fraction: number) => (fraction * 100).toFixed(2);
