/**
 * Retention: a recipient list and its batches' keys are kept `delivery.retentionDays` after the
 * occurrence's measurement window ends, then deleted; the occurrence keeps its counts and its
 * batches their states and tokenIds, so the analysis and the metrics stay. At a million
 * recipients a night the lists would otherwise grow without bound.
 */
import { sql } from "kysely";
import type { App } from "../app.ts";
import type { Db } from "../db/connect.ts";
import { inTransaction } from "../db/transaction.ts";
import { keepAnalyses } from "../metrics/analysis.ts";
import { addDays, todayIn } from "../time/zones.ts";

/** Use case: deletes the lists past their retention; answers what it deleted. */
export async function purgeExpiredLists(
  app: App,
): Promise<{ occurrences: number; recipients: number; batches: number }> {
  const today = todayIn(app.config.schedule.timeZone, app.clock);
  // The window ends `measurement_days` after the send date; the list is kept that much longer.
  const cutoff = addDays(today, -app.config.delivery.retentionDays);
  const dueIds = async (db: Db) =>
    (
      await sql<{ id: number }>`
        select id from campaign_occurrences
        where lists_purged_at is null and state in ('delivered', 'delivered_with_problems')
          and local_date + measurement_days < ${cutoff}::date`.execute(db)
    ).rows.map((r) => r.id);
  // The analysis is computed from the list: it is kept first, and only a list whose analysis is
  // kept is deleted.
  await keepAnalyses(app, await dueIds(app.db.kysely));
  return inTransaction(app.db.kysely, { locks: ["deliveryTables"] }, async (trx) => {
    const due = await dueIds(trx);
    const kept = new Set(
      due.length === 0
        ? []
        : (
            await trx
              .selectFrom("occurrence_analyses")
              .select("occurrence_id")
              .where("occurrence_id", "in", due)
              .where(sql<boolean>`(analysis -> 'figures' ->> 'complete') = 'true'`)
              .execute()
          ).map((r) => r.occurrence_id),
    );
    const ids = due.filter((id) => kept.has(id));
    if (ids.length === 0) return { occurrences: 0, recipients: 0, batches: 0 };
    const recipients = await trx
      .deleteFrom("occurrence_recipients")
      .where("occurrence_id", "in", ids)
      .executeTakeFirst();
    const batches = await trx
      .updateTable("send_batches")
      .set({ contact_keys: null })
      .where("occurrence_id", "in", ids)
      .executeTakeFirst();
    await trx
      .updateTable("campaign_occurrences")
      .set({ lists_purged_at: app.clock.now() })
      .where("id", "in", ids)
      .execute();
    return {
      occurrences: ids.length,
      recipients: Number(recipients.numDeletedRows),
      batches: Number(batches.numUpdatedRows),
    };
  });
}
