// Every refusal of validateRule, with the JSON path it names.

import { describe, expect, it } from "vitest";
import { Rule } from "../src/targeting/rule.ts";
import { type RuleContext, RuleRefusedError, validateRule } from "../src/targeting/validate.ts";
import { TARGETING_ATTRIBUTES } from "./helpers/targeting.ts";

const GROUPS: Record<number, unknown> = {
  1: { field: "country", op: "eq", value: "DE" },
  3: { inTargetGroup: 4 },
  4: { all: [{ inTargetGroup: 3 }] },
  6: { field: "nope", op: "eq", value: 1 },
};

function context(extra: Partial<RuleContext> = {}): RuleContext {
  return {
    attributes: TARGETING_ATTRIBUTES,
    loadGroupRule: async (id) => GROUPS[id] ?? null,
    ...extra,
  };
}

async function problems(rule: unknown, extra: Partial<RuleContext> = {}) {
  const result = await validateRule(rule, context(extra));
  if (result.ok) throw new Error("the rule was accepted");
  return result.problems.map((p) => `${p.path}: ${p.message}`);
}

describe("validateRule", () => {
  it("accepts a rule using every kind of node and returns it typed", async () => {
    const rule = {
      all: [
        { field: "country", op: "in", value: ["DE", "AT"] },
        { any: [{ field: "points", op: "between", value: [1, 5] }, { inTargetGroup: 1 }] },
        { not: { field: "lifecycle_stage", op: "eq", value: "churned" } },
        { field: "last_seen_at", op: "gte", value: "2026-03-01T10:00:00+02:00" },
        { field: "country", op: "is_null" },
        { purchased: { withinDays: 30, minCount: 2, minAmount: 10.5 } },
        { notPurchased: { withinDays: 90 } },
        { stageChanged: { from: "active", to: "at_risk", withinDays: 7 } },
      ],
    };
    const result = await validateRule(rule, context());
    expect(result).toEqual({ ok: true, rule });
    expect(Rule.safeParse(rule).success).toBe(true);
  });

  it("names the path of an unknown field, operator or key", async () => {
    expect(
      await problems({
        all: [
          { field: "country", op: "eq", value: "DE" },
          { field: "age", op: "eq", value: 1 },
        ],
      }),
    ).toEqual(['rule.all[1].field: unknown field "age"']);
    expect(await problems({ field: "country", op: "like", value: "x" })).toEqual([
      'rule.op: unknown operator "like"',
    ]);
    expect(await problems({ field: "country", op: "eq", value: "x", extra: 1 })).toEqual([
      "rule.extra: unknown key (a condition has field, op and value)",
    ]);
    expect(await problems({ every: [] })).toEqual([
      'rule: expected a rule: an object with one of all, any, not, field, purchased, notPurchased, stageChanged, inTargetGroup (found "every")',
    ]);
    expect(await problems({ any: [{}, 3] })).toEqual([
      "rule.any[0]: expected a rule: an object with one of all, any, not, field, purchased, notPurchased, stageChanged, inTargetGroup",
      "rule.any[1]: expected a rule: an object with one of all, any, not, field, purchased, notPurchased, stageChanged, inTargetGroup",
    ]);
    expect(await problems({ all: { field: "country" } })).toEqual([
      "rule.all: expected a list of rules",
    ]);
  });

  it("refuses field names that try SQL as unknown fields", async () => {
    for (const field of [
      'country"; drop table customers; --',
      "c.country",
      "__proto__",
      "toString",
    ])
      expect(await problems({ field, op: "is_null" })).toEqual([
        `rule.field: unknown field ${JSON.stringify(field)}`,
      ]);
  });

  it("checks the value's type against the field's", async () => {
    const ok = { field: "country", op: "is_not_null" };
    expect(await problems({ all: [ok, ok, { field: "points", op: "gt", value: "10" }] })).toEqual([
      "rule.all[2].value: expected a number",
    ]);
    const rule = {
      all: [
        { field: "country", op: "eq", value: 1 },
        { field: "allow_push", op: "eq", value: "true" },
        { field: "signup_date", op: "lt", value: "2026-02-30" },
        { field: "last_seen_at", op: "gt", value: "yesterday" },
        { field: "points", op: "gt", value: 10 },
        { field: "country", op: "in", value: ["DE", 2] },
        { field: "country", op: "in", value: [] },
        { field: "country", op: "is_null", value: "DE" },
        { field: "signup_date", op: "within_last_days", value: 0 },
        { field: "signup_date", op: "more_than_days_ago", value: 1.5 },
        { field: "lifetime_value", op: "eq", value: null },
      ],
    };
    expect(await problems(rule)).toEqual([
      "rule.all[0].value: expected a string",
      "rule.all[1].value: expected true or false",
      "rule.all[2].value: expected a date (YYYY-MM-DD)",
      "rule.all[3].value: expected a date (YYYY-MM-DD) or an ISO timestamp",
      "rule.all[5].value[1]: expected a string",
      "rule.all[6].value: expected a non-empty list of values",
      "rule.all[7].value: is_null takes no value",
      "rule.all[8].value: expected a whole number of days from 1 to 36500",
      "rule.all[9].value: expected a whole number of days from 0 to 36500",
      "rule.all[10].value: expected a number",
    ]);
  });

  it("refuses an operator the field's type does not have", async () => {
    expect(await problems({ field: "points", op: "contains", value: "1" })).toEqual([
      "rule.op: contains does not apply to points (a number field allows eq, neq, in, not_in, is_null, is_not_null, gt, gte, lt, lte, between)",
    ]);
    expect(await problems({ field: "allow_push", op: "gt", value: true })).toEqual([
      "rule.op: gt does not apply to allow_push (a boolean field allows eq, neq, in, not_in, is_null, is_not_null)",
    ]);
    expect(await problems({ field: "country", op: "within_last_days", value: 3 })).toHaveLength(1);
    expect(
      await problems({ field: "lifecycle_stage", op: "starts_with", value: "a" }),
    ).toHaveLength(1);
  });

  it("refuses a lifecycle stage that does not exist", async () => {
    expect(
      await problems({ field: "lifecycle_stage", op: "in", value: ["active", "vip"] }),
    ).toEqual([
      'rule.value[1]: "vip" is not a lifecycle stage (one of prospect, new, active, at_risk, churned, reactivated)',
    ]);
    expect(await problems({ stageChanged: { from: "Active", withinDays: 7 } })).toEqual([
      'rule.stageChanged.from: "Active" is not a lifecycle stage (one of prospect, new, active, at_risk, churned, reactivated)',
    ]);
  });

  it("refuses a bad between", async () => {
    expect(await problems({ field: "points", op: "between", value: 3 })).toEqual([
      "rule.value: expected [low, high]",
    ]);
    expect(await problems({ field: "points", op: "between", value: [1, 2, 3] })).toEqual([
      "rule.value: expected [low, high]",
    ]);
    expect(await problems({ field: "points", op: "between", value: [5, 1] })).toEqual([
      "rule.value: the low end is above the high end",
    ]);
    expect(
      await problems({ field: "signup_date", op: "between", value: ["2026-02-01", "2026-01-01"] }),
    ).toEqual(["rule.value: the low end is above the high end"]);
    expect(await problems({ field: "points", op: "between", value: [1, "x"] })).toEqual([
      "rule.value[1]: expected a number",
    ]);
  });

  it("refuses bad behaviour leaves", async () => {
    expect(await problems({ purchased: { withinDays: 0, minCount: 0, minAmount: -1 } })).toEqual([
      "rule.purchased.withinDays: expected a whole number of days from 1 to 36500",
      "rule.purchased.minCount: expected a whole number, at least 1",
      "rule.purchased.minAmount: expected a number, at least 0",
    ]);
    expect(await problems({ notPurchased: { days: 30 } })).toEqual([
      "rule.notPurchased.days: unknown key (expected withinDays, minCount, minAmount)",
      "rule.notPurchased.withinDays: expected a whole number of days from 1 to 36500",
    ]);
    expect(await problems({ purchased: 30 })).toEqual([
      "rule.purchased: expected {withinDays, minCount?, minAmount?}",
    ]);
    expect(
      await problems({ stageChanged: { from: "active", to: "active", withinDays: 3 } }),
    ).toEqual([
      "rule.stageChanged: from and to are the same stage: a stage never changes into itself",
    ]);
    expect(await problems({ stageChanged: { to: "new" } })).toEqual([
      "rule.stageChanged.withinDays: expected a whole number of days from 1 to 36500",
    ]);
  });

  it("refuses missing groups and cycles, naming them", async () => {
    expect(await problems({ any: [{ inTargetGroup: 1 }, { inTargetGroup: 2 }] })).toEqual([
      "rule.any[1].inTargetGroup: target group 2 does not exist (or was deleted)",
    ]);
    expect(await problems({ inTargetGroup: "1" })).toEqual([
      "rule.inTargetGroup: expected a target group id",
    ]);
    expect(await problems({ not: { inTargetGroup: 3 } })).toEqual([
      "rule.not.inTargetGroup: in target group 3: rule.inTargetGroup: in target group 4: rule.all[0].inTargetGroup: target group 3 refers back to itself: 3 → 4 → 3 is a cycle",
    ]);
    // Saving group 1 with a rule that includes group 1 itself.
    expect(await problems({ inTargetGroup: 1 }, { groupId: 1 })).toEqual([
      "rule.inTargetGroup: target group 1 refers back to itself: 1 → 1 is a cycle",
    ]);
    expect(await problems({ inTargetGroup: 6 })).toEqual([
      'rule.inTargetGroup: in target group 6: rule.field: unknown field "nope"',
    ]);
  });

  it("refuses scores the model history does not keep, for a past date", async () => {
    const rule = {
      all: [
        { field: "lifecycle_stage", op: "eq", value: "active" },
        { field: "micro_segment", op: "eq", value: "v1" },
        { field: "p_alive", op: "gt", value: 0.5 },
      ],
    };
    expect((await validateRule(rule, context())).ok).toBe(true);
    expect(await problems(rule, { asOfPast: true })).toEqual([
      "rule.all[2].field: p_alive is not kept in the model history, so a rule on it cannot be evaluated as of a past date (the history keeps lifecycle_stage, stage_since and micro_segment)",
    ]);
  });

  it("carries the problems in RuleRefusedError", () => {
    const error = new RuleRefusedError([{ path: "rule.op", message: 'unknown operator "x"' }]);
    expect(error.kind).toBe("refused");
    expect(error.message).toBe('the rule is refused: rule.op: unknown operator "x"');
  });
});
