import { sql } from "kysely";
import { expect, it } from "vitest";
import { configFromObject } from "../src/config/load.ts";
import type { NightjarDb } from "../src/db/connect.ts";
import { stageMoves } from "../src/model/run/history.ts";
import { modelSummary } from "../src/model/run/summary.ts";
import { expectedPurchases, probabilityAlive } from "../src/model/stats/bgnbd.ts";
import { customerLifetimeValue } from "../src/model/stats/clv.ts";
import { addDays } from "../src/time/zones.ts";
import { describeEachEngine } from "./helpers/engines.ts";
import { tempFolder } from "./helpers/files.ts";
import { importKeys, importPurchases, runModelOn, simulatedPurchases } from "./helpers/model.ts";

const files = tempFolder();

/** A purchase every `gap` days from `from` to `to`. */
function rhythm(key: string, from: string, to: string, gap: number): [string, string, number][] {
  const rows: [string, string, number][] = [];
  for (let d = from; d <= to; d = addDays(d, gap)) rows.push([key, d, 20]);
  return rows;
}

async function stages(db: NightjarDb): Promise<Record<string, string>> {
  const result = await sql<{ contact_key: string; stage: string }>`
    select contact_key, stage from customer_model order by contact_key`.execute(db.kysely);
  return Object.fromEntries(result.rows.map((r) => [r.contact_key, r.stage]));
}

async function stageHistory(db: NightjarDb, key: string) {
  const result = await sql<{ valid_from: string; valid_to: string | null; stage: string }>`
    select valid_from, valid_to, stage from customer_model_history where contact_key = ${key}
    union all
    select valid_from, null, stage from customer_model where contact_key = ${key}
    order by valid_from`.execute(db.kysely);
  return result.rows.map((r) => [r.valid_from, r.valid_to, r.stage]);
}

