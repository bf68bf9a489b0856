import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { type CustomerSummaries, SummaryBuilder } from "../../src/model/stats/summaries.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const SHARED = path.join(ROOT, "..", "shared", "datasets", "cdnow");

/**
 * The CDNOW data sets: the workplace's `../shared/datasets/cdnow/` beside the repository, or the
 * byte-identical copies in test/fixtures/cdnow/ in a clone that has no such neighbour.
 */
export const CDNOW_DIR = existsSync(path.join(SHARED, "CDNOW_sample.txt"))
  ? SHARED
  : path.join(ROOT, "test", "fixtures", "cdnow");

/** The published sha256 of the files the tests read (shared/datasets/cdnow/README.md). */
export const CDNOW_SHA256: Record<string, string> = {
  "CDNOW_sample.txt": "6fae10155c0b0ba363c2c386e30f77990d22328220efd862a5edd1443420d94a",
  "cdnow_customers_summary.csv": "09d92ca80daaabe8be0f997d4c539f9c9606106baa5b199081fe01cbce5fa9f6",
  "cdnow_customers_summary_with_transactions.csv":
    "7ddd11b55be3227edfc1d58675154e96971b0de3ad37ddd9280d1dba154b8b2f",
  "example_transactions.csv": "dd4a7c6ba666137dda53fb861c6bc502acdf37c89bf5bdd1101ecc9c0cfeaa59",
};

/** The sha256 of a data file as read. */
export function cdnowFileSha256(file: string): string {
  return createHash("sha256")
    .update(readFileSync(path.join(CDNOW_DIR, file)))
    .digest("hex");
}

/** One line of CDNOW_sample.txt: ids, the day (YYYY-MM-DD), CDs bought and dollars spent. */
export interface CdnowLine {
  masterId: string;
  sampleId: string;
  date: string;
  cds: number;
  dollars: number;
}

/** The 6,919 lines of the 2,357-customer sample (whitespace-separated, no header, CRLF). */
export function readCdnowSample(): CdnowLine[] {
  const text = readFileSync(path.join(CDNOW_DIR, "CDNOW_sample.txt"), "utf8");
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== "")
    .map((line) => {
      const [masterId = "", sampleId = "", day = "", cds = "", dollars = ""] = line.split(/\s+/);
      return {
        masterId,
        sampleId,
        date: `${day.slice(0, 4)}-${day.slice(4, 6)}-${day.slice(6, 8)}`,
        cds: Number(cds),
        dollars: Number(dollars),
      };
    });
}

/** A CSV file of the data sets as rows of numbers (header dropped), keyed by the first column. */
export function readNumericCsv(file: string): Map<string, number[]> {
  const lines = readFileSync(path.join(CDNOW_DIR, file), "utf8").trim().split(/\r?\n/).slice(1);
  return new Map(
    lines.map((line) => {
      const [id = "", ...rest] = line.split(",");
      return [id, rest.map(Number)];
    }),
  );
}

/** The calibration summaries rebuilt from the sample: 39 weeks to 1997-09-30, sample ids as keys. */
export function cdnowSummaries(): CustomerSummaries {
  const builder = new SummaryBuilder({ calibrationEnd: "1997-09-30", period: "week" });
  for (const line of readCdnowSample()) {
    builder.add(line.sampleId, new Date(`${line.date}T00:00:00Z`), line.dollars);
  }
  return builder.finish();
}

/** A CSV column as a Float64Array, in the file's row order. */
export function csvColumn(rows: Map<string, number[]>, column: number): Float64Array {
  return Float64Array.from([...rows.values()].map((row) => row[column] as number));
}
