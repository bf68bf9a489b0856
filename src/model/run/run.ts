import { sql } from "kysely";
import type { App } from "../../app.ts";
import { type Clock, stopwatch } from "../../clock.ts";
import type { ModelSettings } from "../../config/schema.ts";
import type { NightjarDb } from "../../db/connect.ts";
import type { LockWait } from "../../db/locks.ts";
import { inTransaction } from "../../db/transaction.ts";
import { withWorkTables } from "../../db/work-tables.ts";
import { todayIn } from "../../time/zones.ts";
import { applyModelRun, latestRunDate, refuseEarlierRun } from "./apply-run.ts";

export { ModelRunOrderError } from "./apply-run.ts";

import { fitOrReuse, type StoredFit } from "./fit-store.ts";
import { createExpectationFactors, createScores, typicalGapDays } from "./scoring.ts";
import { findSegments } from "./segments.ts";
import { STAGES, type Stage } from "./stages.ts";
import { createSummaries, overviewOfSummaries } from "./summaries-sql.ts";

export type ModelRunStep = "summarizing" | "fitting" | "scoring" | "segmenting" | "saving";

export interface ModelRunOptions {
  /** The run date, YYYY-MM-DD: purchases up to the end of this day count. */
  date: string;
  timeZone: string;
  settings: ModelSettings;
  clock: Clock;
  /** How to wait for another model run's lock (Default: as long as it takes). */
  lockWait?: LockWait | undefined;
  onStep?: ((step: ModelRunStep) => void) | undefined;
}

export interface ModelRunResult {
  runId: number;
  date: string;
  customers: number;
  /** Customers with at least one purchase. */
  buyers: number;
  stages: Record<Stage, number>;
  segments: number;
  fit: StoredFit & { reused: boolean };
  /** What the run left out or could not do, for the operator (the fit's own notes are in `fit`). */
  notes: string[];
  /** Seconds per step, and in all. */
  timings: Record<ModelRunStep, number>;
  seconds: number;
}

/** Use case: the model run for `date` (Default: today in the schedule's time zone). */
export function runCustomerModel(
  app: Pick<App, "db" | "config" | "clock" | "lockWait">,
  request: { date?: string | undefined; onStep?: ((step: ModelRunStep) => void) | undefined } = {},
): Promise<ModelRunResult> {
  const { timeZone } = app.config.schedule;
  return runModel(app.db, {
    date: request.date ?? todayIn(timeZone, app.clock),
    timeZone,
    settings: app.config.model,
    clock: app.clock,
    lockWait: app.lockWait,
    onStep: request.onStep,
  });
}

/**
 * The nightly customer model: summarizes every customer's purchases in SQL, fits BG/NBD and
 * Gamma-Gamma (or reuses the fit made on the same data), scores every present customer —
 * in SQL, with the hypergeometric parts computed in JS once per distinct (frequency, age) —
 * decides lifecycle stages and micro-segments, and saves them with their history in one
 * transaction. No step holds all customers in memory.
 */
export function runModel(db: NightjarDb, options: ModelRunOptions): Promise<ModelRunResult> {
  return withWorkTables(db, (owner) =>
    runModelWith(db, options, {
      summaries: owner.name("model_work_"),
      factors: owner.name("model_work_"),
      scores: owner.name("model_work_"),
    }),
  );
}

async function runModelWith(
  db: NightjarDb,
  options: ModelRunOptions,
  tables: { summaries: string; factors: string; scores: string },
): Promise<ModelRunResult> {
  const started = options.clock.now();
  const elapsed = stopwatch();
  const { date, settings } = options;
  // Checked early to fail fast, and again under the lock that saves the run.
  refuseEarlierRun(date, await latestRunDate(db.kysely));
  const timings = {} as Record<ModelRunStep, number>;
  const notes: string[] = [];
  let stepTime = stopwatch();
  const step = (name: ModelRunStep) => {
    options.onStep?.(name);
    stepTime = stopwatch();
  };
  const done = (name: ModelRunStep) => {
    timings[name] = stepTime();
  };
  const periodDays = settings.period === "week" ? 7 : 1;
  try {
    step("summarizing");
    const { leftOut } = await createSummaries(db.kysely, tables.summaries, date, options.timeZone);
    if (leftOut.transactions > 0)
      notes.push(
        `left out ${leftOut.transactions.toLocaleString("en-US")} purchase${leftOut.transactions === 1 ? "" : "s"} of ${leftOut.contactKeys.toLocaleString("en-US")} contact key${leftOut.contactKeys === 1 ? "" : "s"} that are not customers in the latest snapshot (removed from it, or never in one)`,
      );
    done("summarizing");

    step("fitting");
    const overview = await overviewOfSummaries(db.kysely, tables.summaries);
    const fit = await fitOrReuse(db.kysely, {
      // What a fit depends on: the run date, the period, the sample, and the data.
      key: JSON.stringify({
        date,
        period: settings.period,
        sample: settings.fitSample,
        customers: overview.buyers,
        checksum: overview.checksum,
      }),
      overview,
      summaries: tables.summaries,
      date,
      periodDays,
      period: settings.period,
      sampleSize: settings.fitSample,
      seed: settings.segments.seed,
    });
    done("fitting");

    step("scoring");
    if (fit.bgnbd) {
      await createExpectationFactors(db, tables.factors, tables.summaries, {
        runDate: date,
        periodDays,
        bgnbd: fit.bgnbd.params,
        settings,
      });
    }
    await createScores(
      db.kysely,
      tables.scores,
      { summaries: tables.summaries, factors: fit.bgnbd ? tables.factors : null },
      {
        runDate: date,
        periodDays,
        bgnbd: fit.bgnbd?.params ?? null,
        gammaGamma: fit.gammaGamma?.params ?? null,
        settings,
        typicalGapDays: await typicalGapDays(db.kysely, tables.summaries),
      },
    );
    done("scoring");

    step("segmenting");
    const segmentation = await findSegments(db.kysely, tables.scores, "stage", settings.segments);
    done("segmenting");

    step("saving");
    const session = { locks: ["modelTables"], jit: false, wait: options.lockWait } as const;
    const saved = await inTransaction(db.kysely, session, (trx) =>
      applyModelRun(trx, {
        date,
        scores: tables.scores,
        segmentation,
        fitId: fit.id,
        fitReused: fit.reused,
        started,
        finishedAt: () => options.clock.now(),
        elapsed,
      }),
    );
    done("saving");
    // PGlite has no autovacuum: without this, every night's in-place update would leave a
    // million dead rows behind for good. (PostgreSQL's autovacuum does it on its own.)
    if (db.engine === "pglite")
      await sql`vacuum (analyze) customer_model, customer_model_history`.execute(db.kysely);

    const stages = Object.fromEntries(STAGES.map((s) => [s, saved.stageCounts[s] ?? 0])) as Record<
      Stage,
      number
    >;
    return {
      runId: saved.runId,
      date,
      customers: saved.customers,
      buyers: saved.customers - stages.prospect,
      stages,
      segments: saved.segments,
      fit,
      notes,
      timings,
      seconds: elapsed(),
    };
  } finally {
    for (const table of Object.values(tables)) {
      await sql`drop table if exists ${sql.id(table)}`.execute(db.kysely);
    }
  }
}
