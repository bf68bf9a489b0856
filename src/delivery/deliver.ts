/**
 * The executor: hands the night's send batches over to SFMC, at most once each. A batch is
 * written `sending` (committed) before its call and gets its outcome after: `sent` with the
 * tokenId, `failed` when SFMC did not take it, `unknown` when it may have. Calls go out in
 * SendTime and priority order, at most `maxInFlight` at once per SFMC account, accounts in
 * parallel. A batch whose slot has passed gets the earliest minute the budget still allows, and
 * expires past the lateness limit.
 */
import { type App, type SfmcAccountClient, sfmcClientOfUnit } from "../app.ts";
import { inTransaction } from "../db/transaction.ts";
import { type BudgetLedger, earliestSendTime, lateMinutes } from "./execution-schedule.ts";
import { NO_HOOKS, type RunHooks } from "./hooks.ts";
import { budgetLedger } from "./night.ts";
import { settleOccurrences } from "./occurrence-states.ts";
import { type Outcome, sendFailure } from "./send-outcome.ts";

const MINUTE_MS = 60_000;

/** Progress of one SFMC account's hand-over. */
export interface AccountProgress {
  account: string;
  batches: number;
  batchesDone: number;
  recipients: number;
  recipientsDone: number;
}

/** What one delivery did. */
export interface DeliveryResult {
  handled: number;
  sent: number;
  failed: number;
  unknown: number;
  expired: number;
  late: number;
  accounts: AccountProgress[];
}

export interface DeliveryOptions {
  /** The nightly run date: its batches and those left over from earlier nights. */
  date: string;
  runId: number | null;
  hooks?: RunHooks;
  onProgress?: (accounts: AccountProgress[]) => void;
  /** Stops handing over further batches (those in flight finish). */
  signal?: AbortSignal;
}

/** A batch waiting to be handed over. */
interface QueuedBatch {
  id: number;
  occurrenceId: number;
  campaignId: number;
  state: "planned" | "failed";
  size: number;
  sendAt: Date;
  occurrenceSendAt: Date;
  budgetKey: string;
  businessUnit: string;
  messageId: string;
}

/**
 * Use case: hands over every batch of the night (and earlier nights) still to go. The caller holds
 * the run lock and has marked the batches a dead run left `sending` (`recoverInterrupted`): only
 * then is a `sending` batch known not to be another process's call in flight.
 */
export async function deliverNight(app: App, options: DeliveryOptions): Promise<DeliveryResult> {
  const hooks = options.hooks ?? NO_HOOKS;
  // A long freeze on PGlite blocks the event loop, and SFMC may close an idle connection
  // meanwhile. A few turns of the loop let the HTTP client read that close (one turn) and drop the
  // socket (the next), so that no send goes out on a dead connection: its failure could not be
  // told from a send SFMC took, and the batch would be unknown (test/delivery-keepalive.test.ts).
  for (let turn = 0; turn < 3; turn++) await new Promise((resolve) => setImmediate(resolve));
  const rows = await app.db.kysely
    .selectFrom("send_batches as b")
    .innerJoin("campaign_occurrences as o", "o.id", "b.occurrence_id")
    .select([
      "b.id",
      "b.occurrence_id",
      "b.state",
      "b.size",
      "b.send_at",
      "b.budget_key",
      "o.campaign_id",
      "o.send_at as occurrence_send_at",
      "o.business_unit",
      "o.message_id",
      "o.priority",
    ])
    .where("o.run_date", "<=", options.date)
    .where((eb) =>
      eb.or([
        eb("b.state", "=", "planned"),
        eb.and([eb("b.state", "=", "failed"), eb("b.retryable", "=", true)]),
      ]),
    )
    .orderBy("b.send_at")
    .orderBy("o.priority")
    .orderBy("o.campaign_id")
    .orderBy("b.seq")
    .execute();
  const byKey = new Map<string, QueuedBatch[]>();
  for (const r of rows) {
    const batch: QueuedBatch = {
      id: r.id,
      occurrenceId: r.occurrence_id,
      campaignId: r.campaign_id,
      state: r.state as "planned" | "failed",
      size: r.size,
      sendAt: r.send_at,
      occurrenceSendAt: r.occurrence_send_at,
      budgetKey: r.budget_key,
      businessUnit: r.business_unit,
      messageId: r.message_id,
    };
    const list = byKey.get(r.budget_key);
    if (list) list.push(batch);
    else byKey.set(r.budget_key, [batch]);
  }
  const result: DeliveryResult = {
    handled: 0,
    sent: 0,
    failed: 0,
    unknown: 0,
    expired: 0,
    late: 0,
    accounts: [],
  };
  const progress = [...byKey].map(([key, batches]) => ({
    account: app.sfmc.find((s) => s.account.clientId === key)?.account.name ?? key,
    batches: batches.length,
    batchesDone: 0,
    recipients: batches.reduce((n, b) => n + b.size, 0),
    recipientsDone: 0,
  }));
  result.accounts = progress;
  options.onProgress?.(progress);
  await Promise.all(
    [...byKey].map(([key, batches], index) =>
      deliverAccount(app, key, batches, {
        ...options,
        hooks,
        done: (batch, outcome) => {
          result.handled += 1;
          result[outcome.state] += 1;
          if (outcome.late) result.late += 1;
          const account = progress[index] as AccountProgress;
          account.batchesDone += 1;
          account.recipientsDone += batch.size;
          options.onProgress?.(progress);
        },
      }),
    ),
  );
  await settleOccurrences(app, options.date);
  return result;
}

