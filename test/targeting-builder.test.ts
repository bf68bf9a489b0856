// The web app's rule builder model (web/src/targeting/model.ts) against the server's rule
// language: the same fields, operators and stages, and every problem the server finds in a
// rule the builder wrote lands at one of the builder's nodes.
import { describe, expect, it } from "vitest";
import { STAGES } from "../src/model/run/stages.ts";
import { MODEL_FIELDS, OPS_BY_TYPE } from "../src/targeting/rule.ts";
import { validateRule } from "../src/targeting/validate.ts";
import {
  fromRule,
  newGroup,
  newLeaf,
  toRule,
  unplacedProblems,
  MODEL_FIELDS as WEB_MODEL_FIELDS,
  OPS_BY_TYPE as WEB_OPS_BY_TYPE,
  STAGES as WEB_STAGES,
} from "../web/src/targeting/model.ts";

describe("the rule builder's model", () => {
  it("knows the server's model fields, operators by type and stages", () => {
    expect(WEB_MODEL_FIELDS.map((f) => [f.name, f.type])).toEqual(
      MODEL_FIELDS.map((f) => [f.name, f.type]),
    );
    expect(WEB_OPS_BY_TYPE).toEqual(OPS_BY_TYPE);
    expect(WEB_STAGES.map((s) => s.value)).toEqual([...STAGES]);
  });

  it("places every problem of a rule it wrote at one of its nodes, and reads the rule back", async () => {
    const tree = newGroup("any", [
      newLeaf({ kind: "condition", field: "country", op: "eq", value: 5 }),
      newGroup("all", [
        newLeaf({ kind: "condition", field: "p_alive", op: "between", value: [0.9, 0.1] }),
        newLeaf({ kind: "purchased", spec: { withinDays: 0, minCount: 0 } }),
        newGroup("not", [newLeaf({ kind: "stageChanged", spec: { from: "nope", withinDays: 7 } })]),
      ]),
      newLeaf({ kind: "condition", field: "lifecycle_stage", op: "in", value: ["active", "x"] }),
      newLeaf({ kind: "inTargetGroup", id: 999 }),
      newLeaf({ kind: "condition", field: "nope", op: "eq", value: "" }),
    ]);
    const rule = toRule(tree);
    const checked = await validateRule(rule, {
      attributes: [{ name: "country", type: "text", required: false }],
      loadGroupRule: async () => null,
    });
    expect(checked.ok).toBe(false);
    const problems = checked.ok ? [] : checked.problems;
    expect(problems.map((p) => p.path)).toEqual([
      "rule.any[0].value",
      "rule.any[1].all[0].value",
      "rule.any[1].all[1].purchased.withinDays",
      "rule.any[1].all[1].purchased.minCount",
      "rule.any[1].all[2].not.any[0].stageChanged.from",
      "rule.any[2].value[1]",
      "rule.any[3].inTargetGroup",
      "rule.any[4].field",
    ]);
    expect(unplacedProblems(tree, problems)).toEqual([]);
    expect(toRule(fromRule(rule))).toEqual(rule);
  });

  it("reads a saved rule of any shape into a group", () => {
    expect(toRule(fromRule({ field: "contact_key", op: "starts_with", value: "C" }))).toEqual({
      all: [{ field: "contact_key", op: "starts_with", value: "C" }],
    });
    expect(toRule(fromRule({ not: { inTargetGroup: 3 } }))).toEqual({
      not: { any: [{ inTargetGroup: 3 }] },
    });
  });
});
