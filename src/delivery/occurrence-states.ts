/**
 * Occurrence states from their batches: `frozen` → `delivering` (a batch handed over) →
 * `delivered` (every batch sent) or `delivered_with_problems` (every batch settled, some failed,
 * unknown, expired or abandoned — but not one abandoned for a re-send, which counts as the
 * re-send does). A `once` campaign becomes `completed` when its occurrence
 * leaves `delivering`.
 */
import { sql } from "kysely";
import type { App } from "../app.ts";
import { recordChange } from "../audit/audit.ts";
import { inTransaction } from "../db/transaction.ts";

/** The actor of what the nightly run changes by itself. */
export const NIGHTLY_RUN_ACTOR = { label: "system:nightly-run", userId: null } as const;

/** Use case: settles the occurrences of the runs up to `date` whose batches are all settled. */
export async function settleOccurrences(app: App, date: string): Promise<void> {
  await inTransaction(app.db.kysely, { locks: ["deliveryTables"] }, async (trx) => {
    const now = app.clock.now();
    const settled = await sql<{ id: number; campaign_id: number; state: string }>`
      with states as (
        select o.id, o.campaign_id,
          count(b.id) filter (where b.state in ('planned', 'sending')) as open,
          -- A batch abandoned for its re-send is settled by that re-send's own state.
          count(b.id) filter (where b.state <> 'sent' and not exists (
            select 1 from send_batches r where r.resend_of = b.id)) as problems
        from campaign_occurrences o left join send_batches b on b.occurrence_id = o.id
        where o.run_date <= ${date}::date and o.state <> 'delivered' and o.lists_purged_at is null
        group by o.id, o.campaign_id
      )
      update campaign_occurrences o
      set state = case when s.problems = 0 then 'delivered' else 'delivered_with_problems' end,
        finished_at = ${now}
      from states s
      where o.id = s.id and s.open = 0
        and o.state <> case when s.problems = 0 then 'delivered' else 'delivered_with_problems' end
      returning o.id, o.campaign_id, o.state`.execute(trx);
    const campaignIds = [...new Set(settled.rows.map((r) => r.campaign_id))];
    if (campaignIds.length === 0) return;
    const once = await trx
      .selectFrom("campaigns")
      .select(["id", "status"])
      .where("id", "in", campaignIds)
      .where(sql<boolean>`schedule->>'type' = 'once'`)
      .where("status", "in", ["scheduled", "paused"])
      .execute();
    for (const campaign of once) {
      await trx
        .updateTable("campaigns")
        .set({ status: "completed", updated_at: now })
        .where("id", "=", campaign.id)
        .execute();
      await recordChange(trx, app.clock, NIGHTLY_RUN_ACTOR, {
        entity: "campaign",
        entityId: campaign.id,
        action: "complete",
        before: { status: campaign.status },
        after: { status: "completed" },
      });
    }
  });
}
