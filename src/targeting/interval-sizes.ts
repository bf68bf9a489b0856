/**
 * Daily sizes by interval arithmetic, for a rule whose answer for a customer changes only when
 * one of its versions does (attributes, presence, lifecycle stage, segment — no leaf counted
 * from the day itself): every customer version is cut into its overlaps with the customer's model
 * versions and with the gaps between them, each piece is matched once, and a piece that matches adds +1 on its first day and −1
 * after its last; a running sum over the days gives every day's size. The cost follows the
 * number of versions, not days × customers.
 */
import { type RawBuilder, sql } from "kysely";
import type { NightjarConfig } from "../config/schema.ts";
import type { Db } from "../db/connect.ts";
import { inTransaction } from "../db/transaction.ts";
import { addDays } from "../time/zones.ts";
import { reachableCondition } from "./reachable.ts";

const DAY_RELATIVE_OPS = new Set(["within_last_days", "more_than_days_ago"]);

/**
 * Whether the rule's answer can change from one day to the next without any version changing:
 * a leaf counted from the day (`within_last_days`, `purchased`, `stageChanged`, …), here or in a
 * group it includes.
 */
export async function dependsOnDay(
  rule: unknown,
  loadGroupRule: (id: number) => Promise<unknown | null>,
  seen = new Set<number>(),
): Promise<boolean> {
  if (Array.isArray(rule)) {
    for (const part of rule) if (await dependsOnDay(part, loadGroupRule, seen)) return true;
    return false;
  }
  if (!rule || typeof rule !== "object") return false;
  const node = rule as Record<string, unknown>;
  if ("purchased" in node || "notPurchased" in node || "stageChanged" in node) return true;
  if (typeof node.op === "string" && DAY_RELATIVE_OPS.has(node.op)) return true;
  if (typeof node.inTargetGroup === "number") {
    if (seen.has(node.inTargetGroup)) return false;
    seen.add(node.inTargetGroup);
    return dependsOnDay(await loadGroupRule(node.inTargetGroup), loadGroupRule, seen);
  }
  for (const key of ["all", "any", "not"])
    if (key in node && (await dependsOnDay(node[key], loadGroupRule, seen))) return true;
  return false;
}

/**
 * The sizes of [from, to] of a day-independent rule, compiled (`matches`) over the aliases `c`
 * (a customer version) and `m` (a model version).
 */
export async function sizesByIntervals(
  db: Db,
  config: NightjarConfig,
  matches: RawBuilder<boolean>,
  range: { from: string; to: string },
): Promise<{ date: string; total: number; reachable: number }[]> {
  const { attributes } = config.customers;
  const end = addDays(range.to, 1);
  const current = attributes.map((a) => sql`, cu.${sql.id(a.name)}`);
  const earlier = attributes.map((a) => sql`, h.${sql.id(a.name)}`);
  // One statement over every version: compiling it (JIT) costs more than it saves.
  const query = sql<{ date: string; total: number; reachable: number }>`
    with cv as (
      select cu.contact_key, cu.present, cu.first_seen_on${sql.join(current, sql``)},
        cu.valid_from as vf, 'infinity'::date as vt
      from customers cu where cu.valid_from < ${end}::date
      union all
      select h.contact_key, h.present, cu.first_seen_on${sql.join(earlier, sql``)}, h.valid_from, h.valid_to
      from customer_history h join customers cu on cu.contact_key = h.contact_key
      where h.valid_from < ${end}::date and h.valid_to > ${range.from}::date
    ),
    mv as (
      select contact_key, stage, stage_since, segment, valid_from as vf, 'infinity'::date as vt
      from customer_model where valid_from < ${end}::date
      union all
      select contact_key, stage, stage_since, segment, valid_from, valid_to
      from customer_model_history where valid_from < ${end}::date and valid_to > ${range.from}::date
    ),
    -- When a customer has no model version: before its first, between two, after its last.
    model_gaps as (
      select contact_key, '-infinity'::date as gf, min(vf) as gt from mv group by contact_key
      union all
      select contact_key, vt, coalesce(next_vf, 'infinity'::date)
      from (select contact_key, vt, lead(vf) over (partition by contact_key order by vf) as next_vf from mv) x
      where vt < coalesce(next_vf, 'infinity'::date)
    ),
    -- Every customer version cut into its overlaps with the model versions and the gaps.
    pieces as (
      select c.*, m.stage, m.stage_since, m.segment,
        greatest(c.vf, m.vf, ${range.from}::date) as starts,
        least(c.vt, m.vt, ${end}::date) as ends
      from cv c join mv m on m.contact_key = c.contact_key and m.vf < c.vt and m.vt > c.vf
      union all
      select c.*, null, null, null,
        greatest(c.vf, g.gf, ${range.from}::date), least(c.vt, g.gt, ${end}::date)
      from cv c join model_gaps g on g.contact_key = c.contact_key and g.gf < c.vt and g.gt > c.vf
      union all
      select c.*, null, null, null, greatest(c.vf, ${range.from}::date), least(c.vt, ${end}::date)
      from cv c where not exists (select 1 from mv where mv.contact_key = c.contact_key)
    ),
    matched as (
      select c.starts, c.ends, ${reachableCondition(config)} as reachable
      from pieces c
      left join lateral (select c.stage, c.stage_since, c.segment) m on true
      where c.starts < c.ends and c.present and ${matches}
    ),
    steps as (
      select starts as day, 1 as total, case when reachable then 1 else 0 end as reachable from matched
      union all
      select ends, -1, case when reachable then -1 else 0 end from matched
    ),
    daily as (select day, sum(total) as total, sum(reachable) as reachable from steps group by day)
    select g::date::text as date,
      coalesce(sum(daily.total) over w, 0)::integer as total,
      coalesce(sum(daily.reachable) over w, 0)::integer as reachable
    from generate_series(${range.from}::date, ${range.to}::date, interval '1 day') g
    left join daily on daily.day = g::date
    window w as (order by g rows between unbounded preceding and current row)
    order by g`;
  const result = await inTransaction(db, { jit: false }, (trx) => query.execute(trx));
  return result.rows;
}
