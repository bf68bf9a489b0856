// Imports of every shape stay linear: growth and mass removal give the right result, a truncated
// export is refused, and the diff's plans have no subplan (the shape that went quadratic once the
// staged keys outgrew work_mem). Small sizes here; bench/import.ts measures the large ones.
import { sql } from "kysely";
import { expect, it } from "vitest";
import type { CustomerAttribute } from "../src/config/schema.ts";
import { snapshotDiffQueries } from "../src/customers/snapshot-diff.ts";
import type { NightjarDb } from "../src/db/connect.ts";
import { describeEachEngine } from "./helpers/engines.ts";
import { tempFolder } from "./helpers/files.ts";
import { load as loadSnapshot, refusal, snapshotOfTables } from "./helpers/imports.ts";

const files = tempFolder();
const ATTRIBUTES: CustomerAttribute[] = [
  { name: "first_name", type: "text", required: false },
  { name: "country", type: "text", required: false },
  { name: "allow_push", type: "boolean", required: true },
];

/** `contact_key,first_name,country,allow_push` for keys K0000000… (`from` to `to`, exclusive). */
async function snapshot(name: string, from: number, to: number, country = "DE"): Promise<string> {
  const lines = ["contact_key,first_name,country,allow_push"];
  for (let i = from; i < to; i++)
    lines.push(`K${String(i).padStart(7, "0")},N${i % 50},${country},true`);
  return files.file(name, lines);
}

/** A snapshot import with these tests' attributes and the removal guard at its default. */
function load(db: NightjarDb, file: string, date: string, extra: { allowRemovals?: boolean } = {}) {
  return loadSnapshot(db, file, date, { attributes: ATTRIBUTES, maxRemovedPercent: 10, ...extra });
}

/** Subplans (hashed or not) anywhere in an EXPLAIN (FORMAT JSON) plan. */
function subplans(node: unknown): number {
  if (Array.isArray(node)) return node.reduce((n: number, child) => n + subplans(child), 0);
  if (typeof node !== "object" || node === null) return 0;
  const own = (node as Record<string, unknown>)["Parent Relationship"] === "SubPlan" ? 1 : 0;
  return own + Object.values(node).reduce((n: number, child) => n + subplans(child), 0);
}

async function plan(db: NightjarDb, query: ReturnType<typeof sql>): Promise<unknown> {
  const result = await sql<{ "QUERY PLAN": unknown }>`explain (format json) ${query}`.execute(
    db.kysely,
  );
  const first = result.rows[0]?.["QUERY PLAN"];
  return typeof first === "string" ? JSON.parse(first) : first;
}

describeEachEngine("customer import at any scale", (test) => {
  it("grows a small base twentyfold: the known lines unchanged, every other one new", async () => {
    const { db } = test();
    await load(db, await snapshot("small.csv", 0, 500), "2026-11-01");
    const grown = await load(db, await snapshot("grown.csv", 0, 10_000), "2026-11-02");
    expect(grown).toMatchObject({ rows: 10_000, inserted: 9_500, updated: 0, unchanged: 500 });
    expect(grown.removed).toBe(0);
    const counts = await sql<{ present: number; history: number; first_seen: number }>`
      select (select count(*)::int from customers where present) as present,
        (select count(*)::int from customer_history) as history,
        (select count(*)::int from customers where first_seen_on = '2026-11-02') as first_seen`.execute(
      db.kysely,
    );
    expect(counts.rows[0]).toEqual({ present: 10_000, history: 0, first_seen: 9_500 });
  });

  it("refuses a truncated export that would remove most customers, and applies it when allowed", async () => {
    const { db } = test();
    await load(db, await snapshot("full.csv", 0, 10_000), "2026-11-01");
    const truncated = await snapshot("truncated.csv", 0, 100, "FR");
    const before = await snapshotOfTables(db);
    const error = await refusal(load(db, truncated, "2026-11-02"));
    expect(error.message).toContain(
      "this snapshot would mark 9,900 of the 10,000 present customers (99.0%) as removed, more than customers.maxRemovedPercent (10%) allows; is the export truncated? If the removals are real, import it again with --allow-removals",
    );
    expect(await snapshotOfTables(db)).toEqual(before);
    // A share within the guard goes through.
    const fewer = await load(db, await snapshot("fewer.csv", 0, 9_500), "2026-11-02");
    expect(fewer).toMatchObject({ removed: 500, unchanged: 9_500 });
    const removal = await load(db, truncated, "2026-11-03", { allowRemovals: true });
    expect(removal).toMatchObject({ rows: 100, updated: 100, removed: 9_400, inserted: 0 });
    const state = await sql<{ present: number; gone: number; history: number }>`
      select count(*) filter (where present)::int as present,
        count(*) filter (where not present)::int as gone,
        (select count(*)::int from customer_history) as history
      from customers`.execute(db.kysely);
    // History: 500 removed on day 2, then 100 changed and 18,800 removed on day 3.
    expect(state.rows[0]).toEqual({ present: 100, gone: 9_900, history: 10_000 });
  });

  it("diffs with keyed joins only: no subplan in either query, with or without fingerprints", async () => {
    const { db } = test();
    await load(db, await snapshot("base.csv", 0, 10_000), "2026-11-01");
    await db.exec(`
      create table plan_staging (line_no integer, row_fingerprint uuid, problem jsonb,
        contact_key text, first_name text, country text, allow_push boolean);
      insert into plan_staging
        select i, md5(i::text)::uuid, null, 'K' || lpad(i::text, 7, '0'), 'N', 'FR', true
        from generate_series(10000, 50000) i;
      create table plan_unclaimed (row_fingerprint uuid not null);
      insert into plan_unclaimed select md5(i::text)::uuid from generate_series(1, 19000) i;
      analyze plan_staging; analyze plan_unclaimed;`);
    // Small work memory: whatever cannot be hashed in memory must still be a join, not a loop.
    await sql`set work_mem = '64kB'`.execute(db.kysely);
    try {
      const names = ["first_name", "country", "allow_push"];
      for (const unclaimed of ["plan_unclaimed", undefined]) {
        const queries = snapshotDiffQueries({
          staging: "plan_staging",
          unclaimed,
          names,
          allNames: names,
          changes: "plan_changes",
        });
        expect(subplans(await plan(db, queries.changes)), `changes, ${unclaimed}`).toBe(0);
        await sql`create table plan_changes as ${queries.changes}`.execute(db.kysely);
        await sql`analyze plan_changes`.execute(db.kysely);
        expect(subplans(await plan(db, queries.leaving)), `leaving, ${unclaimed}`).toBe(0);
        if (queries.unprinted)
          expect(subplans(await plan(db, queries.unprinted)), "unprinted").toBe(0);
        await sql`drop table plan_changes`.execute(db.kysely);
      }
      // The shape that went quadratic has subplans: the check above can fail.
      const quadratic = sql`select * from customers c
        where c.contact_key in (select contact_key from plan_staging)
          or c.row_fingerprint in (select row_fingerprint from plan_unclaimed)`;
      expect(subplans(await plan(db, quadratic))).toBeGreaterThan(0);
    } finally {
      await sql`reset work_mem`.execute(db.kysely);
    }
  });
});
