import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { type CustomerSummaries, SummaryBuilder } from "../../src/model/summaries.ts";

/** The shared CDNOW data sets: `../shared/datasets/cdnow/` from the repository root. */
export const CDNOW_DIR = path.join(
  fileURLToPath(new URL("../..", import.meta.url)),
  "..",
  "shared",
  "datasets",
  "cdnow",
);

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
