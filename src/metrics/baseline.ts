/**
 * The response rate a campaign's target group shows without the push: the share of its reachable
 * members who bought in the `measurementDays` before a date. The minimum detectable uplift of the
 * plan and of the campaign builder is computed from it.
 */
import { sql } from "kysely";
import type { App } from "../app.ts";
import { memberQuery } from "../targeting/count.ts";
import { RuleRefusedError } from "../targeting/validate.ts";
import { addDays, startOfLocalDay } from "../time/zones.ts";

/**
 * The group's response rate over the `measurementDays` before `date`: of the reachable members
 * the group had when that window began, the share who bought in it — the group as it then stood,
 * since today's members of a recency rule ("at risk", "lapsed") are by definition those who did
 * not buy lately. When the rule cannot be read for that date (a field the history does not keep)
 * or the group had no members then, today's members are measured instead. Null for no members.
 */
export async function groupResponseRate(
  app: App,
  rule: unknown,
  date: string,
  campaign: { measurementDays: number; timeZone: string },
): Promise<number | null> {
  const windowStart = addDays(date, -campaign.measurementDays);
  const window = {
    from: startOfLocalDay(windowStart, campaign.timeZone),
    to: startOfLocalDay(date, campaign.timeZone),
  };
  try {
    const then = await responseRate(app, rule, windowStart, window);
    if (then !== null) return then;
  } catch (error) {
    if (!(error instanceof RuleRefusedError)) throw error;
  }
  return responseRate(app, rule, date, window);
}

async function responseRate(
  app: App,
  rule: unknown,
  asOf: string,
  window: { from: Date; to: Date },
): Promise<number | null> {
  const db = app.db.kysely;
  const members = await memberQuery(db, app.config, rule, { asOf, reachableOnly: true });
  const result = await sql<{ members: number; responders: number }>`
    select count(*)::integer as members,
      (count(*) filter (where exists (
        select 1 from transactions t where t.contact_key = m.contact_key and t.is_purchase
          and t.occurred_at >= ${window.from} and t.occurred_at < ${window.to})))::integer as responders
    from (${members}) m`.execute(db);
  const row = result.rows[0];
  return !row || row.members === 0 ? null : row.responders / row.members;
}
