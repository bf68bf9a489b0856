/**
 * The sums the analysis needs of a frozen recipient list, taken in SQL so that a million
 * recipients never travel to the application: per group (test, control) the customers, the
 * responders in the measurement window, and the sums of Y (net revenue in the window), X (net
 * revenue in the pre-period), Y², X², XY; and the cumulative response, per day of the window the share of each group that has bought by then.
 * All of it comes from one statement, so the list and its transactions are read once.
 */
import { sql } from "kysely";
import type { Db } from "../db/connect.ts";
import { addDays } from "../time/zones.ts";
import type { GroupMoments } from "./stats.ts";

/** Half-open intervals of instants: [from, to). */
export interface AnalysisPeriods {
  window: { from: Date; to: Date };
  preperiod: { from: Date; to: Date };
}

/** The window's calendar days (in the campaign's zone) that the cumulative series runs over. */
export interface WindowDays {
  /** The send date: day 1 of the window. */
  firstDay: string;
  days: number;
  zone: string;
}

/** One day of the window: the shares (fractions) of each group that have responded so far. */
export interface CumulativeDay {
  day: number;
  date: string;
  test: number | null;
  control: number | null;
}

const EMPTY: GroupMoments = {
  customers: 0,
  responders: 0,
  revenue: 0,
  revenueSquares: 0,
  preRevenue: 0,
  preRevenueSquares: 0,
  revenueTimesPre: 0,
};

/**
 * The test and control sums of an occurrence's frozen list over the periods, and the cumulative
 * response of both groups per day of the window.
 */
export async function occurrenceGroupSums(
  db: Db,
  occurrenceId: number,
  periods: AnalysisPeriods,
  windowDays: WindowDays,
): Promise<{ test: GroupMoments; control: GroupMoments; cumulative: CumulativeDay[] }> {
  const { window: w, preperiod: p } = periods;
  const earliest = new Date(Math.min(p.from.getTime(), w.from.getTime()));
  const latest = new Date(Math.max(w.to.getTime(), p.to.getTime()));
  // One row per group and first purchase day in the window (null: no purchase in it), each with
  // its group's totals. The per-customer sums are added up per day first and the days per group
  // after, both in numeric (exact), so the totals are those of summing the customers at once.
  // Handed over as text: revenue squares of a million customers are past what a double adds up
  // without loss.
  const rows = await sql<{
    control: boolean;
    first_day: string | null;
    day_customers: number;
    customers: number;
    responders: number | null;
    y: string | null;
    yy: string | null;
    x: string | null;
    xx: string | null;
    xy: string | null;
  }>`
    with per_customer as (
      select r.control,
        coalesce(sum(t.amount) filter (where t.occurred_at >= ${w.from} and t.occurred_at < ${w.to}), 0) as y,
        coalesce(sum(t.amount) filter (where t.occurred_at >= ${p.from} and t.occurred_at < ${p.to}), 0) as x,
        (min(t.occurred_at) filter (where t.is_purchase and t.occurred_at >= ${w.from} and t.occurred_at < ${w.to})
          at time zone ${windowDays.zone})::date as first_day
      from occurrence_recipients r
      left join transactions t on t.contact_key = r.contact_key
        and t.occurred_at >= ${earliest} and t.occurred_at < ${latest}
      where r.occurrence_id = ${occurrenceId}
      group by r.contact_key, r.control
    ),
    per_day as (
      select control, first_day, count(*) as customers,
        sum(y) as y, sum(y * y) as yy, sum(x) as x, sum(x * x) as xx, sum(x * y) as xy
      from per_customer group by control, first_day
    )
    select control, to_char(first_day, 'YYYY-MM-DD') as first_day,
      customers::integer as day_customers,
      (sum(customers) over g)::integer as customers,
      (sum(customers) filter (where first_day is not null) over g)::integer as responders,
      (sum(y) over g)::text as y, (sum(yy) over g)::text as yy, (sum(x) over g)::text as x,
      (sum(xx) over g)::text as xx, (sum(xy) over g)::text as xy
    from per_day window g as (partition by control)`.execute(db);
  const sums = { test: { ...EMPTY }, control: { ...EMPTY } };
  const firsts = { test: new Map<string, number>(), control: new Map<string, number>() };
  for (const row of rows.rows) {
    const group = row.control ? "control" : "test";
    if (row.first_day !== null) firsts[group].set(row.first_day, row.day_customers);
    // Every row of a group carries the same totals.
    sums[group] = {
      customers: row.customers,
      // Null when none of the group bought in the window (a sum over no day).
      responders: row.responders ?? 0,
      revenue: Number(row.y ?? 0),
      revenueSquares: Number(row.yy ?? 0),
      preRevenue: Number(row.x ?? 0),
      preRevenueSquares: Number(row.xx ?? 0),
      revenueTimesPre: Number(row.xy ?? 0),
    };
  }
  return { ...sums, cumulative: cumulativeSeries(windowDays, sums, firsts) };
}

/** Per day of the window, the share of each group whose first purchase in it is by that day. */
function cumulativeSeries(
  windowDays: WindowDays,
  sums: { test: GroupMoments; control: GroupMoments },
  firsts: { test: Map<string, number>; control: Map<string, number> },
): CumulativeDay[] {
  const size = { test: sums.test.customers, control: sums.control.customers };
  const sofar = { test: 0, control: 0 };
  const days: CumulativeDay[] = [];
  for (let i = 0; i < windowDays.days; i++) {
    const date = addDays(windowDays.firstDay, i);
    sofar.test += firsts.test.get(date) ?? 0;
    sofar.control += firsts.control.get(date) ?? 0;
    days.push({
      day: i + 1,
      date,
      test: size.test === 0 ? null : sofar.test / size.test,
      control: size.control === 0 ? null : sofar.control / size.control,
    });
  }
  return days;
}
