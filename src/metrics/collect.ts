/**
 * The daily collection of send metrics: SFMC's delivery report (`GET …/deliveries/{tokenId}`) of
 * every sent batch, once a day for a week after its send date, stored per batch and day in
 * `batch_deliveries`. Day k is the collection made on the send date + k (in
 * `schedule.timeZone`); after day 7 a batch is never asked again. A failed call is kept as a
 * failed row of its day and asked again at the next collection; it never fails the collection.
 */
import { sql } from "kysely";
import pLimit, { type LimitFunction } from "p-limit";
import { type App, sfmcClientOfUnit } from "../app.ts";
import { UnknownCampaignError } from "../campaigns/campaigns.ts";
import { coerceError, NightjarError } from "../errors.ts";
import type { Deliveries } from "../sfmc/client.ts";
import { todayIn } from "../time/zones.ts";

/**
 * A collection as of a date after today: its rows would stand for days that have not come, and
 * the day's real collection would then find nothing due.
 */
export class FutureCollectionError extends NightjarError {
  override name = "FutureCollectionError";
  override readonly kind = "refused";
}

/** The days after the send date on which a batch's report is collected (1 … 7). */
export const COLLECTION_DAYS = 7;

export interface CollectionOptions {
  /** The collection date (Default: today in `schedule.timeZone`). */
  date?: string | undefined;
  /** Only this campaign's batches. */
  campaignId?: number | undefined;
  /**
   * Every sent batch of the last week (send date … + 7, the send date itself too) asked again
   * now, its row of the day overwritten, whether or not it was collected today.
   */
  now?: boolean | undefined;
  /** Told after each call: calls done, calls in all. */
  onProgress?: (done: number, total: number) => void;
  /** Starts no further call (those in flight finish). */
  signal?: AbortSignal | undefined;
}

/** A call that failed: kept as a failed row of its day, asked again at the next collection. */
export interface CollectionFailure {
  batchId: number;
  campaignId: number;
  occurrenceId: number;
  day: number;
  error: string;
}

/** What one collection did, in all and per day after the send date. */
export interface MetricsCollection {
  date: string;
  /** Batches whose report was due (or, with `now`, asked again). */
  due: number;
  collected: number;
  failed: number;
  byDay: { day: number; due: number; collected: number; failed: number }[];
  failures: CollectionFailure[];
}

/** A sent batch whose report is due today. */
interface DueBatch {
  batchId: number;
  occurrenceId: number;
  campaignId: number;
  businessUnit: string;
  messageId: string;
  tokenId: string;
  day: number;
}

/** The batches to ask on `date`, with the day after their send date each answer is kept as. */
async function dueBatches(app: App, date: string, options: CollectionOptions): Promise<DueBatch[]> {
  const first = options.now ? 0 : 1;
  // A refresh asks every batch of the window again; otherwise a day answered is never asked again.
  const unanswered = options.now ? sql`` : sql`and d.ok is not true`;
  const campaign =
    options.campaignId === undefined
      ? sql``
      : sql`and o.campaign_id = ${options.campaignId}::integer`;
  const rows = await sql<{
    batch_id: number;
    occurrence_id: number;
    campaign_id: number;
    business_unit: string;
    message_id: string;
    token_id: string;
    day: number;
  }>`
    select b.id as batch_id, b.occurrence_id, o.campaign_id, o.business_unit, o.message_id, b.token_id,
      (${date}::date - o.local_date)::integer as day
    from send_batches b
    join campaign_occurrences o on o.id = b.occurrence_id
    left join batch_deliveries d on d.batch_id = b.id and d.day = ${date}::date - o.local_date
    where b.state = 'sent' and b.token_id is not null
      and o.local_date between ${date}::date - ${COLLECTION_DAYS}::integer and ${date}::date - ${first}::integer
      ${unanswered} ${campaign}
    order by o.local_date, o.campaign_id, b.seq`.execute(app.db.kysely);
  return rows.rows.map((r) => ({
    batchId: r.batch_id,
    occurrenceId: r.occurrence_id,
    campaignId: r.campaign_id,
    businessUnit: r.business_unit,
    messageId: r.message_id,
    tokenId: r.token_id,
    day: r.day,
  }));
}

type Answer = { ok: true; deliveries: Deliveries } | { ok: false; error: string };

/** One batch's report, or why it could not be had (the client's messages carry no secret). */
async function ask(app: App, batch: DueBatch): Promise<Answer> {
  const client = sfmcClientOfUnit(app, batch.businessUnit);
  if (!client)
    return {
      ok: false,
      error: `business unit ${batch.businessUnit} is no longer configured (sfmc.accounts[].businessUnits): its report cannot be asked for`,
    };
  try {
    const deliveries = await client.client.getDeliveries(
      batch.businessUnit,
      batch.messageId,
      batch.tokenId,
    );
    return { ok: true, deliveries };
  } catch (error) {
    return { ok: false, error: app.vault.redact(coerceError(error).message) };
  }
}

