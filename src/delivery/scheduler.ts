/**
 * `nightjar serve`'s schedule: the nightly run every day at `schedule.nightlyAt` in
 * `schedule.timeZone`, and at start-up the night it missed while it was down (the latest run
 * date whose nightlyAt has passed, when it has no completed run). It waits on the app's clock, so
 * a test (or the demo on the emulator's clock) moves it; another run holding the lock is logged,
 * not fatal, and closing stops the wait or the run in progress and waits for it to end.
 */
import type { App } from "../app.ts";
import { nightlyRunInstant } from "../campaigns/occurrences.ts";
import { addDays, localDate } from "../time/zones.ts";
import { runNight } from "./nightly-run.ts";
import { NIGHTLY_RUN_ACTOR } from "./occurrence-states.ts";
import { NightlyRunBusyError } from "./run-lock.ts";

/** Waits are cut into pieces this long, so that a clock moved meanwhile is noticed. */
const WAIT_PIECE_MS = 60_000;

/** A running schedule. */
export interface NightlySchedule {
  /** The instant of the next scheduled run (null while a run is in progress, or once closed). */
  readonly nextAt: Date | null;
  /** Stops the schedule: the wait ends, a run in progress hands over no further batch and ends. */
  close(): Promise<void>;
}

/** The latest run date whose night has begun by the clock: the one before the next run's. */
export function latestDueRunDate(app: Pick<App, "config" | "clock">): string {
  return addDays(nextRunAfter(app, app.clock.now()).date, -1);
}

/**
 * The next nightly run after `now`: its date and its instant, `nightlyAt` in the zone by the rule
 * the nights' windows use (occurrences.ts), so that on a day whose `nightlyAt` falls in a DST gap
 * the run starts exactly where its night begins.
 */
export function nextRunAfter(app: Pick<App, "config">, now: Date): { date: string; at: Date } {
  const { nightlyAt, timeZone } = app.config.schedule;
  for (let date = addDays(localDate(now, timeZone), -1); ; date = addDays(date, 1)) {
    const at = nightlyRunInstant(date, nightlyAt, timeZone);
    if (at.getTime() > now.getTime()) return { date, at };
  }
}

/** Use case: starts the schedule (and the catch-up of a missed night) on the app. */
export function startNightlySchedule(app: App): NightlySchedule {
  const controller = new AbortController();
  const { signal } = controller;
  const log = app.logger.child({ component: "schedule" });
  let nextAt: Date | null = null;

  const run = async (date: string, why: string) => {
    log.info({ date, why }, `starting the nightly run of ${date} (${why})`);
    try {
      const report = await runNight(app, {
        date,
        trigger: "schedule",
        actor: NIGHTLY_RUN_ACTOR,
        command: "nightjar serve (schedule)",
        signal,
      });
      const level = report.status === "completed" ? "info" : "warn";
      log[level](
        { date, runId: report.runId, status: report.status, error: report.error },
        `the nightly run #${report.runId} of ${date} ended ${report.status}`,
      );
    } catch (error) {
      if (error instanceof NightlyRunBusyError) log.warn({ date }, error.message);
      else log.error({ date, err: error }, `the nightly run of ${date} ended in an error`);
    }
  };

  const waitUntil = async (at: Date) => {
    for (;;) {
      const ms = at.getTime() - app.clock.now().getTime();
      if (ms <= 0 || signal.aborted) return;
      await app.clock.sleep(Math.min(ms, WAIT_PIECE_MS), signal);
    }
  };

  const loop = async () => {
    const missed = latestDueRunDate(app);
    const completed = await app.db.kysely
      .selectFrom("nightly_runs")
      .select("id")
      .where("run_date", "=", missed)
      .where("status", "=", "completed")
      .executeTakeFirst();
    if (!completed) await run(missed, "missed while serve was not running");
    while (!signal.aborted) {
      const next = nextRunAfter(app, app.clock.now());
      nextAt = next.at;
      log.info({ at: next.at.toISOString(), date: next.date }, "next nightly run scheduled");
      await waitUntil(next.at);
      nextAt = null;
      if (signal.aborted) return;
      await run(next.date, "scheduled");
    }
  };

  const done = loop().catch((error: unknown) => {
    // An aborted wait ends the loop; anything else is logged, and the API goes on serving.
    if (!signal.aborted) log.error({ err: error }, "the nightly schedule stopped on an error");
  });
  return {
    get nextAt() {
      return nextAt;
    },
    close: async () => {
      controller.abort();
      await done;
      nextAt = null;
    },
  };
}
