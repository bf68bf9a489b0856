/**
 * The target groups one customer is in: each saved group's rule evaluated for that contact key
 * alone, with the same member query the nightly plan builds its lists from.
 */
import { sql } from "kysely";
import type { App } from "../app.ts";
import { todayIn } from "../time/zones.ts";
import { memberQuery } from "./count.ts";
import { listTargetGroups } from "./target-groups.ts";
import { RuleRefusedError } from "./validate.ts";

/** A group the customer is in. */
export interface Membership {
  id: number;
  name: string;
  /** Whether a push can reach the customer (consent, no exclusion, not in the global control). */
  reachable: boolean;
}

/** Use case: the saved target groups `contactKey` is in as of `asOf` (Default: today in the schedule's zone), by name. */
export async function groupsOfCustomer(
  app: Pick<App, "db" | "config" | "clock">,
  contactKey: string,
  options: { asOf?: string } = {},
): Promise<{ asOf: string; groups: Membership[] }> {
  const db = app.db.kysely;
  const asOf = options.asOf ?? todayIn(app.config.schedule.timeZone, app.clock);
  const groups: Membership[] = [];
  for (const group of await listTargetGroups(db)) {
    let members: Awaited<ReturnType<typeof memberQuery>>;
    let reachable: Awaited<ReturnType<typeof memberQuery>>;
    try {
      members = await memberQuery(db, app.config, group.rule, { asOf, reachableOnly: false });
      reachable = await memberQuery(db, app.config, group.rule, { asOf, reachableOnly: true });
    } catch (error) {
      // A saved rule the config no longer accepts (an attribute dropped) selects nobody; the
      // group's own page says why.
      if (error instanceof RuleRefusedError) continue;
      throw error;
    }
    // The key's condition is pushed into the member query: one customer's rows, not a scan.
    const result = await sql<{ member: boolean; reachable: boolean }>`
      select exists (select 1 from (${members}) g where g.contact_key = ${contactKey}) as member,
        exists (select 1 from (${reachable}) g where g.contact_key = ${contactKey}) as reachable`.execute(
      db,
    );
    const row = result.rows[0];
    if (row?.member) groups.push({ id: group.id, name: group.name, reachable: row.reachable });
  }
  return { asOf, groups };
}