/** Writes the answer as the batch's row of its day; a failure never overwrites an answer. */
async function store(app: App, batch: DueBatch, answer: Answer): Promise<void> {
  const values = answer.ok
    ? {
        ok: true,
        sfmc_status: answer.deliveries.status ?? null,
        count: answer.deliveries.count,
        sfmc_created_at: answer.deliveries.createdAt,
        sfmc_scheduled_at: answer.deliveries.scheduledAt,
        sfmc_completed_at: answer.deliveries.completedAt,
        error: null,
      }
    : {
        ok: false,
        sfmc_status: null,
        count: null,
        sfmc_created_at: null,
        sfmc_scheduled_at: null,
        sfmc_completed_at: null,
        error: answer.error,
      };
  const row = { batch_id: batch.batchId, day: batch.day, collected_at: app.clock.now(), ...values };
  await app.db.kysely
    .insertInto("batch_deliveries")
    .values(row)
    .onConflict((oc) =>
      oc
        .columns(["batch_id", "day"])
        .doUpdateSet((eb) => ({
          collected_at: eb.ref("excluded.collected_at"),
          ok: eb.ref("excluded.ok"),
          sfmc_status: eb.ref("excluded.sfmc_status"),
          count: eb.ref("excluded.count"),
          sfmc_created_at: eb.ref("excluded.sfmc_created_at"),
          sfmc_scheduled_at: eb.ref("excluded.sfmc_scheduled_at"),
          sfmc_completed_at: eb.ref("excluded.sfmc_completed_at"),
          error: eb.ref("excluded.error"),
          attempts: eb("batch_deliveries.attempts", "+", 1),
        }))
        // A refresh (`now`) that fails keeps the day's answer: SFMC's word stays the latest.
        .where((eb) =>
          eb.or([eb("batch_deliveries.ok", "=", false), eb("excluded.ok", "=", true)]),
        ),
    )
    .execute();
}

/**
 * Use case: collects the delivery reports due on the collection date (with `now`, every report
 * of the last week again). Calls go out a few at a time per SFMC account (its `maxInFlight`),
 * accounts in parallel; a failed call is recorded and answered in `failures`, never thrown.
 */
export async function collectSendMetrics(
  app: App,
  options: CollectionOptions = {},
): Promise<MetricsCollection> {
  const today = todayIn(app.config.schedule.timeZone, app.clock);
  const date = options.date ?? today;
  if (date > today)
    throw new FutureCollectionError(
      `cannot collect send metrics as of ${date}: it is after today (${today} in schedule.timeZone)`,
    );
  if (options.campaignId !== undefined) {
    const campaign = await app.db.kysely
      .selectFrom("campaigns")
      .select("id")
      .where("id", "=", options.campaignId)
      .executeTakeFirst();
    if (!campaign) throw new UnknownCampaignError(`no campaign #${options.campaignId}`);
  }
  const due = await dueBatches(app, date, options);
  const result: MetricsCollection = {
    date,
    due: due.length,
    collected: 0,
    failed: 0,
    byDay: [],
    failures: [],
  };
  const days = new Map<number, MetricsCollection["byDay"][number]>();
  for (const batch of due) {
    const day = days.get(batch.day) ?? { day: batch.day, due: 0, collected: 0, failed: 0 };
    day.due += 1;
    days.set(batch.day, day);
  }
  result.byDay = [...days.values()].sort((a, b) => a.day - b.day);
  // One limit per account, as the account's sends have: its calls share its API limits.
  const limits = new Map<string, LimitFunction>();
  const limitOf = (batch: DueBatch) => {
    const client = sfmcClientOfUnit(app, batch.businessUnit);
    const key = client?.account.clientId ?? "";
    let limit = limits.get(key);
    if (!limit) {
      limit = pLimit(client?.account.maxInFlight ?? 1);
      limits.set(key, limit);
    }
    return limit;
  };
  let done = 0;
  options.onProgress?.(0, due.length);
  await Promise.all(
    due.map((batch) =>
      limitOf(batch)(async () => {
        if (options.signal?.aborted) return;
        const answer = await ask(app, batch);
        await store(app, batch, answer);
        const day = days.get(batch.day) as MetricsCollection["byDay"][number];
        if (answer.ok) {
          result.collected += 1;
          day.collected += 1;
        } else {
          result.failed += 1;
          day.failed += 1;
          result.failures.push({
            batchId: batch.batchId,
            campaignId: batch.campaignId,
            occurrenceId: batch.occurrenceId,
            day: batch.day,
            error: answer.error,
          });
        }
        done += 1;
        options.onProgress?.(done, due.length);
      }),
    ),
  );
  result.failures.sort((a, b) => a.batchId - b.batchId);
  if (result.failed > 0)
    app.logger.warn(
      { component: "metrics", date, failed: result.failed, collected: result.collected },
      "some delivery reports could not be collected: they are asked again at the next collection",
    );
  return result;
}
