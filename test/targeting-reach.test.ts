// Reachable customers (presence, consent, exclusion flags, the global control group) and the
// preview, on the targeting fixture.

import { sql } from "kysely";
import { expect, it } from "vitest";
import { countTargetGroup, memberQuery, previewTargetGroup } from "../src/targeting/count.ts";
import { GLOBAL_CONTROL_SEED, stableBucket, stableBucketOf } from "../src/targeting/reachable.ts";
import { RuleRefusedError } from "../src/targeting/validate.ts";
import { describeEachEngine } from "./helpers/engines.ts";
import { AS_OF, seedFixture, TARGETING_ATTRIBUTES, targetingApp } from "./helpers/targeting.ts";

describeEachEngine("reachable customers", (test) => {
  it("are present, consenting, and carry no exclusion flag", async () => {
    const app = await targetingApp(test().db);
    await seedFixture(test().db);
    // K03 does not consent, K05's consent is null, K04 is blocked, K07 is not present.
    expect(await countTargetGroup(app, { all: [] })).toEqual({
      total: 11,
      reachable: 8,
      asOf: AS_OF,
      consentAttribute: "allow_push",
    });
    const query = await memberQuery(
      app.db.kysely,
      app.config,
      { all: [] },
      {
        asOf: AS_OF,
        reachableOnly: true,
      },
    );
    const rows = await sql<{ contact_key: string }>`
      select contact_key from (${query}) q order by 1`.execute(app.db.kysely);
    expect(rows.rows.map((r) => r.contact_key)).toEqual([
      "K01",
      "K02",
      "K06",
      "K08",
      "K09",
      "K10",
      "K11",
      "K12",
    ]);
    expect(await countTargetGroup(app, { field: "country", op: "eq", value: "DE" })).toMatchObject({
      total: 4,
      reachable: 4,
    });
  });

  it("count everyone present as consenting when no consent attribute is configured", async () => {
    await targetingApp(test().db);
    await seedFixture(test().db);
    const withoutConsent = await targetingApp(test().db, {
      attributes: TARGETING_ATTRIBUTES.filter((a) => a.name !== "allow_push"),
      exclusionFlags: [],
    });
    expect(await countTargetGroup(withoutConsent, { all: [] })).toMatchObject({
      total: 11,
      reachable: 11,
      consentAttribute: null,
    });
    // An explicit consent attribute wins over allow_push (here: an odd one, to tell them apart).
    const explicit = await targetingApp(test().db, { pushConsent: "blocked", exclusionFlags: [] });
    expect(await countTargetGroup(explicit, { all: [] })).toMatchObject({
      total: 11,
      reachable: 1,
      consentAttribute: "blocked",
    });
  });

  it("leave out a stable share of about globalControlPercent", async () => {
    const app = await targetingApp(test().db, {
      attributes: [],
      exclusionFlags: [],
      globalControlPercent: 10,
    });
    await sql`insert into customers (contact_key, first_seen_on, valid_from, last_import_id)
      select 'C' || lpad(n::text, 6, '0'), date '2026-01-01', date '2026-01-01', 1
      from generate_series(1, 20000) n`.execute(app.db.kysely);
    const first = await countTargetGroup(app, { all: [] });
    const again = await countTargetGroup(app, { all: [] });
    expect(again).toEqual(first);
    let held = 0;
    for (let n = 1; n <= 20000; n++)
      if (stableBucketOf(GLOBAL_CONTROL_SEED, `C${String(n).padStart(6, "0")}`) < 1000) held++;
    expect(first).toMatchObject({ total: 20000, reachable: 20000 - held });
    // 10 % of 20,000, give or take five standard deviations (±212).
    expect(held).toBeGreaterThan(1788);
    expect(held).toBeLessThan(2212);
  });

  it("buckets keys the same in SQL as in JavaScript", async () => {
    await targetingApp(test().db, { attributes: [], exclusionFlags: [] });
    const keys = ["C000001", "x'; drop table customers; --", "Zoë", "", "campaign"];
    for (const seed of [GLOBAL_CONTROL_SEED, "campaign:7"]) {
      const result = await sql<{ bucket: number }>`
        select ${stableBucket(seed, sql`k.key`)} as bucket
        from unnest(array[${sql.join(keys.map((k) => sql`${k}::text`))}]) with ordinality as k(key, n)
        order by k.n`.execute(test().db.kysely);
      expect(result.rows.map((r) => r.bucket)).toEqual(keys.map((k) => stableBucketOf(seed, k)));
    }
    expect(stableBucketOf("campaign:7", "C000001")).not.toBe(
      stableBucketOf("campaign:8", "C000001"),
    );
  });
});

describeEachEngine("target-group previews", (test) => {
  it("list the first matching customers by contact key, each saying whether it is reachable", async () => {
    const app = await targetingApp(test().db);
    await seedFixture(test().db);
    const preview = await previewTargetGroup(app, { all: [] }, { limit: 4 });
    expect(preview.asOf).toBe(AS_OF);
    expect(preview.consentAttribute).toBe("allow_push");
    expect(preview.customers.map((c) => [c.contactKey, c.stage, c.clv, c.reachable])).toEqual([
      ["K01", "active", 300, true],
      ["K02", "at_risk", 50, true],
      ["K03", "churned", 0, false],
      ["K04", "new", null, false],
    ]);
    expect(preview.customers[0]?.attributes).toEqual({
      first_name: "Anna",
      country: "DE",
      signup_date: "2026-03-31",
      allow_push: true,
      points: 10,
      lifetime_value: "100.50",
      last_seen_at: new Date("2026-03-30T22:30:00Z"),
      blocked: false,
    });
    const none = await previewTargetGroup(
      app,
      { field: "contact_key", op: "eq", value: "K09" },
      { limit: 10 },
    );
    expect(none.customers).toEqual([
      {
        contactKey: "K09",
        attributes: expect.objectContaining({ country: "CH", first_name: null }),
        stage: null,
        clv: null,
        reachable: true,
      },
    ]);
  });

  it("refuse an invalid rule with its problems", async () => {
    const app = await targetingApp(test().db);
    const error = await previewTargetGroup(
      app,
      { field: "age", op: "eq", value: 3 },
      {
        limit: 5,
      },
    ).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(RuleRefusedError);
    expect((error as RuleRefusedError).problems).toEqual([
      { path: "rule.field", message: 'unknown field "age"' },
    ]);
  });
});