type Done = (
  batch: QueuedBatch,
  outcome: { state: "sent" | "failed" | "unknown" | "expired"; late: boolean },
) => void;

/** Hands over one account's batches with at most `maxInFlight` calls at once. */
async function deliverAccount(
  app: App,
  key: string,
  queue: QueuedBatch[],
  options: DeliveryOptions & { hooks: RunHooks; done: Done },
): Promise<void> {
  const { config } = app;
  const first = app.sfmc.find((s) => s.account.clientId === key);
  const now = app.clock.now();
  const ledger = await budgetLedger(app.db.kysely, config, key, now);
  let next = 0;
  // SFMC still throttling although the budget is kept: after each call that met a 429 (its
  // Retry-After honoured by the client), one call fewer goes out at once, down to one.
  let allowed = first?.account.maxInFlight ?? 1;
  const worker = async (slot: number) => {
    for (;;) {
      if (options.signal?.aborted || slot >= allowed) return;
      const batch = queue[next];
      if (batch === undefined) return;
      next += 1;
      const client = sfmcClientOfUnit(app, batch.businessUnit);
      const throttled = client?.client.throttledAnswers ?? 0;
      await handOver(app, batch, client, ledger, options);
      if ((client?.client.throttledAnswers ?? 0) > throttled && allowed > 1) {
        allowed -= 1;
        app.logger.warn(
          { component: "delivery", account: client?.account.name, inFlight: allowed },
          "SFMC throttled a send (429): fewer sends at once for the rest of the night",
        );
      }
    }
  };
  await Promise.all(Array.from({ length: allowed }, (_, slot) => worker(slot)));
}

