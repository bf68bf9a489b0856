/**
 * Checks a rule against the config before anything compiles it: every problem comes back with the
 * JSON path of the value at fault (`rule.all[2].value`), so a UI can put it beside the input.
 */
import type { CustomerAttribute } from "../config/schema.ts";
import { NightjarError } from "../errors.ts";
import { STAGES } from "../model/run/stages.ts";
import { isCalendarDate } from "../time/zones.ts";
import { OPS, OPS_BY_TYPE, type Op, Rule, type RuleField, ruleFields } from "./rule.ts";
import { isTimestampText } from "./values.ts";

/** One thing wrong with a rule: where (a JSON path starting with `rule`) and why. */
export interface RuleProblem {
  path: string;
  message: string;
}

/** What a rule is checked against. */
export interface RuleContext {
  attributes: readonly CustomerAttribute[];
  /** The saved rule of target group `id`; null when there is no such group or it was deleted. */
  loadGroupRule(id: number): Promise<unknown | null>;
  /**
   * The rule is for a date before the latest model run: fields the model history does not keep
   * (p_alive, clv, value_tier, …) are refused (Default: false).
   */
  asOfPast?: boolean;
  /** The id the rule is (to be) saved under: a reference back to it is a cycle. */
  groupId?: number;
}

/** A rule was refused; `problems` says where and why. */
export class RuleRefusedError extends NightjarError {
  override name = "RuleRefusedError";
  override readonly kind = "refused";

  constructor(readonly problems: RuleProblem[]) {
    super(`the rule is refused: ${problems.map((p) => `${p.path}: ${p.message}`).join("; ")}`);
  }
}

const MAX_DEPTH = 64;
const MAX_LIST = 10_000;
const NODE_KEYS = [
  "all",
  "any",
  "not",
  "field",
  "purchased",
  "notPurchased",
  "stageChanged",
  "inTargetGroup",
];
const EXPECTED_NODE = `expected a rule: an object with one of ${NODE_KEYS.join(", ")}`;
const STAGE_LIST = STAGES.join(", ");

/** Checks `input` as a rule; on success returns it typed. */
export async function validateRule(
  input: unknown,
  context: RuleContext,
): Promise<{ ok: true; rule: Rule } | { ok: false; problems: RuleProblem[] }> {
  const checker = new Checker(context);
  const chain = context.groupId === undefined ? [] : [context.groupId];
  await checker.node(input, "rule", 0, chain);
  if (checker.problems.length > 0) return { ok: false, problems: checker.problems };
  const parsed = Rule.safeParse(input);
  // The walk above checks more than the schema does; a gap between them is a bug worth naming.
  if (!parsed.success)
    return {
      ok: false,
      problems: [{ path: "rule", message: "does not have the shape of a rule" }],
    };
  return { ok: true, rule: parsed.data };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}

class Checker {
  readonly problems: RuleProblem[] = [];
  private readonly fields: Map<string, RuleField>;
  private readonly groups = new Map<number, unknown | null>();

  constructor(private readonly context: RuleContext) {
    this.fields = ruleFields(context.attributes);
  }

  private problem(path: string, message: string): void {
    this.problems.push({ path, message });
  }

  async node(node: unknown, path: string, depth: number, chain: number[]): Promise<void> {
    if (depth > MAX_DEPTH) return this.problem(path, `nested deeper than ${MAX_DEPTH} levels`);
    if (!isObject(node)) return this.problem(path, EXPECTED_NODE);
    const keys = Object.keys(node);
    if ("field" in node || "op" in node) return this.condition(node, path);
    const key = keys[0];
    if (keys.length !== 1 || key === undefined || !NODE_KEYS.includes(key))
      return this.problem(
        path,
        keys.length === 0
          ? EXPECTED_NODE
          : `${EXPECTED_NODE} (found ${keys.map((k) => JSON.stringify(k)).join(", ")})`,
      );
    const value = node[key];
    const at = `${path}.${key}`;
    if (key === "all" || key === "any") {
      if (!Array.isArray(value)) return this.problem(at, "expected a list of rules");
      for (const [index, child] of value.entries())
        await this.node(child, `${at}[${index}]`, depth + 1, chain);
      return;
    }
    if (key === "not") return this.node(value, at, depth + 1, chain);
    if (key === "purchased" || key === "notPurchased") return this.purchased(value, at);
    if (key === "stageChanged") return this.stageChanged(value, at);
    return this.group(value, at, depth, chain);
  }

  private condition(node: Record<string, unknown>, path: string) {
    for (const key of Object.keys(node))
      if (key !== "field" && key !== "op" && key !== "value")
        this.problem(`${path}.${key}`, "unknown key (a condition has field, op and value)");
    const name = node.field;
    if (typeof name !== "string") return this.problem(`${path}.field`, "expected a field name");
    const field = this.fields.get(name);
    if (!field) return this.problem(`${path}.field`, `unknown field ${describe(name)}`);
    if (this.context.asOfPast && !field.historical)
      this.problem(
        `${path}.field`,
        `${name} is not kept in the model history, so a rule on it cannot be evaluated as of a past date (the history keeps lifecycle_stage, stage_since and micro_segment)`,
      );
    const op = node.op;
    if (typeof op !== "string" || !(OPS as readonly string[]).includes(op))
      return this.problem(`${path}.op`, `unknown operator ${describe(op)}`);
    const allowed = OPS_BY_TYPE[field.type];
    if (!allowed.includes(op as Op))
      return this.problem(
        `${path}.op`,
        `${op} does not apply to ${name} (a ${field.type} field allows ${allowed.join(", ")})`,
      );
    this.value(field, op as Op, node.value, `${path}.value`);
  }

