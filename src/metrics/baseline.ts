/**
 * The response rate a campaign's target group shows without the push: the share of its reachable
 * members who bought in the `measurementDays` before a date. The minimum detectable uplift of the
 * plan and of the campaign builder is computed from it.
 */
import { sql } from "kysely";
import type { App } from "../app.ts";
import { memberQuery } from "../targeting/count.ts";
import { addDays, startOfLocalDay } from "../time/zones.ts";

/** The group's response rate over the `measurementDays` before `date`; null for no members. */
export async function groupResponseRate(
  app: App,
  rule: unknown,
  date: string,
  campaign: { measurementDays: number; timeZone: string },
): Promise<number | null> {
  const db = app.db.kysely;
  const members = await memberQuery(db, app.config, rule, { asOf: date, reachableOnly: true });
  const from = startOfLocalDay(addDays(date, -campaign.measurementDays), campaign.timeZone);
  const to = startOfLocalDay(date, campaign.timeZone);
  const result = await sql<{ members: number; responders: number }>`
    select count(*)::integer as members,
      (count(*) filter (where exists (
        select 1 from transactions t where t.contact_key = m.contact_key and t.is_purchase
          and t.occurred_at >= ${from} and t.occurred_at < ${to})))::integer as responders
    from (${members}) m`.execute(db);
  const row = result.rows[0];
  return !row || row.members === 0 ? null : row.responders / row.members;
}