describeEachEngine("customer model run", (test) => {
  it("makes everyone a prospect when there are no transactions", async () => {
    const { db } = test();
    await importKeys(db, files, ["A", "B", "C"]);
    const result = await runModelOn(db, "2026-03-01");
    expect(result).toMatchObject({
      customers: 3,
      buyers: 0,
      stages: { prospect: 3, new: 0, active: 0, at_risk: 0, churned: 0, reactivated: 0 },
      segments: 1,
    });
    expect(result.fit.bgnbd).toBeNull();
    expect(await stages(db)).toEqual({ A: "prospect", B: "prospect", C: "prospect" });
  });

  it("decides stages by the customer's own rhythm when there is too little data to fit", async () => {
    const { db } = test();
    await importKeys(db, files, ["P", "N", "A", "R", "C", "O", "GONE"]);
    // GONE leaves the snapshots: no longer scored, so its purchases do not feed the fit either.
    await importKeys(db, files, ["P", "N", "A", "R", "C", "O"], "2026-02-01");
    const date = "2026-06-30";
    await importPurchases(db, files, [
      ["N", addDays(date, -10), 30],
      ...rhythm("A", "2026-03-01", addDays(date, -5), 10),
      ...rhythm("R", "2026-03-01", addDays(date, -25), 10),
      ...rhythm("C", "2026-03-01", addDays(date, -50), 10),
      // One purchase long ago: judged by the typical repeat buyer's rhythm (10 days).
      ["O", addDays(date, -100), 15],
      // Purchases of a contact key no snapshot names: left out of the model, and said so.
      ["STRANGER", addDays(date, -3), 99],
      ["STRANGER", addDays(date, -2), 99],
      ["GONE", addDays(date, -40), 50],
    ]);
    const result = await runModelOn(db, date);
    expect(result.fit.bgnbd).toBeNull();
    expect(result.fit.notes[0]).toContain("BG/NBD not fitted: 5 customers with purchases");
    expect(result.notes).toEqual([
      "left out 3 purchases of 2 contact keys that are not customers in the latest snapshot (removed from it, or never in one)",
    ]);
    expect(result.customers).toBe(6);
    // A rerun reuses the fit of the same data, and keeps what the fit said.
    const again = await runModelOn(db, date);
    expect(again.fit).toMatchObject({ reused: true, notes: result.fit.notes });
    expect(await stages(db)).toEqual({
      P: "prospect",
      N: "new",
      A: "active",
      R: "at_risk",
      C: "churned",
      O: "churned",
    });
  });

  it("puts each customer in the cluster of its layer values, numbered from the lowest", async () => {
    const { db } = test();
    const date = "2026-06-30";
    const rows: [string, string, number][] = [];
    const expected: Record<string, string> = {};
    // Three frequency groups (3, 10 and 25 purchases), each with recent (1 day) and less
    // recent (3 days) buyers; all Active by their own rhythm.
    for (const [group, purchasesInGroup, gap] of [
      [1, 3, 20],
      [2, 10, 5],
      [3, 25, 2],
    ] as const) {
      for (const [member, recency] of [1, 1, 3, 3].entries()) {
        const key = `G${group}${member}`;
        const last = addDays(date, -recency);
        for (let n = 0; n < purchasesInGroup; n++) rows.push([key, addDays(last, -n * gap), 10]);
        expected[key] = `active.v1.f${group}.r${recency === 1 ? 1 : 2}`;
      }
    }
    await importKeys(db, files, Object.keys(expected));
    await importPurchases(db, files, rows);
    await runModelOn(db, date);
    const segments = await sql<{ contact_key: string; segment: string }>`
      select contact_key, segment from customer_model order by contact_key`.execute(db.kysely);
    expect(Object.fromEntries(segments.rows.map((r) => [r.contact_key, r.segment]))).toEqual(
      expected,
    );
    const clusters = await sql<{ layer: string; cluster: number; centre: number[] }>`
      select layer, cluster, centre from model_segment_clusters
      where stage = 'active' and layer = 'f' order by cluster`.execute(db.kysely);
    expect(clusters.rows.map((c) => [c.cluster, Math.round(c.centre[0] as number)])).toEqual([
      [1, 3],
      [2, 10],
      [3, 25],
    ]);
  });

  it("moves a customer into Churned and out again as Reactivated, keeping every change", async () => {
    const { db } = test();
    await importKeys(db, files, ["K", "L"]);
    // K buys every 10 days until 2026-04-30; L keeps buying (so the typical gap stays 10).
    await importPurchases(db, files, [
      ...rhythm("K", "2026-03-01", "2026-04-30", 10),
      ...rhythm("L", "2026-03-01", "2026-09-30", 10),
    ]);
    const day = (n: number) => addDays("2026-04-30", n);
    await runModelOn(db, day(5)); // overdue 0.5: active
    await runModelOn(db, day(25)); // overdue 2.5: at risk
    await runModelOn(db, day(45)); // overdue 4.5: churned
    await runModelOn(db, day(60)); // still churned: no purchase
    await importPurchases(db, files, [["K", day(70), 25]]);
    await runModelOn(db, day(72)); // bought again after churning: reactivated
    await runModelOn(db, day(80)); // 8 days later, not overdue: still reactivated
    await runModelOn(db, day(150)); // 80 days without a purchase, over 4 of K's usual gaps: churned again
    expect(await stageHistory(db, "K")).toEqual([
      [day(5), day(25), "active"],
      [day(25), day(45), "at_risk"],
      [day(45), day(72), "churned"],
      [day(72), day(150), "reactivated"],
      [day(150), null, "churned"],
    ]);
    // "Who moved from Active to At-risk this week", and from Churned back (as Reactivated).
    expect(
      await stageMoves(db.kysely, {
        from: "active",
        to: "at_risk",
        since: day(19),
        until: day(25),
      }),
    ).toEqual([{ contact_key: "K", moved_on: day(25) }]);
    expect(
      await stageMoves(db.kysely, {
        from: "active",
        to: "at_risk",
        since: day(26),
        until: day(150),
      }),
    ).toEqual([]);
    expect(
      await stageMoves(db.kysely, {
        from: "churned",
        to: "reactivated",
        since: day(0),
        until: day(150),
      }),
    ).toEqual([{ contact_key: "K", moved_on: day(72) }]);
    const k = await db.kysely
      .selectFrom("customer_model")
      .selectAll()
      .where("contact_key", "=", "K")
      .executeTakeFirstOrThrow();
    expect(k).toMatchObject({ stage_since: day(150), last_purchase_on: day(70), purchases: 8 });
  });

  it("rerunning a date replaces that day's result without leaving a one-day interval", async () => {
    const { db } = test();
    await importKeys(db, files, ["K", "L"]);
    await importPurchases(db, files, [
      ...rhythm("K", "2026-03-01", "2026-04-30", 10),
      ...rhythm("L", "2026-03-01", "2026-09-30", 10),
    ]);
    await runModelOn(db, "2026-05-05");
    const before = await stageHistory(db, "K");
    await runModelOn(db, "2026-05-25"); // K at risk
    // A late purchase for 2026-05-24 arrives; the same date runs again: K is active as before.
    await importPurchases(db, files, [["K", "2026-05-24", 10]]);
    await runModelOn(db, "2026-05-25");
    expect(await stageHistory(db, "K")).toEqual(
      before.map(([from, , stage]) => [from, null, stage]),
    );
    await expect(runModelOn(db, "2026-05-20")).rejects.toThrow(
      "the model already ran for 2026-05-25; a run for 2026-05-20 would rewrite history out of order",
    );
  });
});

