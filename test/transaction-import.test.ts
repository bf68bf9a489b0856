import { sql } from "kysely";
import { expect, it } from "vitest";
import { importTransactions } from "../src/customers/import-transactions.ts";
import type { NightjarDb } from "../src/db/connect.ts";
import { describeEachEngine } from "./helpers/engines.ts";
import { tempFolder } from "./helpers/files.ts";
import { refusal, testClock } from "./helpers/imports.ts";

const files = tempFolder();

function load(db: NightjarDb, file: string, timeZone = "UTC") {
  return importTransactions(db, { path: file, timeZone, clock: testClock() });
}

async function transactions(db: NightjarDb) {
  const result = await sql<{
    contact_key: string;
    transaction_id: string | null;
    occurred_at: Date;
    amount: string;
    is_purchase: boolean;
  }>`select contact_key, transaction_id, occurred_at, amount, is_purchase from transactions order by occurred_at, contact_key`.execute(
    db.kysely,
  );
  return result.rows.map((r) => [
    r.contact_key,
    r.transaction_id,
    r.occurred_at.toISOString(),
    r.amount,
    r.is_purchase,
  ]);
}

describeEachEngine("transaction import", (test) => {
  it("appends transactions; zero amounts are purchases, negative ones refunds", async () => {
    const { db } = test();
    const file = await files.file("tx.csv", [
      "contact_key,occurred_at,amount,transaction_id",
      "C1,2026-01-01 10:00,12.50,T1",
      "C2,2026-01-02T10:00:00Z,0,T2",
      "C1,2026-01-03,-5,T3",
    ]);
    expect(await load(db, file, "Europe/Berlin")).toMatchObject({
      rows: 3,
      inserted: 3,
      updated: 0,
      unchanged: 0,
      removed: 0,
    });
    expect(await transactions(db)).toEqual([
      // Without an offset, a timestamp is read in the configured time zone.
      ["C1", "T1", "2026-01-01T09:00:00.000Z", "12.50", true],
      ["C2", "T2", "2026-01-02T10:00:00.000Z", "0", true],
      ["C1", "T3", "2026-01-02T23:00:00.000Z", "-5", false],
    ]);
  });

  it("skips transactions already imported when the file has transaction ids", async () => {
    const { db } = test();
    const first = await files.file("ids1.csv", [
      "contact_key,occurred_at,amount,transaction_id",
      "C1,2026-01-01,10,T1",
      "C2,2026-01-01,20,T2",
    ]);
    const second = await files.file("ids2.csv", [
      "contact_key,occurred_at,amount,transaction_id",
      "C2,2026-01-01,20,T2",
      "C3,2026-01-02,30,T3",
    ]);
    await load(db, first);
    expect(await load(db, first)).toMatchObject({ rows: 2, inserted: 0, unchanged: 2 });
    expect(await load(db, second)).toMatchObject({ rows: 2, inserted: 1, unchanged: 1 });
    expect((await transactions(db)).map((t) => t[1])).toEqual(["T1", "T2", "T3"]);
  });

  it("refuses a file without ids that was already imported, instead of counting it twice", async () => {
    const { db } = test();
    const file = await files.file("noids.csv", [
      "contact_key,occurred_at,amount",
      "C1,2026-01-01,10",
      "C1,2026-01-01,10",
    ]);
    expect(await load(db, file)).toMatchObject({ rows: 2, inserted: 2 });
    const error = await refusal(load(db, file));
    expect(error.problems[0]?.reason).toMatch(
      /^this file was already imported \(import #1, .*\); its rows have no transaction_id, so importing it again would count every purchase twice$/,
    );
    expect(await transactions(db)).toHaveLength(2);
  });

  it("refuses bad rows and repeated transaction ids, changing nothing", async () => {
    const { db } = test();
    await load(
      db,
      await files.file("ok.csv", [
        "contact_key,occurred_at,amount,transaction_id",
        "C1,2026-01-01,10,T1",
      ]),
    );
    const bad = await files.file("bad.csv", [
      "contact_key,occurred_at,amount,transaction_id",
      ",2026-01-01,10,T9",
      "C1,yesterday,ten,T8",
      "C2,2026-01-01,,T7",
      "C3,2026-01-01,1,T8",
    ]);
    const error = await refusal(load(db, bad));
    expect(error.problems.map((p) => [p.line, p.column, p.value, p.reason])).toEqual([
      [2, "contact_key", null, "contact key is empty"],
      [3, "occurred_at", "yesterday", "not a valid timestamp (YYYY-MM-DD[ HH:MM[:SS]][Z|±HH:MM])"],
      [3, "amount", "ten", "not a number (use digits with a . decimal point)"],
      [3, "transaction_id", "T8", "duplicate transaction id: also on line 5"],
      [4, "amount", null, "required value is missing"],
      [5, "transaction_id", "T8", "duplicate transaction id: also on line 3"],
    ]);
    expect(await transactions(db)).toHaveLength(1);
    const imports = await db.kysely.selectFrom("imports").select("id").execute();
    expect(imports).toHaveLength(1);
  });

  it("refuses unknown and missing columns", async () => {
    const { db } = test();
    const file = await files.file("cols.csv", ["contact_key,when,amount", "C1,2026-01-01,1"]);
    const error = await refusal(load(db, file));
    expect(error.problems.map((p) => [p.line, p.column, p.reason])).toEqual([
      [
        1,
        "when",
        "unknown column: not a transaction column (contact_key, occurred_at, amount, transaction_id)",
      ],
      [1, "occurred_at", "required column is missing from the header"],
    ]);
  });
});
