/**
 * The sums the analysis needs of a frozen recipient list, taken in SQL so that a million
 * recipients never travel to the application: per group (test, control) the customers, the
 * responders in the measurement window, and the sums of Y (net revenue in the window), X (net
 * revenue in the pre-period), Y², X², XY; and the responders of the measurement-length window
 * before the send (the response rate the minimum detectable uplift is computed from).
 */
import { sql } from "kysely";
import type { Db } from "../db/connect.ts";
import type { GroupMoments } from "./stats.ts";

/** Half-open intervals of instants: [from, to). */
export interface AnalysisPeriods {
  window: { from: Date; to: Date };
  preperiod: { from: Date; to: Date };
  /** The `measurementDays` before the send date. */
  before: { from: Date; to: Date };
}

/** The moments of one group, and how many of it bought in the window before the send. */
export interface GroupSums extends GroupMoments {
  respondersBefore: number;
}

const EMPTY: GroupSums = {
  customers: 0,
  responders: 0,
  revenue: 0,
  revenueSquares: 0,
  preRevenue: 0,
  preRevenueSquares: 0,
  revenueTimesPre: 0,
  respondersBefore: 0,
};

/** The test and control sums of an occurrence's frozen list over the periods. */
export async function occurrenceGroupSums(
  db: Db,
  occurrenceId: number,
  periods: AnalysisPeriods,
): Promise<{ test: GroupSums; control: GroupSums }> {
  const { window: w, preperiod: p, before: b } = periods;
  const earliest = new Date(Math.min(p.from.getTime(), b.from.getTime()));
  const latest = new Date(Math.max(w.to.getTime(), p.to.getTime(), b.to.getTime()));
  // Sums in numeric (exact), handed over as text: revenue squares of a million customers are
  // past what a double adds up without loss.
  const rows = await sql<{
    control: boolean;
    customers: number;
    responders: number;
    responders_before: number;
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
        coalesce(bool_or(t.is_purchase) filter (where t.occurred_at >= ${w.from} and t.occurred_at < ${w.to}), false) as responded,
        coalesce(bool_or(t.is_purchase) filter (where t.occurred_at >= ${b.from} and t.occurred_at < ${b.to}), false) as responded_before
      from occurrence_recipients r
      left join transactions t on t.contact_key = r.contact_key
        and t.occurred_at >= ${earliest} and t.occurred_at < ${latest}
      where r.occurrence_id = ${occurrenceId}
      group by r.contact_key, r.control
    )
    select control, count(*)::integer as customers,
      (count(*) filter (where responded))::integer as responders,
      (count(*) filter (where responded_before))::integer as responders_before,
      sum(y)::text as y, sum(y * y)::text as yy, sum(x)::text as x, sum(x * x)::text as xx,
      sum(x * y)::text as xy
    from per_customer group by control`.execute(db);
  const sums = { test: { ...EMPTY }, control: { ...EMPTY } };
  for (const row of rows.rows)
    sums[row.control ? "control" : "test"] = {
      customers: row.customers,
      responders: row.responders,
      respondersBefore: row.responders_before,
      revenue: Number(row.y ?? 0),
      revenueSquares: Number(row.yy ?? 0),
      preRevenue: Number(row.x ?? 0),
      preRevenueSquares: Number(row.xx ?? 0),
      revenueTimesPre: Number(row.xy ?? 0),
    };
  return sums;
}
