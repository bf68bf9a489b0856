// Every operator and leaf of the rule language against sets computed by hand from the fixture
// (test/helpers/targeting.ts), as of 2026-03-31 in Europe/Berlin.

import { sql } from "kysely";
import { beforeEach, expect, it } from "vitest";
import type { App } from "../src/app.ts";
import { countTargetGroup, memberQuery } from "../src/targeting/count.ts";
import { describeEachEngine } from "./helpers/engines.ts";
import { AS_OF, saveGroup, seedFixture, targetingApp } from "./helpers/targeting.ts";

const PRESENT = ["K01", "K02", "K03", "K04", "K05", "K06", "K08", "K09", "K10", "K11", "K12"];

/** The present customers not in `keys`. */
function except(...keys: string[]): string[] {
  return PRESENT.filter((k) => !keys.includes(k));
}

describeEachEngine("target-group rules", (test) => {
  let app: App;
  beforeEach(async () => {
    app = await targetingApp(test().db);
    await seedFixture(test().db);
  });

  async function members(rule: unknown): Promise<string[]> {
    const query = await memberQuery(app.db.kysely, app.config, rule, {
      asOf: AS_OF,
      reachableOnly: false,
    });
    const result = await sql<{ contact_key: string }>`
      select contact_key from (${query}) q order by contact_key collate "C"`.execute(app.db.kysely);
    return result.rows.map((r) => r.contact_key);
  }

  const f = (field: string, op: string, value?: unknown) =>
    value === undefined ? { field, op } : { field, op, value };

  it("compares text exactly, and its complements keep the nulls", async () => {
    expect(await members(f("country", "eq", "DE"))).toEqual(["K01", "K06", "K08", "K10"]);
    const notDe = except("K01", "K06", "K08", "K10");
    expect(notDe).toContain("K04"); // country null
    expect(await members(f("country", "neq", "DE"))).toEqual(notDe);
    expect(await members({ not: f("country", "eq", "DE") })).toEqual(notDe);
    const deFr = ["K01", "K03", "K06", "K08", "K10", "K11"];
    expect(await members(f("country", "in", ["DE", "FR"]))).toEqual(deFr);
    expect(await members(f("country", "not_in", ["DE", "FR"]))).toEqual(except(...deFr));
    expect(await members(f("country", "is_null"))).toEqual(["K04"]);
    expect(await members(f("country", "is_not_null"))).toEqual(except("K04"));
  });

  it("matches contains and starts_with without case, with %, _ and \\ as themselves", async () => {
    expect(await members(f("first_name", "contains", "anna"))).toEqual(["K01", "K02", "K08"]);
    expect(await members(f("first_name", "starts_with", "AN"))).toEqual(["K01", "K02", "K08"]);
    expect(await members(f("first_name", "contains", "%"))).toEqual(["K03"]);
    expect(await members(f("first_name", "starts_with", "100%"))).toEqual(["K03"]);
    expect(await members(f("first_name", "contains", "_"))).toEqual(["K04"]);
    expect(await members(f("first_name", "contains", "\\"))).toEqual(["K05"]);
    expect(await members(f("first_name", "contains", "maria"))).toEqual(["K02"]);
    expect(await members(f("contact_key", "starts_with", "k1"))).toEqual(["K10", "K11", "K12"]);
    // Not present: K07 is in no result.
    expect(await members(f("contact_key", "in", ["K01", "K07", "nope"]))).toEqual(["K01"]);
  });

  it("compares integers and numerics, between inclusive at both ends", async () => {
    expect(await members(f("points", "gt", 15))).toEqual(["K02", "K03", "K08"]);
    expect(await members(f("points", "gte", 15))).toEqual(["K02", "K03", "K06", "K08"]);
    expect(await members(f("points", "lt", 10))).toEqual(["K05"]);
    expect(await members(f("points", "lte", 10))).toEqual(["K01", "K05"]);
    expect(await members(f("points", "between", [10, 20]))).toEqual(["K01", "K02", "K06"]);
    expect(await members(f("points", "eq", 20))).toEqual(["K02"]);
    expect(await members(f("points", "neq", 20))).toEqual(except("K02"));
    expect(await members(f("points", "in", [5, 30]))).toEqual(["K03", "K05"]);
    expect(await members(f("lifetime_value", "gt", 99.99))).toEqual(["K01", "K08"]);
    expect(await members(f("lifetime_value", "eq", 0))).toEqual(["K02"]);
    expect(await members(f("lifetime_value", "between", [0, 99.99]))).toEqual(["K02", "K04"]);
  });

  it("compares dates, and counts days back from the as-of date", async () => {
    // signup: K01 31 Mar (A), K02 2 Mar (A−29), K03 1 Mar (A−30), K04 28 Feb (A−31).
    expect(await members(f("signup_date", "within_last_days", 30))).toEqual(["K01", "K02"]);
    expect(await members(f("signup_date", "within_last_days", 31))).toEqual(["K01", "K02", "K03"]);
    expect(await members(f("signup_date", "within_last_days", 1))).toEqual(["K01"]);
    // Exactly 30 days ago is neither within the last 30 days nor more than 30 days ago.
    expect(await members(f("signup_date", "more_than_days_ago", 30))).toEqual(["K04"]);
    expect(await members(f("signup_date", "more_than_days_ago", 29))).toEqual(["K03", "K04"]);
    expect(await members(f("signup_date", "gt", "2026-03-01"))).toEqual(["K01", "K02"]);
    expect(await members(f("signup_date", "between", ["2026-03-01", "2026-03-02"]))).toEqual([
      "K02",
      "K03",
    ]);
    expect(await members(f("signup_date", "lte", "2026-02-28"))).toEqual(["K04"]);
    expect(await members(f("signup_date", "eq", "2026-03-31"))).toEqual(["K01"]);
    expect(await members(f("first_seen_on", "within_last_days", 1))).toEqual(["K12"]);
  });

  it("compares timestamps as instants, or by their Berlin date when the value is a date", async () => {
    expect(await members(f("last_seen_at", "within_last_days", 1))).toEqual(["K01"]);
    expect(await members(f("last_seen_at", "lte", "2026-03-30"))).toEqual(["K02", "K03"]);
    expect(await members(f("last_seen_at", "eq", "2026-03-31"))).toEqual(["K01"]);
    expect(await members(f("last_seen_at", "gt", "2026-03-30T21:30:00Z"))).toEqual(["K01"]);
    // Without an offset: a wall-clock time in Berlin (23:30 CEST = 21:30 UTC).
    expect(await members(f("last_seen_at", "gte", "2026-03-30T23:30:00"))).toEqual(["K01", "K02"]);
    expect(await members(f("last_seen_at", "more_than_days_ago", 29))).toEqual(["K03"]);
  });

  it("compares booleans; a null is in neq and not_in", async () => {
    const pushing = ["K01", "K02", "K04", "K06", "K08", "K09", "K10", "K11", "K12"];
    expect(await members(f("allow_push", "eq", true))).toEqual(pushing);
    expect(await members(f("allow_push", "eq", false))).toEqual(["K03"]);
    expect(await members(f("allow_push", "neq", true))).toEqual(["K03", "K05"]);
    expect(await members(f("allow_push", "in", [false]))).toEqual(["K03"]);
    expect(await members(f("allow_push", "not_in", [false]))).toEqual(except("K03"));
    expect(await members(f("allow_push", "is_null"))).toEqual(["K05"]);
  });

  it("reads the model's outputs; customers without a model row have nulls", async () => {
    expect(await members(f("lifecycle_stage", "eq", "active"))).toEqual(["K01", "K08"]);
    expect(await members(f("lifecycle_stage", "in", ["at_risk", "churned"]))).toEqual([
      "K02",
      "K03",
    ]);
    expect(await members(f("lifecycle_stage", "neq", "active"))).toEqual(except("K01", "K08"));
    expect(await members(f("lifecycle_stage", "is_null"))).toEqual(["K09", "K10", "K11", "K12"]);
    expect(await members(f("stage_since", "within_last_days", 7))).toEqual(["K02", "K04", "K06"]);
    expect(await members(f("micro_segment", "starts_with", "v1"))).toEqual(["K01", "K04", "K08"]);
    expect(await members(f("value_tier", "gte", 9))).toEqual(["K01", "K08"]);
    expect(await members(f("value_tier", "is_null"))).toEqual([
      "K04",
      "K05",
      "K09",
      "K10",
      "K11",
      "K12",
    ]);
    expect(await members(f("p_alive", "lt", 0.5))).toEqual(["K03"]);
    expect(await members(f("p_alive", "between", [0.5, 0.9]))).toEqual(["K01", "K02", "K06"]);
    expect(await members(f("clv", "eq", 0))).toEqual(["K03"]);
    expect(await members(f("clv", "gt", 100))).toEqual(["K01", "K06", "K08"]);
    expect(await members(f("expected_purchases", "gte", 0.5))).toEqual(["K01", "K02"]);
    expect(await members(f("expected_spend", "lt", 20))).toEqual(["K03"]);
    expect(await members(f("purchases", "eq", 0))).toEqual(["K05"]);
    expect(await members(f("recency_days", "gt", 80))).toEqual(["K02", "K03"]);
    expect(await members(f("tenure_days", "lte", 200))).toEqual(["K01", "K02"]);
    expect(await members(f("last_purchase_on", "within_last_days", 7))).toEqual(["K01", "K04"]);
    expect(await members(f("last_purchase_on", "more_than_days_ago", 60))).toEqual(["K02", "K03"]);
  });

  it("counts purchases in the last N Berlin days; refunds count for neither count nor amount", async () => {
    // 31 March in Berlin: K01 at 00:30 and K03 at 23:59; K02's 23:30 is on the 30th.
    expect(await members({ purchased: { withinDays: 1 } })).toEqual(["K01", "K03"]);
    expect(await members({ purchased: { withinDays: 2 } })).toEqual(["K01", "K02", "K03", "K10"]);
    const month = ["K01", "K02", "K03", "K04", "K06", "K10"];
    expect(await members({ purchased: { withinDays: 30 } })).toEqual(month);
    expect(await members({ purchased: { withinDays: 30, minCount: 2 } })).toEqual(["K01", "K10"]);
    expect(await members({ purchased: { withinDays: 30, minAmount: 40 } })).toEqual([
      "K01",
      "K02",
      "K04",
    ]);
    // K06's 100 is 30 days back: in a 31-day window only.
    expect(await members({ purchased: { withinDays: 30, minAmount: 100 } })).toEqual([]);
    expect(await members({ purchased: { withinDays: 31, minAmount: 100 } })).toEqual(["K06"]);
    // Its exact complement: those who never bought (K09, K11, K12) and the refund-only K05 too.
    expect(await members({ notPurchased: { withinDays: 30 } })).toEqual(except(...month));
  });

  it("finds stage changes that started in the window", async () => {
    // K02 active→at_risk on 28 Mar, K06 churned→reactivated on 31 Mar; K08 changed segment only.
    expect(await members({ stageChanged: { withinDays: 7 } })).toEqual(["K02", "K06"]);
    expect(await members({ stageChanged: { to: "at_risk", withinDays: 30 } })).toEqual([
      "K01",
      "K02",
    ]);
    expect(await members({ stageChanged: { from: "at_risk", withinDays: 30 } })).toEqual(["K01"]);
    // K01 went active→at_risk on 10 Mar: 21 days before, just outside 21 days.
    const move = { from: "active", to: "at_risk" };
    expect(await members({ stageChanged: { ...move, withinDays: 21 } })).toEqual(["K02"]);
    expect(await members({ stageChanged: { ...move, withinDays: 22 } })).toEqual(["K01", "K02"]);
    expect(
      await members({ stageChanged: { from: "at_risk", to: "churned", withinDays: 90 } }),
    ).toEqual(["K03"]);
  });

  it("nests all, any and not", async () => {
    const rule = {
      all: [
        f("country", "in", ["DE", "FR"]),
        { any: [f("points", "gte", 25), { not: f("allow_push", "eq", true) }] },
      ],
    };
    expect(await members(rule)).toEqual(["K03", "K08"]);
    expect(await members({ not: rule })).toEqual(except("K03", "K08"));
    expect(await members({ all: [] })).toEqual(PRESENT);
    expect(await members({ any: [] })).toEqual([]);
    expect(await members({ not: { not: f("country", "eq", "DE") } })).toEqual([
      "K01",
      "K06",
      "K08",
      "K10",
    ]);
  });

  it("includes saved target groups, recursively", async () => {
    const germans = await saveGroup(test().db, "Germans", f("country", "eq", "DE"));
    const rich = await saveGroup(test().db, "Rich Germans", {
      all: [{ inTargetGroup: germans }, f("points", "gt", 10)],
    });
    expect(await members({ inTargetGroup: rich })).toEqual(["K06", "K08"]);
    expect(
      await members({ any: [{ inTargetGroup: rich }, f("contact_key", "eq", "K12")] }),
    ).toEqual(["K06", "K08", "K12"]);
    expect(await members({ not: { inTargetGroup: germans } })).toEqual(
      except("K01", "K06", "K08", "K10"),
    );
  });

  it("keeps values inert: an injection attempt matches itself literally", async () => {
    const attack = "x'; drop table customers; --";
    expect(await members(f("first_name", "eq", attack))).toEqual(["K06"]);
    expect(await members(f("first_name", "contains", "'; drop"))).toEqual(["K06"]);
    expect(await members(f("country", "in", ["DE') or true --", "FR"]))).toEqual(["K03", "K11"]);
    const count = await countTargetGroup(app, f("first_name", "eq", attack));
    expect(count.total).toBe(1);
    const left = await sql<{ n: number }>`select count(*) as n from customers`.execute(
      app.db.kysely,
    );
    expect(left.rows[0]?.n).toBe(12);
  });
});
