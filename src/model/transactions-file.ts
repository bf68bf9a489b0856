import { createReadStream } from "node:fs";
import { type CsvError, parse } from "csv-parse";
import { formatProblem, type ImportProblem } from "../customers/import-report.ts";
import { NightjarError } from "../errors.ts";
import {
  type CustomerSummaries,
  SummaryBuilder,
  type SummaryOptions,
  type SummaryStats,
} from "./stats/summaries.ts";
import { dayNumber } from "./stats/zone-days.ts";

/** How many problems the error message lists (the total is always given). */
const PROBLEMS_SHOWN = 20;
const REQUIRED = ["contact_key", "occurred_at", "amount"] as const;
const ALLOWED = new Set<string>([...REQUIRED, "transaction_id"]);

/** A transactions file that cannot be used for the model: its problems by line and column. */
export class TransactionsFileError extends NightjarError {
  override name = "TransactionsFileError";
  constructor(
    readonly file: string,
    /** The first problems, in file order (at most PROBLEMS_SHOWN). */
    readonly problems: ImportProblem[],
    readonly totalProblems: number,
    options?: ErrorOptions,
  ) {
    const listed = problems.map((p) => `  ${formatProblem(p)}`).join("\n");
    const more =
      totalProblems > problems.length ? `\n  … and ${totalProblems - problems.length} more` : "";
    const count = `${totalProblems} problem${totalProblems === 1 ? "" : "s"}`;
    super(`${file} cannot be used for the model (${count}):\n${listed}${more}`, options);
  }
}

// YYYY-MM-DD[( |T)HH:MM[:SS[.ffffff]][Z|±HH[:MM]]], the timestamps the transaction import accepts.
const TIMESTAMP =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,6})?)?(Z|[+-]\d{2}(?::?\d{2})?)?)?$/;
const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d{1,3})?$/;
const TIMESTAMP_REASON = "not a valid timestamp (YYYY-MM-DD[ HH:MM[:SS]][Z|±HH:MM])";
const NUMBER_REASON = "not a number (use digits with a . decimal point)";

/**
 * A timestamp as the builder takes it: an instant when it carries an offset, else a calendar day
 * of the summary's time zone (its clock time cannot move it to another day there).
 */
function parseTimestamp(text: string): { instant: number } | { day: number } | undefined {
  const m = TIMESTAMP.exec(text);
  if (!m) return undefined;
  let day: number;
  try {
    day = dayNumber(`${m[1]}-${m[2]}-${m[3]}`);
  } catch {
    return undefined;
  }
  const [hour, minute, second] = [m[4], m[5], m[6]].map((v) => Number(v ?? 0)) as [
    number,
    number,
    number,
  ];
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  const zone = m[7];
  if (zone === undefined) return { day };
  const zoneHours = zone === "Z" ? 0 : Number(zone.slice(1, 3));
  const zoneMinutes = zone === "Z" ? 0 : Number(zone.slice(3).replace(":", "") || 0);
  if (zoneHours > 15 || zoneMinutes > 59) return undefined;
  const offsetMinutes = (zone.startsWith("-") ? -1 : 1) * (zoneHours * 60 + zoneMinutes);
  const ms = day * 86_400_000 + ((hour * 60 + minute - offsetMinutes) * 60 + second) * 1000;
  return { instant: ms };
}

/** How a transactions file is read: the summaries' calibration, period and zone, the delimiter. */
export type TransactionsFileOptions = SummaryOptions & { delimiter?: string };

/** What reading a transactions file gave: the summaries and what was left out of them. */
export interface TransactionsFileSummary {
  summaries: CustomerSummaries;
  stats: SummaryStats;
  rows: number;
}

/**
 * Reads a transactions CSV (header `contact_key,occurred_at,amount[,transaction_id]`, any order)
 * into customer summaries, streaming. Every row is checked; a file with any bad row is refused
 * with the line and column of each problem (the header is line 1).
 */
