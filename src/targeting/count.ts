/**
 * Target-group use cases: how many customers a rule selects (and how many of them a push can
 * reach), the first of them, and the member query the nightly plan builds recipient lists from.
 */
import { type RawBuilder, sql } from "kysely";
import type { App } from "../app.ts";
import type { NightjarConfig } from "../config/schema.ts";
import type { Db } from "../db/connect.ts";
import { inTransaction } from "../db/transaction.ts";
import { isCalendarDate, todayIn } from "../time/zones.ts";
import { compileRule } from "./compile.ts";
import { consentAttribute, reachableCondition } from "./reachable.ts";
import { asOfState, fromAsOf } from "./sources.ts";
import { RuleRefusedError, validateRule } from "./validate.ts";

type TargetingApp = Pick<App, "db" | "config" | "clock">;

/** Loads saved rules from `target_groups`; deleted groups count as missing. */
export function groupRuleLoader(db: Db): (id: number) => Promise<unknown | null> {
  return async (id) => {
    const row = await db
      .selectFrom("target_groups")
      .select("rule")
      .where("id", "=", id)
      .where("deleted_at", "is", null)
      .executeTakeFirst();
    return row ? row.rule : null;
  };
}

/** A rule validated and compiled for a date, with the rows it reads. */
interface Prepared {
  asOf: string;
  /** `c left join m` as of the date. */
  from: RawBuilder<unknown>;
  /** The rule over `c` and `m`. */
  matches: RawBuilder<boolean>;
  modelPast: boolean;
}

/** Validates `rule` (throwing RuleRefusedError) and compiles it for `asOf`. */
async function prepare(
  db: Db,
  config: NightjarConfig,
  rule: unknown,
  asOf: string,
  groupId?: number,
): Promise<Prepared> {
  if (!isCalendarDate(asOf))
    throw new RuleRefusedError([{ path: "asOf", message: "expected a date (YYYY-MM-DD)" }]);
  const state = await asOfState(db, asOf);
  const loadGroupRule = groupRuleLoader(db);
  const { attributes } = config.customers;
  const checked = await validateRule(rule, {
    attributes,
    loadGroupRule,
    asOfPast: state.modelPast,
    ...(groupId === undefined ? {} : { groupId }),
  });
  if (!checked.ok) throw new RuleRefusedError(checked.problems);
  const matches = await compileRule(checked.rule, {
    attributes,
    asOf,
    timeZone: config.schedule.timeZone,
    loadGroupRule,
  });
  return {
    asOf,
    from: fromAsOf(attributes, state, sql`${asOf}::date`),
    matches,
    modelPast: state.modelPast,
  };
}

/** A rule's size on a date. */
export interface TargetGroupCount {
  /** Present customers matching the rule. */
  total: number;
  /** Those of them a push can reach (see reachable.ts). */
  reachable: number;
  asOf: string;
  /** The consent attribute applied; null when there is none (everyone present consents). */
  consentAttribute: string | null;
}

/** Use case: counts the customers a rule selects as of `asOf` (Default: today in the schedule's zone). */
export async function countTargetGroup(
  app: TargetingApp,
  rule: unknown,
  options: { asOf?: string } = {},
): Promise<TargetGroupCount> {
  const db = app.db.kysely;
  const asOf = options.asOf ?? todayIn(app.config.schedule.timeZone, app.clock);
  const prepared = await prepare(db, app.config, rule, asOf);
  const query = sql<{ total: number; reachable: number }>`
    select count(*) as total,
      count(*) filter (where ${reachableCondition(app.config)}) as reachable
    from ${prepared.from}
    where c.present and ${prepared.matches}`;
  // A count answers while the marketer edits the rule: compiling it (JIT) would cost more time
  // than it saves on one pass over the customers.
  const result = await inTransaction(db, { jit: false }, (trx) => query.execute(trx));
  const row = result.rows[0];
  return {
    total: Number(row?.total ?? 0),
    reachable: Number(row?.reachable ?? 0),
    asOf,
    consentAttribute: consentAttribute(app.config),
  };
}

/** One customer of a preview. */
export interface PreviewCustomer {
  contactKey: string;
  /** The configured attributes, as of the date. */
  attributes: Record<string, unknown>;
  /** Lifecycle stage; null before the customer's first model run. */
  stage: string | null;
  /** null before a model run, when the model could not fit, or for a past date. */
  clv: number | null;
  reachable: boolean;
}

/** The first customers a rule selects. */
export interface TargetGroupPreview {
  asOf: string;
  consentAttribute: string | null;
  customers: PreviewCustomer[];
}

/** Use case: the first `limit` present customers a rule selects, by contact key (byte order). */
export async function previewTargetGroup(
  app: TargetingApp,
  rule: unknown,
  options: { limit: number; asOf?: string },
): Promise<TargetGroupPreview> {
  const db = app.db.kysely;
  const asOf = options.asOf ?? todayIn(app.config.schedule.timeZone, app.clock);
  const prepared = await prepare(db, app.config, rule, asOf);
  const names = app.config.customers.attributes.map((a) => a.name);
  const columns = names.map((name) => sql`, ${sql.ref(`c.${name}`)}`);
  // The model history keeps no CLV: a past preview shows none.
  const clv = prepared.modelPast ? sql`null::float8` : sql`m.clv`;
  const result = await sql<Record<string, unknown>>`
    select c.contact_key, m.stage as nightjar_stage, ${clv} as nightjar_clv,
      ${reachableCondition(app.config)} as nightjar_reachable${sql.join(columns, sql``)}
    from ${prepared.from}
    where c.present and ${prepared.matches}
    order by c.contact_key collate "C"
    limit ${Math.max(0, Math.floor(options.limit))}::int`.execute(db);
  return {
    asOf,
    consentAttribute: consentAttribute(app.config),
    customers: result.rows.map((row) => ({
      contactKey: String(row.contact_key),
      attributes: Object.fromEntries(names.map((name) => [name, row[name] ?? null])),
      stage: (row.nightjar_stage as string | null) ?? null,
      clv: (row.nightjar_clv as number | null) ?? null,
      reachable: row.nightjar_reachable === true,
    })),
  };
}

/**
 * The contact keys a rule selects as of `asOf`, as a select of one column `contact_key` to
 * embed as a subquery (`where contact_key in (${members})`, or `with members as (${members})`):
 * present matching customers, only the reachable ones with `reachableOnly`. Validates first
 * (throwing RuleRefusedError); `groupId` refuses a reference back to that group.
 */
export async function memberQuery(
  db: Db,
  config: NightjarConfig,
  rule: unknown,
  options: { asOf: string; reachableOnly: boolean; groupId?: number },
): Promise<RawBuilder<{ contact_key: string }>> {
  const prepared = await prepare(db, config, rule, options.asOf, options.groupId);
  const reachable = options.reachableOnly ? sql` and ${reachableCondition(config)}` : sql``;
  return sql<{ contact_key: string }>`
    select c.contact_key from ${prepared.from}
    where c.present and ${prepared.matches}${reachable}`;
}