  private value(field: RuleField, op: Op, value: unknown, path: string) {
    switch (op) {
      case "is_null":
      case "is_not_null":
        if (value !== undefined && value !== null) this.problem(path, `${op} takes no value`);
        return;
      case "in":
      case "not_in":
        if (!Array.isArray(value) || value.length === 0)
          return this.problem(path, "expected a non-empty list of values");
        if (value.length > MAX_LIST)
          return this.problem(path, `expected at most ${MAX_LIST} values`);
        value.forEach((item, index) => {
          this.scalar(field, item, `${path}[${index}]`);
        });
        return;
      case "between": {
        if (!Array.isArray(value) || value.length !== 2)
          return this.problem(path, "expected [low, high]");
        const [low, high] = value;
        const lowOk = this.scalar(field, low, `${path}[0]`);
        const highOk = this.scalar(field, high, `${path}[1]`);
        if (lowOk && highOk && compareValues(field, low, high) > 0)
          this.problem(path, "the low end is above the high end");
        return;
      }
      case "within_last_days":
      case "more_than_days_ago": {
        const min = op === "within_last_days" ? 1 : 0;
        if (!Number.isInteger(value) || (value as number) < min || (value as number) > 36_500)
          this.problem(path, `expected a whole number of days from ${min} to 36500`);
        return;
      }
      default:
        this.scalar(field, value, path);
    }
  }

  /** Whether `value` is a value of the field's type; says why not. */
  private scalar(field: RuleField, value: unknown, path: string): boolean {
    const problem = scalarProblem(field, value);
    if (problem) this.problem(path, problem);
    return problem === null;
  }

  private purchased(value: unknown, path: string) {
    if (!isObject(value)) return this.problem(path, "expected {withinDays, minCount?, minAmount?}");
    for (const key of Object.keys(value))
      if (!["withinDays", "minCount", "minAmount"].includes(key))
        this.problem(`${path}.${key}`, "unknown key (expected withinDays, minCount, minAmount)");
    this.days(value.withinDays, `${path}.withinDays`);
    const { minCount, minAmount } = value;
    if (minCount !== undefined && (!Number.isInteger(minCount) || (minCount as number) < 1))
      this.problem(`${path}.minCount`, "expected a whole number, at least 1");
    if (
      minAmount !== undefined &&
      (typeof minAmount !== "number" || !Number.isFinite(minAmount) || minAmount < 0)
    )
      this.problem(`${path}.minAmount`, "expected a number, at least 0");
  }

  private stageChanged(value: unknown, path: string) {
    if (!isObject(value)) return this.problem(path, "expected {from?, to?, withinDays}");
    for (const key of Object.keys(value))
      if (!["from", "to", "withinDays"].includes(key))
        this.problem(`${path}.${key}`, "unknown key (expected from, to, withinDays)");
    this.days(value.withinDays, `${path}.withinDays`);
    for (const end of ["from", "to"] as const) {
      const stage = value[end];
      if (stage !== undefined && !(STAGES as readonly unknown[]).includes(stage))
        this.problem(
          `${path}.${end}`,
          `${describe(stage)} is not a lifecycle stage (one of ${STAGE_LIST})`,
        );
    }
    if (value.from !== undefined && value.from === value.to)
      this.problem(path, "from and to are the same stage: a stage never changes into itself");
  }

  private days(value: unknown, path: string): void {
    if (!Number.isInteger(value) || (value as number) < 1 || (value as number) > 36_500)
      this.problem(path, "expected a whole number of days from 1 to 36500");
  }

  private async group(value: unknown, path: string, depth: number, chain: number[]) {
    if (!Number.isInteger(value) || (value as number) < 1)
      return this.problem(path, "expected a target group id");
    const id = value as number;
    if (chain.includes(id))
      return this.problem(
        path,
        `target group ${id} refers back to itself: ${[...chain.slice(chain.indexOf(id)), id].join(" → ")} is a cycle`,
      );
    if (!this.groups.has(id)) this.groups.set(id, await this.context.loadGroupRule(id));
    const saved = this.groups.get(id);
    if (saved === null || saved === undefined)
      return this.problem(path, `target group ${id} does not exist (or was deleted)`);
    const before = this.problems.length;
    await this.node(saved, "rule", depth + 1, [...chain, id]);
    // Problems inside a saved group are reported where this rule names the group.
    for (const p of this.problems.splice(before))
      this.problem(path, `in target group ${id}: ${p.path}: ${p.message}`);
  }
}

/** Why `value` is not a value of the field's type, or null when it is. */
export function scalarProblem(field: RuleField, value: unknown): string | null {
  switch (field.type) {
    case "text":
      return typeof value === "string" ? null : "expected a string";
    case "number":
      return typeof value === "number" && Number.isFinite(value) ? null : "expected a number";
    case "boolean":
      return typeof value === "boolean" ? null : "expected true or false";
    case "date":
      return typeof value === "string" && isCalendarDate(value)
        ? null
        : "expected a date (YYYY-MM-DD)";
    case "timestamp":
      return typeof value === "string" && isTimestampText(value)
        ? null
        : "expected a date (YYYY-MM-DD) or an ISO timestamp";
    case "stage":
      return (STAGES as readonly unknown[]).includes(value)
        ? null
        : `${describe(value)} is not a lifecycle stage (one of ${STAGE_LIST})`;
  }
}

/** Orders two valid values of a field (timestamps by their text: the low/high check only). */
function compareValues(field: RuleField, a: unknown, b: unknown): number {
  if (field.type === "number") return (a as number) - (b as number);
  if (field.type === "date") return String(a).localeCompare(String(b));
  return 0;
}
