import { readFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { type CustomerSummaries, summarizeTransactions } from "../src/model/stats/summaries.ts";
import { CDNOW_DIR, cdnowSummaries, readNumericCsv } from "./helpers/cdnow.ts";

/** Half a unit of the files' last (second) decimal, plus room for binary rounding. */
const ROUNDING = 0.005 + 1e-9;

describe("summaries rebuilt from the CDNOW sample", () => {
  let rebuilt: CustomerSummaries;
  // In a hook, not the describe body: collecting the tests must not read and summarize the data.
  beforeAll(() => {
    rebuilt = cdnowSummaries();
  });
  const row = (id: string) => {
    const i = rebuilt.keys.indexOf(id);
    return {
      x: rebuilt.x[i] as number,
      tx: rebuilt.tx[i] as number,
      T: rebuilt.T[i] as number,
      meanSpend: rebuilt.meanSpend[i] as number,
    };
  };

  it("match cdnow_customers_summary.csv on all 2,357 customers, to its rounding", () => {
    const published = readNumericCsv("cdnow_customers_summary.csv");
    expect(published.size).toBe(2357);
    expect(rebuilt.keys).toHaveLength(2357);
    for (const [id, [frequency, recency, T]] of published) {
      const mine = row(id.padStart(4, "0"));
      expect(mine.x, id).toBe(frequency);
      expect(Math.abs(mine.tx - (recency as number)), id).toBeLessThanOrEqual(ROUNDING);
      expect(Math.abs(mine.T - (T as number)), id).toBeLessThanOrEqual(ROUNDING);
    }
  });

  it("match the mean repeat spend (zbar) of cdnow_customers_summary_with_transactions.csv", () => {
    const published = readNumericCsv("cdnow_customers_summary_with_transactions.csv");
    expect(published.size).toBe(2357);
    for (const [id, [x, , , zbar]] of published) {
      const mine = row(id.padStart(4, "0"));
      expect(mine.x, id).toBe(x);
      expect(Math.abs(mine.meanSpend - (zbar as number)), id).toBeLessThanOrEqual(ROUNDING);
    }
  });

  it("have the README's counts: 1,411 without repeat purchases, 2,457 repeat purchases, x ≤ 29", () => {
    const x = Array.from(rebuilt.x);
    expect(x.filter((v) => v === 0)).toHaveLength(1411);
    expect(x.reduce((sum, v) => sum + v, 0)).toBe(2457);
    expect(Math.max(...x)).toBe(29);
    expect(Math.min(...rebuilt.T)).toBeCloseTo(27, 10);
    const repeat = Array.from(rebuilt.meanSpend).filter((_, i) => (rebuilt.x[i] as number) > 0);
    expect(repeat).toHaveLength(946);
    // The README's $35.0786 is the mean of the 2-decimal zbar column; unrounded it is within a cent.
    expect(Math.abs(repeat.reduce((sum, v) => sum + v, 0) / 946 - 35.0786)).toBeLessThan(0.01);
  });
});

describe("summaries of the lifetimes example transactions", () => {
  it("give the first five customers of its Quickstart, in days to 2014-12-31", () => {
    const lines = readFileSync(path.join(CDNOW_DIR, "example_transactions.csv"), "utf8")
      .trim()
      .split(/\r?\n/)
      .slice(1);
    const s = summarizeTransactions(
      lines.map((line) => {
        const [date = "", id = ""] = line.split(",");
        return { contactKey: id, occurredAt: new Date(`${date.replace(" ", "T")}Z`), amount: 0 };
      }),
      { calibrationEnd: "2014-12-31", period: "day" },
    );
    const expected = [
      [0, 0, 298],
      [0, 0, 224],
      [6, 142, 292],
      [0, 0, 147],
      [2, 9, 183],
    ];
    expected.forEach(([x, tx, T], id) => {
      const i = s.keys.indexOf(String(id));
      expect([s.x[i], s.tx[i], s.T[i]], String(id)).toEqual([x, tx, T]);
    });
    expect(s.keys).toHaveLength(5000);
  });
});
