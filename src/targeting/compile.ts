/**
 * A validated rule as one SQL boolean over fixed aliases:
 * - `c`: the customer as of the date (contact_key, present, first_seen_on, attribute columns);
 * - `m`: the customer's model row as of the date, left-joined (all columns null without one).
 * Values only ever reach the database as parameters; identifiers only come from the field table
 * (`rule.ts`), never from the rule's text.
 */
import { type RawBuilder, sql } from "kysely";
import type { CustomerAttribute } from "../config/schema.ts";
import { type ConditionScope, conditionSql } from "./conditions.ts";
import {
  type Condition,
  type PurchasedSpec,
  Rule,
  type RuleField,
  ruleFields,
  type StageChangedSpec,
} from "./rule.ts";
import { RuleRefusedError } from "./validate.ts";

/** What compiling a rule needs. */
export interface CompileContext {
  attributes: readonly CustomerAttribute[];
  /** The as-of date A (YYYY-MM-DD): windows are counted back from it. */
  asOf: string;
  /** The zone whose calendar days transaction timestamps fall on (`schedule.timeZone`). */
  timeZone: string;
  /** The saved rule of a target group; null when there is no such group or it was deleted. */
  loadGroupRule(id: number): Promise<unknown | null>;
  /**
   * An SQL date expression standing for A instead of `asOf` (the sizes backfill evaluates one
   * rule for every day of a series: `d.day`).
   */
  asOfSql?: RawBuilder<unknown>;
}

/** Compiles a validated rule; a group that vanished or became a cycle since is refused. */
export async function compileRule(
  rule: Rule,
  context: CompileContext,
): Promise<RawBuilder<boolean>> {
  const compiler = new Compiler(context);
  return compiler.node(rule, "rule", []);
}

/**
 * The half-open instant range of the local calendar days (A − N, A] in `timeZone`: from the
 * start of day A − N + 1 up to the start of day A + 1.
 */
function dayWindow(scope: ConditionScope, days: number) {
  const { asOf, timeZone } = scope;
  return {
    from: sql`((${asOf} - ${days - 1}::int)::timestamp at time zone ${timeZone}::text)`,
    until: sql`((${asOf} + 1)::timestamp at time zone ${timeZone}::text)`,
  };
}

/** Customers with at least minCount purchases summing to minAmount in the window. */
export function purchasedSql(spec: PurchasedSpec, scope: ConditionScope): RawBuilder<boolean> {
  const { from, until } = dayWindow(scope, spec.withinDays);
  return sql<boolean>`(c.contact_key in (
    select t.contact_key from transactions t
    where t.is_purchase and t.occurred_at >= ${from} and t.occurred_at < ${until}
    group by t.contact_key
    having count(*) >= ${spec.minCount ?? 1}::int and sum(t.amount) >= ${spec.minAmount ?? 0}::numeric))`;
}

/**
 * Customers with a model version starting in (A − N, A] whose stage differs from the version
 * before it. The version before is always a history row (the current row is the latest), found
 * through the history's primary key.
 */
export function stageChangedSql(
  spec: StageChangedSpec,
  scope: ConditionScope,
): RawBuilder<boolean> {
  const { asOf } = scope;
  const low = sql`${asOf} - ${spec.withinDays}::int`;
  const from = spec.from === undefined ? sql`` : sql` and b.stage = ${spec.from}::text`;
  const to = spec.to === undefined ? sql`` : sql` and a.stage = ${spec.to}::text`;
  return sql<boolean>`(c.contact_key in (
    select a.contact_key from (
      select contact_key, valid_from, stage from customer_model
      where valid_from > ${low} and valid_from <= ${asOf}
      union all
      select contact_key, valid_from, stage from customer_model_history
      where valid_to > ${low} and valid_from > ${low} and valid_from <= ${asOf}
    ) a
    cross join lateral (
      select h.stage from customer_model_history h
      where h.contact_key = a.contact_key and h.valid_from < a.valid_from
      order by h.valid_from desc limit 1
    ) b
    where b.stage <> a.stage${from}${to}))`;
}

class Compiler {
  private readonly fields: Map<string, RuleField>;
  private readonly scope: ConditionScope;

  constructor(private readonly context: CompileContext) {
    this.fields = ruleFields(context.attributes);
    this.scope = {
      asOf: context.asOfSql ?? sql`${context.asOf}::date`,
      timeZone: context.timeZone,
    };
  }

  async node(rule: Rule, path: string, chain: number[]): Promise<RawBuilder<boolean>> {
    if ("all" in rule) return this.join(rule.all, "and", `${path}.all`, chain);
    if ("any" in rule) return this.join(rule.any, "or", `${path}.any`, chain);
    if ("not" in rule)
      return sql<boolean>`(not ${await this.node(rule.not, `${path}.not`, chain)})`;
    if ("purchased" in rule) return purchasedSql(rule.purchased, this.scope);
    if ("notPurchased" in rule)
      return sql<boolean>`(not ${purchasedSql(rule.notPurchased, this.scope)})`;
    if ("stageChanged" in rule) return stageChangedSql(rule.stageChanged, this.scope);
    if ("inTargetGroup" in rule)
      return this.group(rule.inTargetGroup, `${path}.inTargetGroup`, chain);
    return this.condition(rule, path);
  }

  private async join(rules: Rule[], joiner: "and" | "or", path: string, chain: number[]) {
    // An empty `all` holds for everyone, an empty `any` for no one.
    if (rules.length === 0) return sql<boolean>`${sql.lit(joiner === "and")}`;
    const parts: RawBuilder<boolean>[] = [];
    for (const [index, child] of rules.entries())
      parts.push(await this.node(child, `${path}[${index}]`, chain));
    return sql<boolean>`(${sql.join(parts, sql.raw(` ${joiner} `))})`;
  }

  private condition(condition: Condition, path: string): RawBuilder<boolean> {
    const field = this.fields.get(condition.field);
    if (!field)
      throw new RuleRefusedError([
        { path: `${path}.field`, message: `unknown field ${JSON.stringify(condition.field)}` },
      ]);
    return conditionSql(condition, field, this.scope);
  }

  private async group(id: number, path: string, chain: number[]): Promise<RawBuilder<boolean>> {
    // Validation refused these already; a group changed since then is refused here.
    if (chain.includes(id))
      throw new RuleRefusedError([
        {
          path,
          message: `target group ${id} refers back to itself: ${[...chain, id].join(" → ")}`,
        },
      ]);
    const saved = await this.context.loadGroupRule(id);
    if (saved === null)
      throw new RuleRefusedError([
        { path, message: `target group ${id} does not exist (or was deleted)` },
      ]);
    const parsed = Rule.safeParse(saved);
    if (!parsed.success)
      throw new RuleRefusedError([
        { path, message: `target group ${id}'s saved rule does not have the shape of a rule` },
      ]);
    return this.node(parsed.data, "rule", [...chain, id]);
  }
}
