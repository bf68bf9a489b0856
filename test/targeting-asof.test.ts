// Counts as of a past date: attributes and presence from the customer history (two real
// imports), the stage from the model history, purchases up to that date; scores refused.

import { expect, it } from "vitest";
import type { App } from "../src/app.ts";
import { countTargetGroup, previewTargetGroup } from "../src/targeting/count.ts";
import { computeSizes } from "../src/targeting/sizes.ts";
import { RuleRefusedError } from "../src/targeting/validate.ts";
import { describeEachEngine } from "./helpers/engines.ts";
import { TEST_ATTRIBUTES, tempFolder } from "./helpers/files.ts";
import { HEADER, load } from "./helpers/imports.ts";
import { insertRows, targetingApp } from "./helpers/targeting.ts";

const files = tempFolder();

/** A model run's row of `date` (the counts read only its date). */
const run = (date: string) => ({
  run_date: date,
  fit_reused: false,
  customers: 3,
  stage_counts: "{}",
  seconds: 0,
  started_at: `${date}T03:00:00Z`,
});

describeEachEngine("target groups as of a past date", (test) => {
  /** A1 moves DE→FR, A2 leaves, A3 gives consent, A4 arrives, between 10 and 20 January. */
  async function twoImports(): Promise<App> {
    const app = await targetingApp(test().db, {
      attributes: TEST_ATTRIBUTES,
      exclusionFlags: [],
      timeZone: "UTC",
      now: "2026-01-25T10:00:00Z",
    });
    const first = await files.file("first.csv", [
      HEADER,
      "A1,Ann,DE,,true,,,",
      "A2,Bob,FR,,true,,,",
      "A3,Cy,DE,,false,,,",
    ]);
    await load(test().db, first, "2026-01-10");
    const second = await files.file("second.csv", [
      HEADER,
      "A1,Ann,FR,,true,,,",
      "A3,Cy,DE,,true,,,",
      "A4,Di,DE,,true,,,",
    ]);
    await load(test().db, second, "2026-01-20");
    return app;
  }

  const de = { field: "country", op: "eq", value: "DE" };
  const fr = { field: "country", op: "eq", value: "FR" };

  it("reads attributes and presence from the version valid that day", async () => {
    const app = await twoImports();
    const count = (rule: unknown, asOf?: string) =>
      countTargetGroup(app, rule, asOf ? { asOf } : {}).then((c) => [c.total, c.reachable]);
    expect(await count(de, "2026-01-15")).toEqual([2, 1]);
    expect(await count(de, "2026-01-19")).toEqual([2, 1]);
    expect(await count(de, "2026-01-20")).toEqual([2, 2]);
    expect(await count(de)).toEqual([2, 2]);
    expect(await count(de, "2026-01-09")).toEqual([0, 0]);
    expect(await count(fr, "2026-01-15")).toEqual([1, 1]);
    expect(await count(fr, "2026-01-20")).toEqual([1, 1]);
    expect(await count({ all: [] }, "2026-01-10")).toEqual([3, 2]);
    const arrived = { field: "first_seen_on", op: "within_last_days", value: 1 };
    expect(await count(arrived, "2026-01-20")).toEqual([1, 1]);
    expect(await count(arrived, "2026-01-10")).toEqual([3, 2]);
    expect((await countTargetGroup(app, de)).asOf).toBe("2026-01-25");
    await expect(countTargetGroup(app, de, { asOf: "2026-02-30" })).rejects.toThrow(
      "the rule is refused: asOf: expected a date (YYYY-MM-DD)",
    );
    const past = await previewTargetGroup(app, { all: [] }, { limit: 10, asOf: "2026-01-15" });
    expect(past.customers.map((c) => [c.contactKey, c.attributes.country, c.reachable])).toEqual([
      ["A1", "DE", true],
      ["A2", "FR", true],
      ["A3", "DE", false],
    ]);
  });

  it("reads the stage from the model history, and refuses the scores it does not keep", async () => {
    const app = await twoImports();
    const stage = (value: string) => ({ field: "lifecycle_stage", op: "eq", value });
    // Before any model run, the model's fields are null.
    expect((await countTargetGroup(app, { field: "lifecycle_stage", op: "is_null" })).total).toBe(
      3,
    );
    await insertRows(test().db, "model_runs", [run("2026-01-10"), run("2026-01-20")]);
    const model = (key: string, stage: string, since: string, pAlive: number) => ({
      contact_key: key,
      run_id: 2,
      run_date: "2026-01-20",
      stage,
      stage_since: since,
      segment: "s",
      valid_from: since,
      purchases: 1,
      p_alive: pAlive,
    });
    await insertRows(test().db, "customer_model", [
      model("A1", "at_risk", "2026-01-20", 0.4),
      model("A3", "active", "2026-01-10", 0.9),
      model("A4", "new", "2026-01-20", 0.8),
    ]);
    const version = (key: string) => ({
      contact_key: key,
      valid_from: "2026-01-10",
      valid_to: "2026-01-20",
      stage: "active",
      stage_since: "2026-01-10",
      segment: "s",
    });
    await insertRows(test().db, "customer_model_history", [version("A1"), version("A2")]);

    const total = async (rule: unknown, asOf?: string) =>
      (await countTargetGroup(app, rule, asOf ? { asOf } : {})).total;
    expect(await total(stage("active"), "2026-01-15")).toBe(3);
    expect(await total(stage("active"), "2026-01-20")).toBe(1);
    expect(await total(stage("at_risk"), "2026-01-19")).toBe(0);
    expect(await total(stage("at_risk"))).toBe(1);
    expect(await total({ field: "lifecycle_stage", op: "is_null" }, "2026-01-09")).toBe(0);
    const moved = { stageChanged: { from: "active", to: "at_risk", withinDays: 3 } };
    expect(await total(moved, "2026-01-20")).toBe(1);
    expect(await total(moved, "2026-01-19")).toBe(0);
    expect(await total(moved, "2026-01-23")).toBe(0);

    const pAlive = { all: [stage("active"), { field: "p_alive", op: "gt", value: 0.5 }] };
    expect(await total(pAlive)).toBe(1);
    const refused = await countTargetGroup(app, pAlive, { asOf: "2026-01-15" }).catch(
      (thrown: unknown) => thrown,
    );
    expect(refused).toBeInstanceOf(RuleRefusedError);
    expect((refused as RuleRefusedError).problems).toEqual([
      {
        path: "rule.all[1].field",
        message:
          "p_alive is not kept in the model history, so a rule on it cannot be evaluated as of a past date (the history keeps lifecycle_stage, stage_since and micro_segment)",
      },
    ]);
  });

  it("computes sizes by interval arithmetic that equal a count on every day", async () => {
    const app = await twoImports();
    await insertRows(test().db, "model_runs", [run("2026-01-12"), run("2026-01-18")]);
    await insertRows(test().db, "customer_model", [
      {
        contact_key: "A1",
        run_id: 2,
        run_date: "2026-01-18",
        stage: "at_risk",
        stage_since: "2026-01-18",
        segment: "s",
        valid_from: "2026-01-18",
        purchases: 1,
      },
      {
        contact_key: "A3",
        run_id: 2,
        run_date: "2026-01-18",
        stage: "active",
        stage_since: "2026-01-12",
        segment: "t",
        valid_from: "2026-01-12",
        purchases: 1,
      },
    ]);
    await insertRows(test().db, "customer_model_history", [
      {
        contact_key: "A1",
        valid_from: "2026-01-12",
        valid_to: "2026-01-18",
        stage: "active",
        stage_since: "2026-01-12",
        segment: "s",
      },
      {
        contact_key: "A2",
        valid_from: "2026-01-12",
        valid_to: "2026-01-16",
        stage: "new",
        stage_since: "2026-01-12",
        segment: "s",
      },
      // A3 has no model version on 2026-01-11: a gap between two.
      {
        contact_key: "A3",
        valid_from: "2026-01-09",
        valid_to: "2026-01-11",
        stage: "new",
        stage_since: "2026-01-09",
        segment: "s",
      },
    ]);
    const rules = [
      de,
      { not: de },
      { any: [de, fr] },
      { all: [] },
      { field: "lifecycle_stage", op: "in", value: ["active", "new"] },
      { all: [de, { field: "lifecycle_stage", op: "neq", value: "active" }] },
      { field: "micro_segment", op: "is_null" },
      { field: "lifecycle_stage", op: "is_null" },
      { field: "first_seen_on", op: "gte", value: "2026-01-15" },
    ];
    const days = [
      "2026-01-08",
      "2026-01-09",
      "2026-01-10",
      "2026-01-11",
      "2026-01-12",
      "2026-01-15",
      "2026-01-16",
      "2026-01-17",
      "2026-01-18",
      "2026-01-19",
      "2026-01-20",
      "2026-01-24",
    ];
    for (const rule of rules) {
      const sizes = await computeSizes(app.db.kysely, app, rule, {
        from: "2026-01-08",
        to: "2026-01-24",
      });
      expect(sizes).toHaveLength(17);
      for (const day of days) {
        const counted = await countTargetGroup(app, rule, { asOf: day });
        expect(
          sizes.find((s) => s.date === day),
          `${JSON.stringify(rule)} on ${day}`,
        ).toEqual({
          date: day,
          total: counted.total,
          reachable: counted.reachable,
        });
      }
    }
  });

  it("counts only the purchases up to the as-of date", async () => {
    const app = await twoImports();
    await insertRows(test().db, "transactions", [
      { contact_key: "A1", occurred_at: "2026-01-14T12:00:00Z", amount: 10, import_id: 3 },
      { contact_key: "A3", occurred_at: "2026-01-18T12:00:00Z", amount: 10, import_id: 3 },
    ]);
    const total = async (rule: unknown, asOf: string) =>
      (await countTargetGroup(app, rule, { asOf })).total;
    const recent = { purchased: { withinDays: 5 } };
    expect(await total(recent, "2026-01-15")).toBe(1);
    expect(await total(recent, "2026-01-20")).toBe(1);
    expect(await total({ all: [recent, fr] }, "2026-01-20")).toBe(0);
    expect(await total({ all: [recent, de] }, "2026-01-20")).toBe(1);
    expect(await total({ notPurchased: { withinDays: 5 } }, "2026-01-15")).toBe(2);
  });
});

