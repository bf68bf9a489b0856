/**
 * An occurrence's frozen recipient list for export: every contact key with its group (test or
 * control) and, for the test group, the batch that carries it and that batch's state (a re-send's
 * batch, not the one it replaced). Read a batch (≤ 5000 keys) or a page of control keys at a
 * time, so a list of a million keys is never in memory at once.
 */
import type { App } from "../app.ts";
import { getCampaign } from "../campaigns/campaigns.ts";
import { NightjarError } from "../errors.ts";

/** Control keys read per query. */
const PAGE = 10_000;

/** The campaign has no such (frozen) occurrence. */
export class UnknownOccurrenceError extends NightjarError {
  override name = "UnknownOccurrenceError";
  override readonly kind = "not_found";
}

/** The list was deleted by retention: only its counts are left. */
export class PurgedListError extends NightjarError {
  override name = "PurgedListError";
  override readonly kind = "conflict";
}

/** One exported recipient. */
export interface RecipientRow {
  contactKey: string;
  group: "test" | "control";
  batchId: number | null;
  batchState: string | null;
}

/** The occurrence exported, and its rows (read as they are iterated). */
export interface RecipientsExport {
  occurrence: { id: number; campaignId: number; localDate: string; test: number; control: number };
  rows: AsyncIterable<RecipientRow>;
}

/**
 * Use case: the recipient list of campaign `campaignId`'s occurrence of `localDate` (Default: its
 * latest frozen occurrence); refused once retention deleted it.
 */
export async function recipientsExport(
  app: App,
  campaignId: number,
  options: { occurrence?: string | undefined } = {},
): Promise<RecipientsExport> {
  const campaign = await getCampaign(app, campaignId);
  const db = app.db.kysely;
  let query = db
    .selectFrom("campaign_occurrences")
    .select(["id", "local_date", "test", "control", "lists_purged_at"])
    .where("campaign_id", "=", campaignId)
    .orderBy("local_date", "desc")
    .limit(1);
  if (options.occurrence) query = query.where("local_date", "=", options.occurrence);
  const occurrence = await query.executeTakeFirst();
  if (!occurrence)
    throw new UnknownOccurrenceError(
      options.occurrence
        ? `campaign #${campaignId} "${campaign.name}" has no frozen occurrence on ${options.occurrence}`
        : `campaign #${campaignId} "${campaign.name}" has no frozen occurrence yet (its list is frozen by the nightly run that hands it over)`,
    );
  if (occurrence.lists_purged_at)
    throw new PurgedListError(
      `the recipient list of campaign #${campaignId}'s occurrence of ${occurrence.local_date} was deleted on ${occurrence.lists_purged_at.toISOString().slice(0, 10)} by retention (delivery.retentionDays = ${app.config.delivery.retentionDays}): only its counts are kept (${occurrence.test} test, ${occurrence.control} control)`,
    );
  const occurrenceId = occurrence.id;
  async function* rows(): AsyncGenerator<RecipientRow> {
    // The batches that carry the test group: a batch re-sent is carried by its re-send.
    const batches = await db
      .selectFrom("send_batches as b")
      .select(["b.id", "b.state"])
      .where("b.occurrence_id", "=", occurrenceId)
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom("send_batches as r").select("r.id").whereRef("r.resend_of", "=", "b.id"),
          ),
        ),
      )
      .orderBy("b.seq")
      .execute();
    for (const batch of batches) {
      const keys = await db
        .selectFrom("send_batches")
        .select("contact_keys")
        .where("id", "=", batch.id)
        .executeTakeFirstOrThrow();
      for (const contactKey of keys.contact_keys ?? [])
        yield { contactKey, group: "test", batchId: batch.id, batchState: batch.state };
    }
    let after = "";
    for (;;) {
      const page = await db
        .selectFrom("occurrence_recipients")
        .select("contact_key")
        .where("occurrence_id", "=", occurrenceId)
        .where("control", "=", true)
        .where("contact_key", ">", after)
        .orderBy("contact_key")
        .limit(PAGE)
        .execute();
      for (const r of page)
        yield { contactKey: r.contact_key, group: "control", batchId: null, batchState: null };
      const last = page[page.length - 1];
      if (!last || page.length < PAGE) return;
      after = last.contact_key;
    }
  }
  return {
    occurrence: {
      id: occurrence.id,
      campaignId,
      localDate: occurrence.local_date,
      test: occurrence.test,
      control: occurrence.control,
    },
    rows: rows(),
  };
}
