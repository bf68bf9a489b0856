import { randomBytes } from "node:crypto";
import { sql } from "kysely";
import type { ModelSettings } from "../config/schema.ts";
import type { Db, NightjarDb } from "../db/connect.ts";
import { NightjarError } from "../errors.ts";
import { applyModelRun } from "./apply-run.ts";
import { fitOrReuse, type StoredFit } from "./fit-store.ts";
import { createExpectationFactors, createScores, typicalGapDays } from "./scoring.ts";
import { findSegments } from "./segments.ts";
import { STAGES, type Stage } from "./stages.ts";
import { createSummaries, overviewOfSummaries } from "./summaries-sql.ts";

const WORK_PREFIX = "model_work_";
/** Work tables older than this were left by a run that crashed, and may be dropped. */
const STALE_WORK_MS = 24 * 60 * 60 * 1000;

/** A run for a date before the latest run's: stages and history move forward only. */
export class ModelRunOrderError extends NightjarError {
  override name = "ModelRunOrderError";
}

export type ModelRunStep = "summarizing" | "fitting" | "scoring" | "segmenting" | "saving";

export interface ModelRunOptions {
  /** The run date, YYYY-MM-DD: purchases up to the end of this day count. */
  date: string;
  timeZone: string;
  settings: ModelSettings;
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
  /** Seconds per step, and in all. */
  timings: Record<ModelRunStep, number>;
  seconds: number;
}

async function latestRunDate(db: Db): Promise<string | null> {
  const row = await db
    .selectFrom("model_runs")
    .select((eb) => eb.fn.max("run_date").as("latest"))
    .executeTakeFirst();
  return row?.latest ?? null;
}

async function dropStaleWorkTables(db: Db): Promise<void> {
  const result = await sql<{ name: string }>`
    select tablename as name from pg_tables
    where schemaname = current_schema() and tablename like ${`${WORK_PREFIX}%`}`.execute(db);
  const cutoff = Date.now() - STALE_WORK_MS;
  for (const { name } of result.rows) {
    const createdAt = Number(name.slice(WORK_PREFIX.length).split("_")[0]);
    if (Number.isFinite(createdAt) && createdAt < cutoff) {
      await sql`drop table if exists ${sql.id(name)}`.execute(db);
    }
  }
}

/**
 * The nightly customer model: summarizes every customer's purchases in SQL, fits BG/NBD and
 * Gamma-Gamma (or reuses the fit made on the same data), scores every present customer —
 * in SQL, with the hypergeometric parts computed in JS once per distinct (frequency, age) —
 * decides lifecycle stages and micro-segments, and saves them with their history in one
 * transaction. No step holds all customers in memory.
 */
export async function runModel(db: NightjarDb, options: ModelRunOptions): Promise<ModelRunResult> {
  const started = Date.now();
  const { date, settings } = options;
  const latest = await latestRunDate(db.kysely);
  if (latest !== null && date < latest) {
    throw new ModelRunOrderError(
      `the model already ran for ${latest}; a run for ${date} would rewrite history out of order (run it for ${latest} or later)`,
    );
  }
  await dropStaleWorkTables(db.kysely);
  const prefix = `${WORK_PREFIX}${Date.now()}_${randomBytes(4).toString("hex")}`;
  const tables = {
    summaries: `${prefix}_summaries`,
    factors: `${prefix}_factors`,
    scores: `${prefix}_scores`,
  };
  const timings = {} as Record<ModelRunStep, number>;
  let stepStarted = Date.now();
  const step = (name: ModelRunStep) => {
    options.onStep?.(name);
    stepStarted = Date.now();
  };
  const done = (name: ModelRunStep) => {
    timings[name] = (Date.now() - stepStarted) / 1000;
  };
  const periodDays = settings.period === "week" ? 7 : 1;
  try {
    step("summarizing");
    await createSummaries(db.kysely, tables.summaries, date, options.timeZone);
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
    const saved = await applyModelRun(db.kysely, {
      date,
      scores: tables.scores,
      segmentation,
      fitId: fit.id,
      fitReused: fit.reused,
      started: new Date(started),
    });
    done("saving");

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
      timings,
      seconds: (Date.now() - started) / 1000,
    };
  } finally {
    for (const table of Object.values(tables)) {
      await sql`drop table if exists ${sql.id(table)}`.execute(db.kysely);
    }
  }
}
