import type { Command } from "commander";
import { type ModelRunResult, runCustomerModel } from "../../model/run/run.ts";
import { STAGE_LABELS, STAGES } from "../../model/run/stages.ts";
import { type ModelSummary, modelSummary } from "../../model/run/summary.ts";
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

function humanModelSummary(s: ModelSummary): string {
  const lines = [
    `Customer model, run of ${s.run.date}: ${count(s.run.customers)} customers${s.previousDate ? ` (the run before: ${s.previousDate})` : ""}`,
    `  stages: ${s.stages.map((st) => `${st.label} ${count(st.customers)}`).join(" · ")}`,
  ];
  if (s.moves.length) {
    lines.push("  moved on this run:");
    for (const m of s.moves)
      lines.push(`    ${count(m.customers)} from ${STAGE_LABELS[m.from]} to ${STAGE_LABELS[m.to]}`);
  } else lines.push("  no customer changed stage on this run");
  lines.push(`  micro-segments: ${count(s.segments.length)}, the largest:`);
  for (const seg of s.segments.slice(0, 15)) {
    const meaning = seg.layers
      .map(
        (l) =>
          `${l.name} ${l.cluster}/${l.of} (${Object.entries(l.centre)
            .map(([feature, centre]) => `${feature} ≈ ${centre.toFixed(centre < 10 ? 2 : 0)}`)
            .join(", ")})`,
      )
      .join(", ");
    lines.push(`    ${seg.segment}: ${count(seg.customers)}${meaning ? ` — ${meaning}` : ""}`);
  }
  if (s.segments.length > 15)
    lines.push(`    … and ${count(s.segments.length - 15)} more (--json)`);
  if (s.valueTiers.length) {
    lines.push("  value tiers (CLV deciles of the buyers):");
    for (const t of s.valueTiers)
      lines.push(
        `    ${String(t.tier).padStart(2)}: ${count(t.customers)} customers, CLV ${t.minClv.toFixed(2)}–${t.maxClv.toFixed(2)} (mean ${t.meanClv.toFixed(2)})`,
      );
  }
  return lines.join("\n");
}

/** `nightjar model summary`: what the latest run says about the customer base. */
export function registerModelSummary(model: Command, context: CommandContext): void {
  model
    .command("summary")
    .description(
      "the latest model run: stages and their moves, micro-segments and what they mean, value tiers",
    )
    .option("--json", "print the summary as one JSON line")
    .action(async (options: { json?: boolean }, command: Command) => {
      const out = context.output(options.json);
      await context.withApp(command, async (app) => {
        const summary = await modelSummary(app);
        out.result(summary, () => humanModelSummary(summary));
      });
    });
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
