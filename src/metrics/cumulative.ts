/**
 * The cumulative response of both groups over an occurrence's measurement window: per day of
 * the window (calendar days in the campaign's zone), the share of each group that has bought by
 * the end of that day. One query over the frozen list, grouped by each customer's first purchase
 * day in the window.
 */
import { sql } from "kysely";
import type { Db } from "../db/connect.ts";
import { addDays } from "../time/zones.ts";

/** One day of the window: the shares (fractions) of each group that have responded so far. */
export interface CumulativeDay {
  day: number;
  date: string;
  test: number | null;
  control: number | null;
}

/** Per day of the window [from, from + days), the cumulative response of test and control. */
export async function cumulativeResponse(
  db: Db,
  occurrenceId: number,
  window: { from: Date; to: Date; firstDay: string; days: number; zone: string },
): Promise<CumulativeDay[]> {
  const rows = await sql<{ control: boolean; first_day: string | null; customers: number }>`
    with per_customer as (
      select r.control,
        (min(t.occurred_at) filter (where t.is_purchase) at time zone ${window.zone})::date as first_day
      from occurrence_recipients r
      left join transactions t on t.contact_key = r.contact_key
        and t.occurred_at >= ${window.from} and t.occurred_at < ${window.to}
      where r.occurrence_id = ${occurrenceId}
      group by r.contact_key, r.control
    )
    select control, to_char(first_day, 'YYYY-MM-DD') as first_day, count(*)::integer as customers
    from per_customer group by control, first_day`.execute(db);
  const size = { test: 0, control: 0 };
  const firsts = { test: new Map<string, number>(), control: new Map<string, number>() };
  for (const row of rows.rows) {
    const group = row.control ? "control" : "test";
    size[group] += row.customers;
    if (row.first_day !== null) firsts[group].set(row.first_day, row.customers);
  }
  const sofar = { test: 0, control: 0 };
  const days: CumulativeDay[] = [];
  for (let i = 0; i < window.days; i++) {
    const date = addDays(window.firstDay, i);
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
