import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { summarizeTransactionsFile, TransactionsFileError } from "./transactions-file.ts";

let dir = "";
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "nightjar-transactions-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function file(name: string, text: string): Promise<string> {
  const full = path.join(dir, name);
  await writeFile(full, text);
  return full;
}

describe("summarizeTransactionsFile", () => {
  it("reads offsets as instants and plain timestamps as days of the zone", async () => {
    const csv = await file(
      "zones.csv",
      [
        "\uFEFFAmount;Contact_Key;occurred_at;transaction_id",
        // 23:30 at UTC−5 is 04:30 UTC the next day, but still 1 January in New York.
        "10;A;2024-01-01T23:30:00-05:00;t1",
        "5;A;2024-01-01 08:00;t2",
        "7;A;2024-01-03;t3",
        "-7;A;2024-01-04;t4",
        '"2.5";"B";"2024-01-02 10:00:00.123456Z";t5',
      ].join("\r\n"),
    );
    const { summaries, stats, rows } = await summarizeTransactionsFile(csv, {
      calibrationEnd: "2024-01-31",
      period: "day",
      timeZone: "America/New_York",
      delimiter: ";",
    });
    expect(rows).toBe(5);
    expect(stats).toEqual({ purchases: 4, refunds: 1, afterCalibrationEnd: 0 });
    expect(summaries.keys).toEqual(["A", "B"]);
    expect(Array.from(summaries.x)).toEqual([1, 0]);
    expect(Array.from(summaries.tx)).toEqual([2, 0]);
    expect(Array.from(summaries.T)).toEqual([30, 29]);
    expect(Array.from(summaries.meanSpend)).toEqual([7, 0]);
  });

  it("lists every problem with its line and column, the header being line 1", async () => {
    const csv = await file(
      "bad.csv",
      "contact_key,occurred_at,amount\nA,2024-01-01 24:00,1\nB,2024-01-01+01:00,1e\n\nC,2024-01-01,1,2\n",
    );
    const refusal = await summarizeTransactionsFile(csv, {
      calibrationEnd: "2024-02-01",
      period: "week",
    }).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(TransactionsFileError);
    expect((refusal as TransactionsFileError).problems).toEqual([
      {
        line: 2,
        column: "occurred_at",
        value: "2024-01-01 24:00",
        reason: expect.stringMatching(/timestamp/),
      },
      {
        line: 3,
        column: "occurred_at",
        value: "2024-01-01+01:00",
        reason: expect.stringMatching(/timestamp/),
      },
      { line: 3, column: "amount", value: "1e", reason: expect.stringMatching(/not a number/) },
      { line: 5, column: "(line)", value: null, reason: "expected 3 fields, found 4" },
    ]);
  });

  it("refuses a header without the required columns", async () => {
    const csv = await file("header.csv", "contact_key,amount,amount,store\nA,1,1,x\n");
    await expect(
      summarizeTransactionsFile(csv, { calibrationEnd: "2024-02-01", period: "day" }),
    ).rejects.toThrow(
      /repeated column[\s\S]*column store: unknown column[\s\S]*column occurred_at: required column is missing/,
    );
  });
});
