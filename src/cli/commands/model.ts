import { type Command, InvalidArgumentError } from "commander";
import { z } from "zod";
import { parseDelimiter } from "../../customers/csv-format.ts";
import { type CustomerModelFit, fitTransactionsFile } from "../../model/fit.ts";
import type { CommandContext } from "../context.ts";
import { parseDate } from "../options.ts";
import { count } from "../output.ts";
import { registerModelRun, registerModelSummary } from "./model-run.ts";

/** The options of `nightjar model fit`, as commander hands them over. */
const ModelFitOptions = z.strictObject({
  transactions: z.string().min(1),
  calibrationEnd: z.string(),
  period: z.enum(["day", "week"]),
  timeZone: z.string().default("UTC"),
  delimiter: z.string().optional(),
  json: z.boolean().default(false),
});
type ModelFitOptions = z.infer<typeof ModelFitOptions>;

function parsePeriod(value: string): "day" | "week" {
  if (value !== "day" && value !== "week")
    throw new InvalidArgumentError('expected "day" or "week"');
  return value;
}

/** The `--json` document: the required keys first, standard errors and convergence alongside. */
function fitJson(fit: CustomerModelFit) {
  const { bgnbd, gammaGamma } = fit;
  return {
    customers: fit.customers,
    bgnbd: {
      ...bgnbd.params,
      logLikelihood: bgnbd.logLikelihood,
      standardErrors: bgnbd.standardErrors,
      converged: bgnbd.converged,
    },
    gammaGamma: gammaGamma
      ? {
          ...gammaGamma.params,
          logLikelihood: gammaGamma.logLikelihood,
          customers: gammaGamma.customers,
          standardErrors: gammaGamma.standardErrors,
          converged: gammaGamma.converged,
        }
      : null,
  };
}

const number = (v: number) => (Math.abs(v) < 1e5 ? v.toFixed(4) : v.toPrecision(6)).padStart(11);

function table(
  title: string,
  params: Record<string, number>,
  errors: Record<string, number>,
): string[] {
  return [
    title,
    ...Object.keys(params).map(
      (key) =>
        `  ${key.padEnd(6)}${number(params[key] as number)}  ± ${number(errors[key] as number).trim()}`,
    ),
  ];
}

/** Registers `model fit` on the `model` command. */
export function registerModelFit(model: Command, context: CommandContext): void {
  model
    .command("fit")
    .description(
      "fit the BG/NBD and Gamma-Gamma models to a transactions CSV (no database or config needed)",
    )
    .requiredOption(
      "--transactions <file>",
      "CSV with a header row: contact_key,occurred_at,amount",
    )
    .requiredOption(
      "--calibration-end <YYYY-MM-DD>",
      "last day of the calibration period (inclusive); later transactions are left out",
      parseDate,
    )
    .requiredOption("--period <unit>", "time unit of the model: day or week", parsePeriod)
    .option("--time-zone <zone>", "IANA zone whose calendar days are purchase days (default: UTC)")
    .option("--delimiter <char>", "field delimiter (default: ,; use \\t or tab for tabs)")
    .option("--json", "print the result as one JSON line")
    .action(async (raw: unknown) => {
      const options: ModelFitOptions = ModelFitOptions.parse(raw);
      const out = context.output(options.json);
      const { read, fit, warnings } = await fitTransactionsFile({
        path: context.resolve(options.transactions),
        calibrationEnd: options.calibrationEnd,
        period: options.period,
        timeZone: options.timeZone,
        delimiter: parseDelimiter(options.delimiter),
        onRead: (rows, customers) =>
          out.progress(`Read ${count(rows)} transactions; fitting ${count(customers)} customers…`),
      });
      const { stats } = read;
      for (const warning of warnings) out.warn(warning);
      out.result(fitJson(fit), () => {
        const { bgnbd, gammaGamma } = fit;
        const lines = [
          `Fitted on ${count(fit.customers)} customers: ${count(stats.purchases)} purchases up to ${options.calibrationEnd} (left out: ${count(stats.afterCalibrationEnd)} later transactions, ${count(stats.refunds)} refunds). Time unit: ${options.period}.`,
          "",
          ...table(
            `BG/NBD (purchase rate and dropout), log-likelihood ${bgnbd.logLikelihood.toFixed(2)}`,
            { ...bgnbd.params },
            { ...bgnbd.standardErrors },
          ),
        ];
        if (gammaGamma) {
          lines.push(
            "",
            ...table(
              `Gamma-Gamma (spend per purchase), ${count(gammaGamma.customers)} repeat buyers, log-likelihood ${gammaGamma.logLikelihood.toFixed(2)}`,
              { ...gammaGamma.params },
              { ...gammaGamma.standardErrors },
            ),
          );
        }
        return lines.join("\n");
      });
    });
}

/** Registers the `model` command (the customer model) and its subcommands. */
export function registerModel(program: Command, context: CommandContext): void {
  const model = program
    .command("model")
    .description(
      "the customer model: lifecycle stages, value, churn risk and micro-segments (BG/NBD, Gamma-Gamma)",
    );
  registerModelRun(model, context);
  registerModelSummary(model, context);
  registerModelFit(model, context);
}
