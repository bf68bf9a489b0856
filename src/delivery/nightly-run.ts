/**
 * The nightly run of a date: sync the push messages → import the day's files → model run →
 * target-group sizes → plan → freeze the recipient lists → deliver → collect the send metrics due
 * → retention. Each step is recorded with its start, end, counts and error. One run at a time
 * (run-lock.ts); a run that died is continued by the next one of its date, which skips the steps
 * it completed, and frozen lists and batches are never rebuilt.
 */
import type { App } from "../app.ts";
import { type Actor, recordChange } from "../audit/audit.ts";
import { inTransaction } from "../db/transaction.ts";
import { todayIn } from "../time/zones.ts";
import type { AccountProgress } from "./deliver.ts";
import { NO_HOOKS, type RunHooks } from "./hooks.ts";
import { type NightReport, nightReport } from "./night-report.ts";
import { holderName, takeRunLock } from "./run-lock.ts";
import { NIGHT_STEPS, type NightStep, runStep, type StepOutcome } from "./run-steps.ts";
import { recoverInterrupted } from "./send-outcome.ts";
import { STEP_WORK } from "./step-work.ts";

export type RunTrigger = "cli" | "schedule" | "api";

/** What a run tells while it works. */
export type RunEvent =
  | { type: "run"; runId: number; date: string; resumed: boolean }
  | { type: "step"; step: NightStep; status: "running" | StepOutcome["status"]; note?: string }
  | { type: "delivery"; accounts: AccountProgress[] };

export interface RunRequest {
  /** The run date (Default: today in `schedule.timeZone`). */
  date?: string | undefined;
  trigger: RunTrigger;
  actor: Actor;
  /** The command that holds the lock, e.g. `nightjar run` (Default: the trigger). */
  command?: string;
  onEvent?: (event: RunEvent) => void;
  hooks?: RunHooks;
  signal?: AbortSignal;
}

/** The shared state of one run's steps. */
export interface RunContext {
  app: App;
  date: string;
  runId: number;
  actor: Actor;
  hooks: RunHooks;
  signal: AbortSignal | undefined;
  onEvent: (event: RunEvent) => void;
  /** Batches and test sends a dead run left `sending`, marked `unknown` when this run began. */
  recovered: number;
}

/** Use case: one nightly run for a date, continuing the date's run that died if there is one. */
export async function runNight(app: App, request: RunRequest): Promise<NightReport> {
  const date = request.date ?? todayIn(app.config.schedule.timeZone, app.clock);
  const command = request.command ?? `nightjar ${request.trigger}`;
  const lock = await takeRunLock(app, command);
  try {
    const db = app.db.kysely;
    // We hold the lock, so a batch still `sending` belongs to a run that died during its call.
    const recovered = await recoverInterrupted(app);
    // Likewise a run of this date still `running` died, and is continued.
    const dead = await db
      .selectFrom("nightly_runs")
      .select("id")
      .where("run_date", "=", date)
      .where("status", "=", "running")
      .orderBy("id", "desc")
      .executeTakeFirst();
    const now = app.clock.now();
    const runId =
      dead?.id ??
      (await inTransaction(db, {}, async (trx) => {
        const row = await trx
          .insertInto("nightly_runs")
          .values({
            run_date: date,
            trigger: request.trigger,
            started_by: request.actor.label,
            holder: holderName(command),
            status: "running",
            started_at: now,
          })
          .returning("id")
          .executeTakeFirstOrThrow();
        await recordChange(trx, app.clock, request.actor, {
          entity: "nightly_run",
          entityId: row.id,
          action: "start",
          after: { date, trigger: request.trigger },
        });
        return row.id;
      }));
    if (dead)
      await db
        .updateTable("nightly_runs")
        .set({ holder: holderName(command) })
        .where("id", "=", runId)
        .execute();
    const onEvent = request.onEvent ?? (() => {});
    onEvent({ type: "run", runId, date, resumed: dead !== undefined });
    const context: RunContext = {
      app,
      date,
      runId,
      actor: request.actor,
      hooks: request.hooks ?? NO_HOOKS,
      signal: request.signal,
      onEvent,
      recovered,
    };
    let failure: string | null = null;
    for (const step of NIGHT_STEPS) {
      const outcome = await runStep(context, step, STEP_WORK[step]);
      if (outcome.status === "failed") {
        failure ??= `step ${step} failed: ${outcome.error}`;
        if (outcome.stops) break;
      }
      if (request.signal?.aborted) {
        failure ??= "the run was stopped before it finished";
        break;
      }
    }
    await db
      .updateTable("nightly_runs")
      .set({
        status: failure === null ? "completed" : "failed",
        finished_at: app.clock.now(),
        error: failure,
      })
      .where("id", "=", runId)
      .execute();
    return await nightReport(app, runId);
  } finally {
    await lock.release();
  }
}