describeEachEngine("customer model run with a fitted model", (test) => {
  it("scores in SQL exactly as the model's formulas (CLV included), reuses the fit, and segments deterministically", async () => {
    const { db } = test();
    const date = "2026-06-30";
    const rows = simulatedPurchases(400, date);
    await importKeys(db, files, [...new Set(rows.map((r) => r[0]))]);
    await importPurchases(db, files, rows);
    const first = await runModelOn(db, date);
    expect(first.fit.reused).toBe(false);
    const bgnbd = first.fit.bgnbd;
    expect(bgnbd).not.toBeNull();
    const params = bgnbd?.params as NonNullable<typeof bgnbd>["params"];
    const gammaGamma = first.fit.gammaGamma;
    expect(gammaGamma).not.toBeNull();
    const spendParams = gammaGamma?.params as NonNullable<typeof gammaGamma>["params"];
    const scored = await sql<{
      purchases: number;
      first_purchase_on: string;
      last_purchase_on: string;
      p_alive: number;
      expected_purchases: number;
      mean_repeat_spend: number | null;
      clv: number;
      segment: string;
      stage: string;
      value_tier: number;
    }>`select * from customer_model order by contact_key`.execute(db.kysely);
    const weeks = (from: string, to: string) =>
      (Date.parse(to) - Date.parse(from)) / (7 * 86_400_000);
    for (const c of scored.rows) {
      const x = c.purchases - 1;
      const tx = weeks(c.first_purchase_on, c.last_purchase_on);
      const T = weeks(c.first_purchase_on, date);
      expect(c.p_alive).toBeCloseTo(probabilityAlive(params, x, tx, T), 10);
      expect(c.expected_purchases).toBeCloseTo(expectedPurchases(params, 90 / 7, x, tx, T), 8);
      const customer = { x, tx, T, meanSpend: c.mean_repeat_spend ?? 0 };
      const clvInJs = customerLifetimeValue(params, spendParams, customer, {
        periodsPerMonth: 365.25 / 12 / 7,
        months: 12,
        monthlyDiscountRate: 0.01,
      });
      expect(c.clv).toBeCloseTo(clvInJs, 6);
      expect(c.segment).toMatch(
        /^(new|active|at_risk|churned|reactivated)\.v[1-4]\.f[1-3]\.r[1-3]$/,
      );
      expect(c.segment.startsWith(`${c.stage}.`)).toBe(true);
      expect(c.value_tier).toBeGreaterThanOrEqual(1);
    }
    const again = await runModelOn(db, date);
    expect(again.fit).toMatchObject({ reused: true, id: first.fit.id });
    const segmentsAgain = await sql<{ segment: string }>`
      select segment from customer_model order by contact_key`.execute(db.kysely);
    expect(segmentsAgain.rows.map((r) => r.segment)).toEqual(scored.rows.map((r) => r.segment));
    // The summary's value tiers are the deciles of the scored buyers, in order of CLV.
    const summary = await modelSummary({
      db,
      config: configFromObject({}, { file: "x.json", env: {} }).config,
    });
    const tiers = summary.valueTiers;
    expect(tiers.map((t) => t.tier)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(tiers.reduce((sum, t) => sum + t.customers, 0)).toBe(
      scored.rows.filter((r) => r.value_tier !== null).length,
    );
    for (let i = 1; i < tiers.length; i++)
      expect(tiers[i]?.minClv).toBeGreaterThanOrEqual(tiers[i - 1]?.maxClv as number);
    expect(summary.segments.reduce((sum, seg) => sum + seg.customers, 0)).toBe(scored.rows.length);
  });
});
