import path from "node:path";
import { type Command, InvalidArgumentError } from "commander";
import { parseDelimiter } from "../../customers/csv-format.ts";
import { importCustomerSnapshot } from "../../customers/import-customers.ts";
import type { ImportProgress, ImportSummary } from "../../customers/import-report.ts";
import { importTransactionsFile } from "../../customers/import-transactions.ts";
import type { ApplyStep } from "../../customers/snapshot-apply.ts";
import type { CommandContext } from "../context.ts";
import { parseDate } from "../options.ts";
import { count, importProgressBar, type Output } from "../output.ts";

interface ImportOptions {
  date?: string;
  delimiter?: string;
  errorsFile?: string;
  allowRemovals?: boolean;
  ignoreColumns?: string[];
  json?: boolean;
}

/** `--ignore-columns a,b`: column names, as a list. */
function parseColumnList(value: string): string[] {
  const names = value
    .split(",")
    .map((name) => name.trim())
    .filter(Boolean);
  if (names.length === 0) throw new InvalidArgumentError("expected column names, e.g. a,b");
  return names;
}

const APPLY_STEP_WORDS: Record<ApplyStep["step"], string> = {
  comparing: "comparing lines with the customers",
  history: "writing history",
  updating: "updating changed customers",
  removing: "marking removed customers",
  adding: "adding new customers",
};

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

/**
 * Runs an import with a progress bar while its file streams in, then one line per later step
 * (terminals only); the bar is gone before the result is printed or the error told.
 */
async function withImportProgress<T>(
  out: Output,
  label: string,
  work: (progress: {
    onProgress: (progress: ImportProgress) => void;
    onStep: (step: string) => void;
  }) => Promise<T>,
): Promise<T> {
  const bar = importProgressBar(out.stderr, label);
  try {
    return await work({
      onProgress: (progress) => bar.update(progress),
      onStep: (step) => {
        if (step === "loading") return;
        bar.stop();
        out.progress(`${label}: ${step}…`);
      },
    });
  } finally {
    bar.stop();
  }
}

export function registerImport(program: Command, context: CommandContext): void {
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
    .option(
      "--allow-removals",
      "accept a snapshot that marks more customers as removed than customers.maxRemovedPercent",
    )
    .option(
      "--ignore-columns <a,b>",
      "columns of the file Nightjar does not keep (besides customers.ignoreColumns)",
      parseColumnList,
    )
    .option("--json", "print the result as one JSON line")
    .action(async (file: string, options: ImportOptions, command: Command) => {
      const out = context.output(options.json);
      const delimiter = parseDelimiter(options.delimiter);
      await context.withApp(command, async (app) => {
        const label = path.basename(file);
        const result = await withImportProgress(out, label, (progress) =>
          importCustomerSnapshot(app, {
            allowRemovals: options.allowRemovals,
            ignoreColumns: options.ignoreColumns,
            onApplyStep: ({ step, rows }) =>
              out.progress(`${label}: ${APPLY_STEP_WORDS[step]} (${count(rows)} rows)…`),
            path: context.resolve(file),
            date: options.date,
            delimiter,
            errorsFile: options.errorsFile && context.resolve(options.errorsFile),
            ...progress,
          }),
        );
        const ignored = result.ignoredColumns;
        out.result(
          { ...summaryJson(result), ...(ignored.length ? { ignoredColumns: ignored } : {}) },
          () =>
            (result.importId === null
              ? `${file} was already imported for ${result.date}: nothing changed (${count(result.rows)} rows).`
              : `Imported ${file} as the ${result.date} snapshot: ${count(result.rows)} rows — ${count(result.inserted)} new, ${count(result.updated)} updated, ${count(result.unchanged)} unchanged, ${count(result.removed)} removed (${result.seconds.toFixed(1)} s).`) +
            (ignored.length ? ` Ignored columns: ${ignored.join(", ")}.` : ""),
        );
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
      const out = context.output(options.json);
      const delimiter = parseDelimiter(options.delimiter);
      await context.withApp(command, async (app) => {
        const result = await withImportProgress(out, path.basename(file), (progress) =>
          importTransactionsFile(app, {
            path: context.resolve(file),
            delimiter,
            errorsFile: options.errorsFile && context.resolve(options.errorsFile),
            ...progress,
          }),
        );
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
      });
    });
}
