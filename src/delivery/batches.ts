/**
 * Send batches as the operator sees them, and the resolution of an `unknown` one (SFMC may or may
 * not have received it): `sent` (found in SFMC, optionally with its tokenId so that its metrics
 * can be collected), `abandoned`, or re-sent as a new `planned` batch of the same keys that the
 * next nightly run hands over. Only an `unknown` batch is resolved, under the delivery tables'
 * lock and only while it is still `unknown`, so a resolution never races a delivery.
 */
import { sql, type Updateable } from "kysely";
import type { App } from "../app.ts";
import { type Actor, recordChange } from "../audit/audit.ts";
import type { Database } from "../db/tables.ts";
import { inTransaction } from "../db/transaction.ts";
import { NightjarError } from "../errors.ts";
import { earliestSendTime, lateMinutes } from "./execution-schedule.ts";
import { budgetLedger } from "./night.ts";
import { settleOccurrences } from "./occurrence-states.ts";

export type BatchState = Database["send_batches"]["state"];
export const BATCH_STATES = [
  "planned",
  "sending",
  "sent",
  "failed",
  "unknown",
  "expired",
  "abandoned",
] as const satisfies readonly BatchState[];

/** No send batch has that id. */
export class UnknownBatchError extends NightjarError {
  override name = "UnknownBatchError";
  override readonly kind = "not_found";
}

/** The batch is not `unknown` (any more): there is nothing to resolve. */
export class BatchStateError extends NightjarError {
  override name = "BatchStateError";
  override readonly kind = "conflict";
}

/** A batch as the CLI and the API list it. */
export interface BatchView {
  id: number;
  campaignId: number;
  campaignName: string;
  occurrenceId: number;
  /** The occurrence's local date (the campaign's zone) and the run date that hands it over. */
  localDate: string;
  runDate: string;
  seq: number;
  size: number;
  state: BatchState;
  /** The SendTime it was (or will be) handed over with (ISO, UTC). */
  sendAt: string;
  lateMinutes: number;
  handedAt: string | null;
  tokenId: string | null;
  error: string | null;
  resendOf: number | null;
  resolvedBy: string | null;
  resolvedAt: string | null;
  /** The keys of an `unknown` batch, to look them up in SFMC (null otherwise, or once purged). */
  contactKeys: string[] | null;
}

/** Use case: the batches (newest first, at most `limit`), of one state or one run date if asked. */
export async function listBatches(
  app: App,
  filter: {
    state?: BatchState | undefined;
    date?: string | undefined;
    id?: number;
    limit?: number;
  } = {},
): Promise<BatchView[]> {
  let query = app.db.kysely
    .selectFrom("send_batches as b")
    .innerJoin("campaign_occurrences as o", "o.id", "b.occurrence_id")
    .innerJoin("campaigns as c", "c.id", "o.campaign_id")
    .select([
      "b.id",
      "b.seq",
      "b.size",
      "b.state",
      "b.send_at",
      "b.late_minutes",
      "b.handed_at",
      "b.token_id",
      "b.error",
      "b.resend_of",
      "b.resolved_by",
      "b.resolved_at",
      "o.id as occurrence_id",
      "o.local_date",
      "o.run_date",
      "c.id as campaign_id",
      "c.name as campaign_name",
      // 5,000 keys a batch: only those an operator has to look up in SFMC.
      sql<string[] | null>`case when b.state = 'unknown' then b.contact_keys end`.as("keys"),
    ])
    .orderBy("b.id", "desc")
    .limit(filter.limit ?? 1000);
  if (filter.state) query = query.where("b.state", "=", filter.state);
  if (filter.date) query = query.where("o.run_date", "=", filter.date);
  if (filter.id !== undefined) query = query.where("b.id", "=", filter.id);
  const rows = await query.execute();
  return rows.map((r) => ({
    id: r.id,
    campaignId: r.campaign_id,
    campaignName: r.campaign_name,
    occurrenceId: r.occurrence_id,
    localDate: r.local_date,
    runDate: r.run_date,
    seq: r.seq,
    size: r.size,
    state: r.state,
    sendAt: r.send_at.toISOString(),
    lateMinutes: r.late_minutes,
    handedAt: r.handed_at?.toISOString() ?? null,
    tokenId: r.token_id,
    error: r.error,
    resendOf: r.resend_of,
    resolvedBy: r.resolved_by,
    resolvedAt: r.resolved_at?.toISOString() ?? null,
    contactKeys: r.keys,
  }));
}

/** What an operator decided about an unknown batch. */
export type Resolution =
  | { action: "sent"; tokenId?: string | undefined }
  | { action: "resend" }
  | { action: "abandon" };

/** What a resolution did. */
export interface ResolutionResult {
  batch: BatchView;
  /** The new `planned` batch of a re-send. */
  resend: BatchView | null;
}

