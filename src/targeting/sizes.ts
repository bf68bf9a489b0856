/**
 * A rule's daily sizes over past days, from the histories. A rule whose answer changes only with
 * the customers' versions is computed by interval arithmetic over the validity intervals
 * (interval-sizes.ts); one with a leaf counted from the day itself (`within_last_days`,
 * `purchased`, …) joins a series of days to the versions valid on each.
 */
import { sql } from "kysely";
import type { NightjarConfig } from "../config/schema.ts";
import type { Db } from "../db/connect.ts";
import { NightjarError } from "../errors.ts";
import { daysBetween, isCalendarDate } from "../time/zones.ts";
import { compileRule } from "./compile.ts";
import { groupRuleLoader } from "./count.ts";
import { dependsOnDay, sizesByIntervals } from "./interval-sizes.ts";
import { reachableCondition } from "./reachable.ts";
import { customerSource, modelSource } from "./sources.ts";
import { RuleRefusedError, validateRule } from "./validate.ts";

/** At most this many days in one computation. */
export const MAX_SIZE_DAYS = 400;

/** A rule's size on one day. */
export interface SizeOnDate {
  date: string;
  total: number;
  reachable: number;
}

/**
 * The rule's size (present matching customers, and the reachable ones) on every day of
 * [from, to]. Always evaluated from the histories, so a rule on a score the model history does
 * not keep (p_alive, clv, …) is refused (RuleRefusedError), whatever the dates.
 */
export async function computeSizes(
  db: Db,
  app: { config: NightjarConfig },
  rule: unknown,
  range: { from: string; to: string; groupId?: number },
): Promise<SizeOnDate[]> {
  const { from, to } = range;
  if (!isCalendarDate(from) || !isCalendarDate(to) || from > to)
    throw new NightjarError(`not a range of dates (YYYY-MM-DD, from <= to): ${from} to ${to}`);
  if (daysBetween(from, to) + 1 > MAX_SIZE_DAYS)
    throw new NightjarError(`at most ${MAX_SIZE_DAYS} days of sizes at once: ${from} to ${to}`);
  const { config } = app;
  const { attributes } = config.customers;
  const loadGroupRule = groupRuleLoader(db);
  const checked = await validateRule(rule, {
    attributes,
    loadGroupRule,
    asOfPast: true,
    ...(range.groupId === undefined ? {} : { groupId: range.groupId }),
  });
  if (!checked.ok) throw new RuleRefusedError(checked.problems);
  if (!(await dependsOnDay(checked.rule, loadGroupRule))) {
    // The rule reads no day-counted leaf: its answer changes only with the versions.
    const matches = await compileRule(checked.rule, {
      attributes,
      asOf: from,
      timeZone: config.schedule.timeZone,
      loadGroupRule,
    });
    return sizesByIntervals(db, config, matches, { from, to });
  }
  const day = sql`d.day`;
  const matches = await compileRule(checked.rule, {
    attributes,
    asOf: from,
    asOfSql: day,
    timeZone: config.schedule.timeZone,
    loadGroupRule,
  });
  // Lateral: each day reads the versions valid on it; a day without customers still counts 0.
  const result = await sql<{ date: string; total: number; reachable: number }>`
    select d.day::text as date,
      count(*) filter (where c.present and ${matches}) as total,
      count(*) filter (where c.present and ${matches} and ${reachableCondition(config)}) as reachable
    from (
      select g::date as day
      from generate_series(${from}::date, ${to}::date, interval '1 day') g
    ) d
    left join lateral ${customerSource(attributes, true, day)} on true
    left join lateral ${modelSource(true, day)} on m.contact_key = c.contact_key
    group by d.day
    order by d.day`.execute(db);
  return result.rows.map((row) => ({
    date: row.date,
    total: Number(row.total),
    reachable: Number(row.reachable),
  }));
}
