import { sql } from "kysely";
import pg from "pg";
import { expect, it, vi } from "vitest";
import type { Db, NightjarDb } from "../src/db/connect.ts";
import { inTransaction } from "../src/db/transaction.ts";
import { describeEachEngine, resetDatabase, type TestDatabase } from "./helpers/engines.ts";
import { tempFolder } from "./helpers/files.ts";
import { importKeys, importPurchases, runModelOn } from "./helpers/model.ts";

/**
 * The save of a model run must not lock readers of `customer_model` out for the seconds it takes
 * to rewrite a million rows: it updates the rows in place, so the transaction holds row locks and
 * a RowExclusiveLock on the table — never the AccessExclusiveLock of a `truncate`, nor a Share or
 * Exclusive lock that would stop other writers.
 *
 * To look inside the real run's save transaction before it commits, applyModelRun is wrapped: the
 * real save runs, then `beforeCommit` runs on the same transaction, then the run commits.
 */
const hooks = vi.hoisted(() => ({
  beforeCommit: undefined as ((trx: Db) => Promise<void>) | undefined,
}));
vi.mock("../src/model/run/apply-run.ts", async (importOriginal) => {
  const original = await importOriginal<typeof import("../src/model/run/apply-run.ts")>();
  return {
    ...original,
    applyModelRun: async (...args: Parameters<typeof original.applyModelRun>) => {
      const saved = await original.applyModelRun(...args);
      await hooks.beforeCommit?.(args[0]);
      return saved;
    },
  };
});

/** Table locks that let readers and other row writers go on. */
const ROW_LEVEL_MODES = ["AccessShareLock", "RowShareLock", "RowExclusiveLock"];

const files = tempFolder();

/** The table locks this transaction holds on customer_model. */
async function customerModelLocks(trx: Db): Promise<string[]> {
  const result = await sql<{ mode: string }>`
    select mode from pg_locks
    where locktype = 'relation' and relation = 'customer_model'::regclass
      and pid = pg_backend_pid() and granted
    order by mode`.execute(trx);
  return result.rows.map((r) => r.mode);
}

/**
 * On PostgreSQL, what another session reads from customer_model now: its row count, or the error
 * when it has to wait (more than a second) for a lock.
 */
async function readFromAnotherSession(test: TestDatabase): Promise<number | string | null> {
  if (test.url === undefined) return null;
  const reader = new pg.Client({ connectionString: test.url });
  await reader.connect();
  try {
    await reader.query("set lock_timeout = '1s'");
    const result = await reader.query("select count(*)::int as n from customer_model");
    return result.rows[0].n as number;
  } catch (error) {
    return (error as Error).message;
  } finally {
    await reader.end();
  }
}

/** Both model tables, without the run ids (a rerun is a new run of the same result). */
async function modelTables(db: NightjarDb) {
  const current = await sql<Record<string, unknown>>`
    select * from customer_model order by contact_key`.execute(db.kysely);
  const history = await sql<Record<string, unknown>>`
    select * from customer_model_history order by contact_key, valid_from`.execute(db.kysely);
  return {
    current: current.rows.map(({ run_id: _, ...row }) => row),
    history: history.rows,
  };
}

/**
 * A, B and C buy every 5, 9 and 14 days in April; P never buys. The model runs for 2026-05-01
 * (when `firstRun`); the next day's snapshot drops C (its row goes, its version closes) and A buys
 * again.
 */
async function twoDays(db: NightjarDb, options: { firstRun: boolean }): Promise<void> {
  await importKeys(db, files, ["A", "B", "C", "P"], "2026-04-01");
  const rows: [string, string, number][] = [];
  for (const [key, gap] of [
    ["A", 5],
    ["B", 9],
    ["C", 14],
  ] as const) {
    for (let day = 1; day <= 28; day += gap)
      rows.push([key, `2026-04-${String(day).padStart(2, "0")}`, 20]);
  }
  await importPurchases(db, files, rows);
  if (options.firstRun) await runModelOn(db, "2026-05-01");
  await importKeys(db, files, ["A", "B", "P"], "2026-05-02");
  await importPurchases(db, files, [["A", "2026-05-02", 35]]);
}

describeEachEngine("saving a model run", (test) => {
  it("updates customer_model in place: readers are not locked out, a rerun saves the same", async () => {
    const { db } = test();
    await twoDays(db, { firstRun: true });
    const seen: { locks: string[]; reader: number | string | null }[] = [];
    hooks.beforeCommit = async (trx) => {
      seen.push({
        locks: await customerModelLocks(trx),
        reader: await readFromAnotherSession(test()),
      });
    };
    try {
      await runModelOn(db, "2026-05-02");
      const saved = await modelTables(db);
      await runModelOn(db, "2026-05-02");
      expect(await modelTables(db), "a rerun of the same date").toEqual(saved);
      expect(saved.current.map((r) => r.contact_key)).toEqual(["A", "B", "P"]);
      expect(saved.history.map((r) => [r.contact_key, r.valid_to])).toContainEqual([
        "C",
        "2026-05-02",
      ]);
    } finally {
      hooks.beforeCommit = undefined;
    }

    expect(seen).toHaveLength(2);
    for (const { locks } of seen) {
      expect(locks).toContain("RowExclusiveLock");
      for (const mode of locks) expect(ROW_LEVEL_MODES, mode).toContain(mode);
    }
    // Before each save commits, another session reads the previous run's rows without waiting:
    // A, B, C and P before the first run of 2026-05-02, A, B and P before its rerun.
    if (test().engine === "postgres") expect(seen.map((s) => s.reader)).toEqual([4, 3]);
  });

  it("leaves no value of the previous run behind: the scores of a run on an empty model", async () => {
    const { db } = test();
    // What the version history decides (when a stage or version started) is left out.
    const scores = async () =>
      (await modelTables(db)).current.map(({ valid_from: _, stage_since: __, ...row }) => row);
    await twoDays(db, { firstRun: true });
    await runModelOn(db, "2026-05-02");
    const inPlace = await scores();
    await resetDatabase(db);
    await twoDays(db, { firstRun: false });
    await runModelOn(db, "2026-05-02");
    expect(inPlace).toEqual(await scores());
  });

  it("would see the locks of a truncate (the check above can fail)", async () => {
    const { db } = test();
    await importKeys(db, files, ["A"], "2026-04-01");
    await runModelOn(db, "2026-05-01");
    const seen = await inTransaction(
      db.kysely,
      {},
      async (trx) => {
        await sql`truncate customer_model`.execute(trx);
        return {
          locks: await customerModelLocks(trx),
          reader: await readFromAnotherSession(test()),
        };
      },
      { commitIf: () => false },
    );
    expect(seen.locks).toContain("AccessExclusiveLock");
    expect(seen.locks.filter((mode) => !ROW_LEVEL_MODES.includes(mode))).not.toEqual([]);
    if (test().engine === "postgres") expect(seen.reader).toMatch(/lock timeout/);
  });
});
