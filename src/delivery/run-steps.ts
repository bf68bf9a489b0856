/**
 * The steps of a nightly run and how each is recorded: a row per step with its start, end,
 * counts, note and error. A step the run (or the run it continues) already completed is not done
 * again.
 */
import { stopwatch } from "../clock.ts";
import type { RunContext } from "./nightly-run.ts";

export const NIGHT_STEPS = [
  "sync",
  "import-customers",
  "import-transactions",
  "model",
  "group-sizes",
  "plan",
  "freeze",
  "deliver",
  "metrics",
  "retention",
] as const;
export type NightStep = (typeof NIGHT_STEPS)[number];

/** What a step's work says of itself. */
export interface StepResult {
  /** `skipped`: nothing to do (a no-op); `no_file`: the day's file is not there (Default: completed). */
  status?: "completed" | "skipped" | "no_file";
  counts?: Record<string, number | string | null>;
  note?: string;
  /** The night cannot go on (e.g. fresh data required but missing): the run stops here, failed. */
  stop?: string;
}

/** How a step ended. */
export type StepOutcome =
  | { status: "completed" | "skipped" | "no_file" }
  | { status: "failed"; error: string; stops: boolean };

/** The work of a step; `stops`: whether the night can go on when it fails. */
export interface StepWork {
  stops: boolean;
  run(context: RunContext): Promise<StepResult>;
}

/** Runs (or skips, when done before in this run) one step and records it. */
export async function runStep(
  context: RunContext,
  step: NightStep,
  work: StepWork,
): Promise<StepOutcome> {
  const { app, runId } = context;
  const db = app.db.kysely;
  const position = NIGHT_STEPS.indexOf(step);
  const before = await db
    .selectFrom("nightly_run_steps")
    .select(["status", "note"])
    .where("run_id", "=", runId)
    .where("position", "=", position)
    .executeTakeFirst();
  if (before && before.status !== "running" && before.status !== "failed") {
    context.onEvent({
      type: "step",
      step,
      status: before.status,
      note: "done before this run was continued",
    });
    return { status: before.status };
  }
  const started = app.clock.now();
  await db
    .insertInto("nightly_run_steps")
    .values({ run_id: runId, position, step, status: "running", started_at: started })
    .onConflict((oc) =>
      oc.columns(["run_id", "position"]).doUpdateSet({
        status: "running",
        started_at: started,
        finished_at: null,
        error: null,
        note: null,
      }),
    )
    .execute();
  context.onEvent({ type: "step", step, status: "running" });
  // The machine's time the step took (the clock may stand still, e.g. the emulator's).
  const elapsed = stopwatch();
  let result: StepResult;
  try {
    result = await work.run(context);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    await record(context, position, { status: "failed", error: message });
    context.onEvent({ type: "step", step, status: "failed", note: message });
    return { status: "failed", error: message, stops: work.stops };
  }
  if (result.stop !== undefined) {
    await record(context, position, {
      status: "failed",
      error: result.stop,
      counts: result.counts,
      note: result.note,
    });
    context.onEvent({ type: "step", step, status: "failed", note: result.stop });
    return { status: "failed", error: result.stop, stops: true };
  }
  const status = result.status ?? "completed";
  const counts = { ...result.counts, seconds: Math.round(elapsed() * 1000) / 1000 };
  await record(context, position, { status, counts, note: result.note });
  context.onEvent({ type: "step", step, status, ...(result.note ? { note: result.note } : {}) });
  return { status };
}

async function record(
  context: RunContext,
  position: number,
  end: {
    status: "completed" | "skipped" | "no_file" | "failed";
    error?: string;
    counts?: StepResult["counts"] | undefined;
    note?: string | undefined;
  },
): Promise<void> {
  await context.app.db.kysely
    .updateTable("nightly_run_steps")
    .set({
      status: end.status,
      finished_at: context.app.clock.now(),
      error: end.error ?? null,
      note: end.note ?? null,
      counts: JSON.stringify(end.counts ?? {}),
    })
    .where("run_id", "=", context.runId)
    .where("position", "=", position)
    .execute();
}
