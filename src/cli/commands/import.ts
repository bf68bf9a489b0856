import path from "node:path";
import { type Command, InvalidArgumentError } from "commander";
import { parseDelimiter } from "../../customers/csv-records.ts";
import { importCustomers } from "../../customers/import-customers.ts";
import type { ImportSummary } from "../../customers/import-report.ts";
import { importTransactions } from "../../customers/import-transactions.ts";
import { commandConfig, type GlobalOptions, withDatabase } from "../context.ts";
import { count, createOutput, importProgressBar } from "../output.ts";

interface ImportOptions {
  date?: string;
  delimiter?: string;
  errorsFile?: string;
  json?: boolean;
}

/** Today's date in the schedule's time zone, YYYY-MM-DD. */
export function todayIn(timeZone: string, now = new Date()): string {
  return new Intl.DateTimeFormat("en-CA", {
    timeZone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
  }).format(now);
}

/** A commander parser for YYYY-MM-DD options. */
export function parseDate(value: string): string {
  const date = new Date(`${value}T00:00:00Z`);
  if (
    !/^\d{4}-\d{2}-\d{2}$/.test(value) ||
    Number.isNaN(date.getTime()) ||
    date.toISOString().slice(0, 10) !== value
  ) {
    throw new InvalidArgumentError("expected a date, YYYY-MM-DD");
  }
  return value;
}

function summaryJson(result: ImportSummary): ImportSummary {
  const { rows, inserted, updated, unchanged, removed } = result;
  return {
    rows,
    inserted,
    updated,
    unchanged,
    removed,
    seconds: Math.round(result.seconds * 1000) / 1000,
  };
}

/** A progress bar while the file streams in, then one line per later step (terminals only). */
function reportSteps(label: string) {
  const bar = importProgressBar(label);
  return {
    bar,
    onStep: (step: string) => {
      if (step === "loading") return;
      bar.stop();
      if (process.stderr.isTTY) process.stderr.write(`${label}: ${step}…\n`);
    },
  };
}

export function registerImport(program: Command): void {
  const importCommand = program
    .command("import")
    .description("import the customers' daily data (customer snapshots and transactions)");

  importCommand
    .command("customers")
    .description(
      "import a full daily snapshot of the customers (CSV or .csv.gz); a refused file changes nothing",
    )
    .argument("<file>", "CSV file with a header row: contact_key and configured attributes")
    .option(
      "--date <YYYY-MM-DD>",
      "the snapshot's date (default: today in the schedule's time zone)",
      parseDate,
    )
    .option("--delimiter <char>", "field delimiter (default: ,; use \\t or tab for tabs)")
    .option("--errors-file <path>", "write every problem of a refused file to this CSV file")
    .option("--json", "print the result as one JSON line")
    .action(async (file: string, options: ImportOptions, command: Command) => {
      const out = createOutput(Boolean(options.json));
      const delimiter = parseDelimiter(options.delimiter);
      const loaded = await commandConfig(command.optsWithGlobals<GlobalOptions>());
      const date = options.date ?? todayIn(loaded.config.schedule.timeZone);
      await withDatabase(loaded, async (db) => {
        const { bar, onStep } = reportSteps(path.basename(file));
        try {
          const result = await importCustomers(db, {
            path: file,
            date,
            delimiter,
            errorsFile: options.errorsFile,
            attributes: loaded.config.customers.attributes,
            timeZone: loaded.config.schedule.timeZone,
            onProgress: (progress) => bar.update(progress),
            onStep,
          });
          out.result(summaryJson(result), () =>
            result.importId === null
              ? `${file} was already imported for ${date}: nothing changed (${count(result.rows)} rows).`
              : `Imported ${file} as the ${date} snapshot: ${count(result.rows)} rows — ${count(result.inserted)} new, ${count(result.updated)} updated, ${count(result.unchanged)} unchanged, ${count(result.removed)} removed (${result.seconds.toFixed(1)} s).`,
          );
        } finally {
          bar.stop();
        }
      });
    });

  importCommand
    .command("transactions")
    .description(
      "append transactions (contact_key,occurred_at,amount[,transaction_id]); a refused file changes nothing",
    )
    .argument("<file>", "CSV file with a header row")
    .option("--delimiter <char>", "field delimiter (default: ,; use \\t or tab for tabs)")
    .option("--errors-file <path>", "write every problem of a refused file to this CSV file")
    .option("--json", "print the result as one JSON line")
    .action(async (file: string, options: ImportOptions, command: Command) => {
      const out = createOutput(Boolean(options.json));
      const delimiter = parseDelimiter(options.delimiter);
      const loaded = await commandConfig(command.optsWithGlobals<GlobalOptions>());
      await withDatabase(loaded, async (db) => {
        const { bar, onStep } = reportSteps(path.basename(file));
        try {
          const result = await importTransactions(db, {
            path: file,
            delimiter,
            errorsFile: options.errorsFile,
            timeZone: loaded.config.schedule.timeZone,
            onProgress: (progress) => bar.update(progress),
            onStep,
          });
          if (result.unknownContacts > 0) {
            out.warn(
              `${count(result.unknownContacts)} transactions name a contact key that is not a known customer`,
            );
          }
          out.result(
            summaryJson(result),
            () =>
              `Imported ${file}: ${count(result.rows)} transactions — ${count(result.inserted)} new, ${count(result.unchanged)} already imported (${result.seconds.toFixed(1)} s).`,
          );
        } finally {
          bar.stop();
        }
      });
    });
}
