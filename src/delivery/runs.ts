/**
 * The nightly runs as the API lists them, and runs started in the background (by the API or
 * serve's schedule): the caller learns the run's id as soon as its row exists, the run goes on,
 * and closing stops it handing over further batches and waits for it to end.
 */
import type { App } from "../app.ts";
import type { NightReport } from "./night-report.ts";
import { type RunEvent, type RunRequest, runNight } from "./nightly-run.ts";

/** One run, as the runs list shows it. */
export interface RunSummary {
  id: number;
  date: string;
  status: "running" | "completed" | "failed";
  trigger: "cli" | "schedule" | "api";
  startedBy: string;
  startedAt: string;
  finishedAt: string | null;
  error: string | null;
}

/** Use case: the nightly runs, newest first (at most `limit`). */
export async function listRuns(
  app: Pick<App, "db">,
  options: { limit?: number } = {},
): Promise<RunSummary[]> {
  const rows = await app.db.kysely
    .selectFrom("nightly_runs")
    .selectAll()
    .orderBy("id", "desc")
    .limit(options.limit ?? 200)
    .execute();
  return rows.map((r) => ({
    id: r.id,
    date: r.run_date,
    status: r.status,
    trigger: r.trigger,
    startedBy: r.started_by,
    startedAt: r.started_at.toISOString(),
    finishedAt: r.finished_at?.toISOString() ?? null,
    error: r.error,
  }));
}

/** A run started in the background. */
export interface StartedRun {
  runId: number;
  date: string;
  resumed: boolean;
  /** Its report once it ends (it never rejects: a failure that ends it early is logged). */
  done: Promise<NightReport | null>;
}

/**
 * Runs started in the background by one owner (the API server, serve's schedule), so that the
 * owner can stop them when it closes.
 */
export class BackgroundRuns {
  readonly #running = new Set<{ controller: AbortController; done: Promise<unknown> }>();

  constructor(private readonly app: App) {}

  /**
   * Use case: starts a nightly run; resolves once its row exists (a `NightlyRunBusyError` when
   * another run holds the lock), while the run goes on.
   */
  start(request: Omit<RunRequest, "signal">): Promise<StartedRun> {
    const controller = new AbortController();
    return new Promise<StartedRun>((resolve, reject) => {
      let started = false;
      const onEvent = (event: RunEvent) => {
        request.onEvent?.(event);
        if (event.type !== "run" || started) return;
        started = true;
        resolve({ runId: event.runId, date: event.date, resumed: event.resumed, done });
      };
      const entry = { controller, done: Promise.resolve() as Promise<unknown> };
      const done: Promise<NightReport | null> = runNight(this.app, {
        ...request,
        onEvent,
        signal: controller.signal,
      }).then(
        (report) => report,
        (error: unknown) => {
          if (!started) reject(error);
          else
            this.app.logger.error(
              { component: "nightly-run", err: error },
              "a nightly run started in the background ended in an error",
            );
          return null;
        },
      );
      entry.done = done.finally(() => this.#running.delete(entry));
      this.#running.add(entry);
    });
  }

  /** Stops handing over further batches in every run started here, and waits for them to end. */
  async close(): Promise<void> {
    const all = [...this.#running];
    for (const run of all) run.controller.abort();
    await Promise.all(all.map((run) => run.done));
  }
}