/** One batch: its slot, its `sending`, its call and its outcome. */
async function handOver(
  app: App,
  batch: QueuedBatch,
  client: SfmcAccountClient | undefined,
  ledger: BudgetLedger,
  options: DeliveryOptions & { hooks: RunHooks; done: Done },
): Promise<void> {
  const { delivery } = app.config;
  const db = app.db.kysely;
  const holdsSlot = batch.state === "planned";
  if (delivery.handOverLeadMinutes !== null) {
    const wait = batch.sendAt.getTime() - delivery.handOverLeadMinutes * MINUTE_MS;
    const ms = wait - app.clock.now().getTime();
    if (ms > 0) await app.clock.sleep(ms, options.signal);
  }
  const campaign = await db
    .selectFrom("campaigns")
    .select("status")
    .where("id", "=", batch.campaignId)
    .executeTakeFirst();
  if (campaign?.status === "paused" || campaign?.status === "archived") {
    if (holdsSlot) ledger.release(batch.sendAt, batch.size);
    await expire(
      app,
      batch,
      `the campaign was ${campaign.status} before this batch was handed over`,
    );
    options.done(batch, { state: "expired", late: false });
    return;
  }
  if (!client) {
    if (holdsSlot) ledger.release(batch.sendAt, batch.size);
    await finish(app, batch, {
      state: "failed",
      retryable: false,
      error: `business unit ${batch.businessUnit} is no longer configured (sfmc.accounts[].businessUnits): nothing was sent`,
    });
    options.done(batch, { state: "failed", late: false });
    return;
  }
  const earliest = earliestSendTime(app.clock.now());
  let slot = batch.sendAt;
  if (slot < earliest || !holdsSlot) {
    if (holdsSlot) ledger.release(batch.sendAt, batch.size);
    slot = ledger.earliestFit(slot < earliest ? earliest : slot, batch.size);
    ledger.take(slot, batch.size);
  }
  const late = lateMinutes(slot, batch.occurrenceSendAt);
  if (late > delivery.maxLatenessMinutes) {
    ledger.release(slot, batch.size);
    await expire(
      app,
      batch,
      `it could only go out at ${slot.toISOString()}, ${late} minutes after its send time, past delivery.maxLatenessMinutes (${delivery.maxLatenessMinutes})`,
    );
    options.done(batch, { state: "expired", late: true });
    return;
  }
  const keys = await db
    .selectFrom("send_batches")
    .select("contact_keys")
    .where("id", "=", batch.id)
    .executeTakeFirstOrThrow();
  const taken = await inTransaction(db, {}, async (trx) => {
    const updated = await trx
      .updateTable("send_batches")
      .set((eb) => ({
        state: "sending",
        send_at: slot,
        late_minutes: late,
        attempts: eb("attempts", "+", 1),
        handed_at: app.clock.now(),
        error: null,
        retryable: false,
        run_id: options.runId,
      }))
      .where("id", "=", batch.id)
      .where("state", "=", batch.state)
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) !== 1) return false;
    await trx
      .updateTable("campaign_occurrences")
      .set({ state: "delivering" })
      .where("id", "=", batch.occurrenceId)
      .where("state", "in", ["frozen", "delivered", "delivered_with_problems"])
      .execute();
    return true;
  });
  // Someone else (an operator, another process) changed it meanwhile: it is theirs.
  if (!taken) return;
  options.hooks.reached("batch-write");
  let outcome: Outcome;
  try {
    const tokenId = await client.client.sendToContacts(
      batch.businessUnit,
      batch.messageId,
      keys.contact_keys ?? [],
      slot,
    );
    outcome = { state: "sent", tokenId };
  } catch (error) {
    outcome = sendFailure(error);
  }
  options.hooks.reached("send-answer");
  // SFMC did not take it: its minute is free for the batches after it (an unknown one may hold it).
  if (outcome.state === "failed") ledger.release(slot, batch.size);
  await finish(app, batch, outcome);
  options.hooks.reached("batch-result");
  options.done(batch, { state: outcome.state, late: late > 0 });
}

async function finish(app: App, batch: QueuedBatch, outcome: Outcome): Promise<void> {
  const now = app.clock.now();
  const values =
    outcome.state === "sent"
      ? { state: "sent" as const, token_id: outcome.tokenId, error: null }
      : outcome.state === "failed"
        ? { state: "failed" as const, retryable: outcome.retryable, error: outcome.error }
        : { state: "unknown" as const, error: outcome.error };
  await app.db.kysely
    .updateTable("send_batches")
    .set({ ...values, answered_at: now })
    .where("id", "=", batch.id)
    .execute();
}

async function expire(app: App, batch: QueuedBatch, reason: string): Promise<void> {
  await app.db.kysely
    .updateTable("send_batches")
    .set({ state: "expired", error: reason, retryable: false, answered_at: app.clock.now() })
    .where("id", "=", batch.id)
    .where("state", "=", batch.state)
    .execute();
}