/** Use case: resolves an `unknown` batch (audited); a re-send is handed over by the next run. */
export async function resolveBatch(
  app: App,
  actor: Actor,
  id: number,
  resolution: Resolution,
): Promise<ResolutionResult> {
  const { config } = app;
  const outcome = await inTransaction(
    app.db.kysely,
    { locks: ["deliveryTables"], wait: app.lockWait },
    async (trx) => {
      const batch = await trx
        .selectFrom("send_batches as b")
        .innerJoin("campaign_occurrences as o", "o.id", "b.occurrence_id")
        .select([
          "b.id",
          "b.state",
          "b.size",
          "b.budget_key",
          "b.contact_keys",
          "b.occurrence_id",
          "b.token_id",
          "b.error",
          "b.send_at",
          "o.run_date",
          "o.send_at as occurrence_send_at",
        ])
        .where("b.id", "=", id)
        .executeTakeFirst();
      if (!batch) throw new UnknownBatchError(`no send batch #${id}`);
      if (batch.state !== "unknown")
        throw new BatchStateError(
          `batch #${id} is ${batch.state}: only an unknown batch (SFMC may or may not have received it) can be resolved`,
        );
      const now = app.clock.now();
      const resolved = { resolved_by: actor.label, resolved_at: now };
      let resendId: number | null = null;
      let values: Updateable<Database["send_batches"]>;
      if (resolution.action === "sent") {
        values = { state: "sent", token_id: resolution.tokenId ?? batch.token_id, ...resolved };
      } else if (resolution.action === "abandon") {
        values = { state: "abandoned", ...resolved };
      } else {
        if (batch.contact_keys === null)
          throw new BatchStateError(
            `batch #${id}'s contact keys were deleted by retention (delivery.retentionDays): it cannot be re-sent`,
          );
        if (!config.sfmc.accounts.some((a) => a.clientId === batch.budget_key))
          throw new BatchStateError(
            `batch #${id}'s SFMC account (client id ${batch.budget_key}) is no longer configured (sfmc.accounts): it cannot be re-sent`,
          );
        const ledger = await budgetLedger(trx, config, batch.budget_key, now);
        // Never earlier than the batch was to go out: a re-send at 03:00 of a 10:00 batch waits.
        const earliest = earliestSendTime(now);
        const from = batch.send_at > earliest ? batch.send_at : earliest;
        const slot = ledger.earliestFit(from, batch.size);
        const late = lateMinutes(slot, batch.occurrence_send_at);
        if (late > config.delivery.maxLatenessMinutes)
          throw new BatchStateError(
            `a re-send of batch #${id} could go out at ${slot.toISOString()} at the earliest, ${late} minutes after its send time, past delivery.maxLatenessMinutes (${config.delivery.maxLatenessMinutes}): it would expire. Resolve it as --sent or --abandon instead`,
          );
        const next = await trx
          .selectFrom("send_batches")
          .select(sql<number>`coalesce(max(seq), 0) + 1`.as("seq"))
          .where("occurrence_id", "=", batch.occurrence_id)
          .executeTakeFirstOrThrow();
        resendId = (
          await trx
            .insertInto("send_batches")
            .values({
              occurrence_id: batch.occurrence_id,
              seq: next.seq,
              budget_key: batch.budget_key,
              size: batch.size,
              contact_keys: batch.contact_keys,
              state: "planned",
              planned_at: slot,
              send_at: slot,
              resend_of: id,
            })
            .returning("id")
            .executeTakeFirstOrThrow()
        ).id;
        const note = `re-sent as batch #${resendId}`;
        values = {
          state: "abandoned",
          error: batch.error ? `${note} (was unknown: ${batch.error})` : note,
          ...resolved,
        };
      }
      const updated = await trx
        .updateTable("send_batches")
        .set(values)
        .where("id", "=", id)
        .where("state", "=", "unknown")
        .executeTakeFirst();
      // The lock keeps deliveries out, so this holds; it is checked all the same.
      if (Number(updated.numUpdatedRows) !== 1)
        throw new BatchStateError(`batch #${id} changed meanwhile: resolve it again`);
      await recordChange(trx, app.clock, actor, {
        entity: "send_batch",
        entityId: id,
        action: resolution.action === "sent" ? "resolve-sent" : resolution.action,
        before: { state: "unknown", tokenId: batch.token_id },
        after: {
          state: values.state,
          tokenId: values.token_id ?? batch.token_id,
          resendBatchId: resendId,
        },
      });
      return { runDate: batch.run_date, resendId };
    },
  );
  await settleOccurrences(app, outcome.runDate);
  const byId = async (batchId: number) => {
    const found = await batchById(app, batchId);
    if (!found) throw new UnknownBatchError(`no send batch #${batchId}`);
    return found;
  };
  return {
    batch: await byId(id),
    resend: outcome.resendId === null ? null : await byId(outcome.resendId),
  };
}

async function batchById(app: App, id: number): Promise<BatchView | undefined> {
  return (await listBatches(app, { id }))[0];
}