export async function summarizeTransactionsFile(
  file: string,
  options: TransactionsFileOptions,
): Promise<TransactionsFileSummary> {
  const builder = new SummaryBuilder(options);
  const problems: ImportProblem[] = [];
  let total = 0;
  const problem = (p: ImportProblem) => {
    total++;
    if (problems.length < PROBLEMS_SHOWN) problems.push(p);
  };
  let columns: { key: number; at: number; amount: number; count: number } | undefined;
  let rows = 0;
  const source = createReadStream(file);
  const parser = source.pipe(
    parse({
      bom: true,
      delimiter: options.delimiter ?? ",",
      trim: true,
      skip_empty_lines: true,
      relax_column_count: true,
      info: true,
    }),
  );
  // pipe() does not pass a read error on; the loop below must see it rather than the process.
  source.on("error", (error) => parser.destroy(error));
  try {
    for await (const { record, info } of parser as AsyncIterable<{
      record: string[];
      info: { lines: number };
    }>) {
      const line = info.lines;
      if (columns === undefined) {
        const header = record.map((name) => name.toLowerCase());
        const seen = new Set<string>();
        for (const name of header) {
          if (!ALLOWED.has(name))
            problem({
              line,
              column: name,
              value: null,
              reason:
                "unknown column (expected contact_key, occurred_at, amount and optionally transaction_id)",
            });
          else if (seen.has(name))
            problem({ line, column: name, value: null, reason: "repeated column" });
          seen.add(name);
        }
        for (const name of REQUIRED) {
          if (!seen.has(name))
            problem({ line, column: name, value: null, reason: "required column is missing" });
        }
        if (total > 0) break;
        columns = {
          key: header.indexOf("contact_key"),
          at: header.indexOf("occurred_at"),
          amount: header.indexOf("amount"),
          count: header.length,
        };
        continue;
      }
      rows++;
      if (record.length !== columns.count) {
        problem({
          line,
          column: "(line)",
          value: null,
          reason: `expected ${columns.count} fields, found ${record.length}`,
        });
        continue;
      }
      const key = record[columns.key] ?? "";
      const at = record[columns.at] ?? "";
      const amountText = record[columns.amount] ?? "";
      if (key === "")
        problem({ line, column: "contact_key", value: key, reason: "required value is missing" });
      const when = parseTimestamp(at);
      if (when === undefined)
        problem({ line, column: "occurred_at", value: at, reason: TIMESTAMP_REASON });
      const amount = NUMBER.test(amountText) ? Number(amountText) : Number.NaN;
      if (!Number.isFinite(amount))
        problem({ line, column: "amount", value: amountText, reason: NUMBER_REASON });
      if (total > 0 || when === undefined) continue;
      if ("day" in when) builder.addOnDay(key, when.day, amount);
      else builder.add(key, when.instant, amount);
    }
  } catch (cause) {
    const csv = cause as Partial<CsvError> & Error;
    if (typeof csv.code === "string" && csv.code.startsWith("CSV_")) {
      problem({ line: Number(csv.lines ?? 0), column: "(line)", value: null, reason: csv.message });
    } else if ((cause as NodeJS.ErrnoException).syscall !== undefined) {
      const code = (cause as NodeJS.ErrnoException).code;
      const reason = code === "ENOENT" ? "no such file" : `cannot read the file (${code})`;
      throw new TransactionsFileError(file, [{ line: 0, column: "", value: null, reason }], 1, {
        cause,
      });
    } else {
      throw cause;
    }
  }
  if (total === 0 && columns === undefined)
    problem({ line: 0, column: "", value: null, reason: "the file is empty" });
  if (total === 0 && rows === 0 && columns !== undefined)
    problem({ line: 0, column: "", value: null, reason: "the file has no data rows" });
  if (total > 0) throw new TransactionsFileError(file, problems, total);
  return { summaries: builder.finish(), stats: builder.stats, rows };
}
