/**
 * What a nightly run did, as `nightjar run --json`, the API and the UI show it: its steps, per
 * campaign occurrence of the night the recipients, control group and batches by state, and per
 * SFMC account how far the hand-over of the night's batches has come.
 */
import { sql } from "kysely";
import type { App } from "../app.ts";
import type { Db } from "../db/connect.ts";
import { NightjarError } from "../errors.ts";
import type { AccountProgress } from "./deliver.ts";

/** No nightly run has that id. */
export class UnknownRunError extends NightjarError {
  override name = "UnknownRunError";
  override readonly kind = "not_found";
}

export interface RunStepReport {
  step: string;
  status: string;
  startedAt: string;
  finishedAt: string | null;
  counts: Record<string, unknown>;
  note: string | null;
  error: string | null;
}

/** One campaign occurrence of the night. */
export interface NightCampaign {
  id: number;
  name: string;
  occurrenceId: number;
  localDate: string;
  state: string;
  recipients: number;
  control: number;
  batches: number;
  sent: number;
  failed: number;
  unknownBatches: number;
  expired: number;
  abandoned: number;
  planned: number;
  late: number;
  /** The SendTimes of its first and last batch that were or will be handed over (ISO, UTC). */
  firstSendTime: string | null;
  lastSendTime: string | null;
}

export interface NightReport {
  runId: number;
  date: string;
  status: "running" | "completed" | "failed";
  trigger: string;
  startedBy: string;
  startedAt: string;
  finishedAt: string | null;
  error: string | null;
  steps: RunStepReport[];
  campaigns: NightCampaign[];
  /**
   * Per SFMC account (client id) the night's batches and those handed over or settled (no longer
   * `planned` or `sending`), with their recipients: the run's progress while it delivers.
   */
  accounts: AccountProgress[];
  /** Every unknown batch of the night, those left by an interrupted run included. */
  unknownBatches: number;
}

/** The occurrences of run date `date` with their batches by state. */
export async function nightCampaigns(db: Db, date: string): Promise<NightCampaign[]> {
  const rows = await sql<{
    id: number;
    name: string;
    occurrence_id: number;
    local_date: string;
    state: string;
    test: number;
    control: number;
    batches: number;
    sent: number;
    failed: number;
    unknown: number;
    expired: number;
    abandoned: number;
    planned: number;
    late: number;
    first_send: Date | null;
    last_send: Date | null;
  }>`
    select c.id, c.name, o.id as occurrence_id, o.local_date, o.state, o.test, o.control,
      count(b.id)::integer as batches,
      (count(b.id) filter (where b.state = 'sent'))::integer as sent,
      (count(b.id) filter (where b.state = 'failed'))::integer as failed,
      (count(b.id) filter (where b.state = 'unknown'))::integer as unknown,
      (count(b.id) filter (where b.state = 'expired'))::integer as expired,
      (count(b.id) filter (where b.state = 'abandoned'))::integer as abandoned,
      (count(b.id) filter (where b.state in ('planned', 'sending')))::integer as planned,
      (count(b.id) filter (where b.late_minutes > 0 and b.state <> 'expired'))::integer as late,
      min(b.send_at) filter (where b.state not in ('expired', 'abandoned', 'failed')) as first_send,
      max(b.send_at) filter (where b.state not in ('expired', 'abandoned', 'failed')) as last_send
    from campaign_occurrences o
    join campaigns c on c.id = o.campaign_id
    left join send_batches b on b.occurrence_id = o.id
    where o.run_date = ${date}::date
    group by c.id, c.name, o.id, o.local_date, o.state, o.test, o.control, o.send_at
    order by o.send_at, c.id`.execute(db);
  return rows.rows.map((r) => ({
    id: r.id,
    name: r.name,
    occurrenceId: r.occurrence_id,
    localDate: r.local_date,
    state: r.state,
    recipients: r.test,
    control: r.control,
    batches: r.batches,
    sent: r.sent,
    failed: r.failed,
    unknownBatches: r.unknown,
    expired: r.expired,
    abandoned: r.abandoned,
    planned: r.planned,
    late: r.late,
    firstSendTime: r.first_send?.toISOString() ?? null,
    lastSendTime: r.last_send?.toISOString() ?? null,
  }));
}

/**
 * The batches of run date `date` per SFMC account, and how many of them are handed over or
 * settled; an account is named as the executor names it (the first configured with the client id).
 */
export async function nightAccounts(
  app: Pick<App, "db" | "config">,
  date: string,
): Promise<AccountProgress[]> {
  const rows = await sql<{
    budget_key: string;
    batches: number;
    batches_done: number;
    recipients: number;
    recipients_done: number;
  }>`
    select b.budget_key,
      count(*)::integer as batches,
      (count(*) filter (where b.state not in ('planned', 'sending')))::integer as batches_done,
      sum(b.size)::integer as recipients,
      coalesce(sum(b.size) filter (where b.state not in ('planned', 'sending')), 0)::integer
        as recipients_done
    from send_batches b
    join campaign_occurrences o on o.id = b.occurrence_id
    where o.run_date = ${date}::date
    group by b.budget_key
    order by b.budget_key`.execute(app.db.kysely);
  return rows.rows.map((r) => ({
    account:
      app.config.sfmc.accounts.find((a) => a.clientId === r.budget_key)?.name ?? r.budget_key,
    batches: r.batches,
    batchesDone: r.batches_done,
    recipients: r.recipients,
    recipientsDone: r.recipients_done,
  }));
}

/** The report of run `runId`. */
export async function nightReport(
  app: Pick<App, "db" | "config">,
  runId: number,
): Promise<NightReport> {
  const db = app.db.kysely;
  const run = await db
    .selectFrom("nightly_runs")
    .selectAll()
    .where("id", "=", runId)
    .executeTakeFirst();
  if (!run) throw new UnknownRunError(`no nightly run #${runId}`);
  const steps = await db
    .selectFrom("nightly_run_steps")
    .selectAll()
    .where("run_id", "=", runId)
    .orderBy("position")
    .execute();
  const campaigns = await nightCampaigns(db, run.run_date);
  const unknown = await sql<{ n: number }>`
    select count(*)::integer as n from send_batches b join campaign_occurrences o on o.id = b.occurrence_id
    where o.run_date = ${run.run_date}::date and b.state = 'unknown'`.execute(db);
  return {
    runId: run.id,
    date: run.run_date,
    status: run.status,
    trigger: run.trigger,
    startedBy: run.started_by,
    startedAt: run.started_at.toISOString(),
    finishedAt: run.finished_at?.toISOString() ?? null,
    error: run.error,
    steps: steps.map((s) => ({
      step: s.step,
      status: s.status,
      startedAt: s.started_at.toISOString(),
      finishedAt: s.finished_at?.toISOString() ?? null,
      counts: (s.counts ?? {}) as Record<string, unknown>,
      note: s.note,
      error: s.error,
    })),
    campaigns,
    accounts: await nightAccounts(app, run.run_date),
    unknownBatches: unknown.rows[0]?.n ?? 0,
  };
}
