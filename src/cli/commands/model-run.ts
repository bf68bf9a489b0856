import type { Command } from "commander";
import { type ModelRunResult, runCustomerModel } from "../../model/run/run.ts";
import { STAGE_LABELS, STAGES } from "../../model/run/stages.ts";
import type { CommandContext } from "../context.ts";
import { parseDate } from "../options.ts";
import { count } from "../output.ts";

interface RunOptions {
  date?: string;
  json?: boolean;
}

const round = (value: number, digits = 4) => Math.round(value * 10 ** digits) / 10 ** digits;

/** The `--json` document of a run. */
function runJson(result: ModelRunResult) {
  const { bgnbd, gammaGamma } = result.fit;
  return {
    date: result.date,
    customers: result.customers,
    buyers: result.buyers,
    stages: result.stages,
    segments: result.segments,
    fit: {
      reused: result.fit.reused,
      customers: result.fit.customers,
      bgnbd: bgnbd && { ...bgnbd.params, logLikelihood: bgnbd.logLikelihood },
      gammaGamma: gammaGamma && { ...gammaGamma.params, logLikelihood: gammaGamma.logLikelihood },
      notes: result.fit.notes,
    },
    notes: result.notes,
    timings: Object.fromEntries(Object.entries(result.timings).map(([k, v]) => [k, round(v, 3)])),
    seconds: round(result.seconds, 3),
  };
}

function humanSummary(result: ModelRunResult): string {
  const { bgnbd, gammaGamma } = result.fit;
  const lines = [
    `Model run for ${result.date}: ${count(result.customers)} customers (${count(result.buyers)} with purchases) in ${result.seconds.toFixed(1)} s`,
  ];
  const how = result.fit.reused
    ? "reused (same data)"
    : `fitted on ${count(result.fit.customers)} customers`;
  if (bgnbd) {
    const p = bgnbd.params;
    lines.push(
      `  BG/NBD ${how}: r=${p.r.toFixed(3)} α=${p.alpha.toFixed(3)} a=${p.a.toFixed(3)} b=${p.b.toFixed(3)} (log-likelihood ${bgnbd.logLikelihood.toFixed(1)})`,
    );
  }
  if (gammaGamma) {
    const p = gammaGamma.params;
    lines.push(
      `  Gamma-Gamma: p=${p.p.toFixed(3)} q=${p.q.toFixed(3)} γ=${p.gamma.toFixed(3)} (${count(gammaGamma.customers)} repeat buyers)`,
    );
  }
  for (const note of [...result.notes, ...result.fit.notes]) lines.push(`  note: ${note}`);
  lines.push(
    `  stages: ${STAGES.map((s) => `${STAGE_LABELS[s]} ${count(result.stages[s])}`).join(" · ")}`,
  );
  lines.push(`  micro-segments: ${count(result.segments)}`);
  return lines.join("\n");
}

/** `nightjar model run`: the nightly scoring of every customer. */
export function registerModelRun(model: Command, context: CommandContext): void {
  model
    .command("run")
    .description(
      "fit the customer model (or reuse the fit of the same data) and score every customer: stage, value, churn risk, micro-segment",
    )
    .option(
      "--date <YYYY-MM-DD>",
      "purchases up to the end of this day count (default: today in the schedule's time zone)",
      parseDate,
    )
    .option("--json", "print the result as one JSON line")
    .action(async (options: RunOptions, command: Command) => {
      const out = context.output(options.json);
      await context.withApp(command, async (app) => {
        const result = await runCustomerModel(app, {
          date: options.date,
          onStep: (step) => out.progress(`model run: ${step}…`),
        });
        out.result(runJson(result), () => humanSummary(result));
      });
    });
}