describeEachEngine("target-group sizes from the history", (test) => {
  it("gives every day's total and reachable in one computation", async () => {
    const app = await targetingApp(test().db, {
      attributes: TEST_ATTRIBUTES,
      exclusionFlags: [],
      timeZone: "UTC",
      now: "2026-01-25T10:00:00Z",
    });
    await load(
      test().db,
      await files.file("sizes-1.csv", [HEADER, "A1,Ann,DE,,true,,,", "A3,Cy,DE,,false,,,"]),
      "2026-01-10",
    );
    await load(
      test().db,
      await files.file("sizes-2.csv", [HEADER, "A1,Ann,FR,,true,,,", "A3,Cy,DE,,true,,,"]),
      "2026-01-12",
    );
    await insertRows(test().db, "transactions", [
      { contact_key: "A3", occurred_at: "2026-01-11T12:00:00Z", amount: 10, import_id: 3 },
    ]);
    const de = { field: "country", op: "eq", value: "DE" };
    expect(
      await computeSizes(app.db.kysely, app, de, { from: "2026-01-09", to: "2026-01-13" }),
    ).toEqual([
      { date: "2026-01-09", total: 0, reachable: 0 },
      { date: "2026-01-10", total: 2, reachable: 1 },
      { date: "2026-01-11", total: 2, reachable: 1 },
      { date: "2026-01-12", total: 1, reachable: 1 },
      { date: "2026-01-13", total: 1, reachable: 1 },
    ]);
    const bought = { purchased: { withinDays: 2 } };
    const sizes = await computeSizes(app.db.kysely, app, bought, {
      from: "2026-01-10",
      to: "2026-01-13",
    });
    expect(sizes.map((s) => [s.date, s.total])).toEqual([
      ["2026-01-10", 0],
      ["2026-01-11", 1],
      ["2026-01-12", 1],
      ["2026-01-13", 0],
    ]);
    await expect(
      computeSizes(
        app.db.kysely,
        app,
        { field: "clv", op: "gt", value: 1 },
        {
          from: "2026-01-10",
          to: "2026-01-11",
        },
      ),
    ).rejects.toThrow(/clv is not kept in the model history/);
  });
});
