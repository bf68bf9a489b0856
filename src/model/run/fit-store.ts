import { z } from "zod";
import { stopwatch } from "../../clock.ts";
import type { Db } from "../../db/connect.ts";
import { type BgNbdFit, fitBgNbd } from "../stats/bgnbd.ts";
import { fitGammaGamma, type GammaGammaFit } from "../stats/gamma-gamma.ts";
import {
  bgnbdFitRows,
  type SummariesOverview,
  sampleCondition,
  spendFitRows,
} from "./summaries-sql.ts";

/** Fewer buyers than this cannot support a fit: stages then follow the purchase rhythm alone. */
const MIN_BUYERS = 20;
/** Gamma-Gamma needs a handful of repeat buyers with spend. */
const MIN_REPEAT_BUYERS = 10;

/** A fit as stored in model_fits. */
export interface StoredFit {
  id: number;
  customers: number;
  bgnbd: BgNbdFit | null;
  gammaGamma: GammaGammaFit | null;
  /** Why a model is missing, for the run's summary. */
  notes: string[];
  seconds: number;
}

/** A standard error; NaN (not identified) is stored as JSON null. */
const StandardError = z
  .number()
  .nullable()
  .transform((value) => value ?? Number.NaN);

/** A BG/NBD fit as stored in `model_fits.bgnbd`. */
const StoredBgNbdFit = z.object({
  params: z.object({ r: z.number(), alpha: z.number(), a: z.number(), b: z.number() }),
  logLikelihood: z.number(),
  standardErrors: z.object({
    r: StandardError,
    alpha: StandardError,
    a: StandardError,
    b: StandardError,
  }),
  iterations: z.number(),
  converged: z.boolean(),
});

/** A Gamma-Gamma fit as stored in `model_fits.gamma_gamma`. */
const StoredGammaGammaFit = z.object({
  params: z.object({ p: z.number(), q: z.number(), gamma: z.number() }),
  logLikelihood: z.number(),
  standardErrors: z.object({ p: StandardError, q: StandardError, gamma: StandardError }),
  customers: z.number(),
  converged: z.boolean(),
});

const StoredNotes = z.array(z.string());

/** The stored fit's models and notes, or why they cannot be read. */
function readStoredFit(row: {
  bgnbd: unknown;
  gamma_gamma: unknown;
  notes: unknown;
}):
  | { ok: true; bgnbd: BgNbdFit | null; gammaGamma: GammaGammaFit | null; notes: string[] }
  | { ok: false; problem: string } {
  const bgnbd = StoredBgNbdFit.nullable().safeParse(row.bgnbd);
  const gammaGamma = StoredGammaGammaFit.nullable().safeParse(row.gamma_gamma);
  const notes = StoredNotes.nullable().safeParse(row.notes);
  for (const [field, parsed] of [
    ["bgnbd", bgnbd],
    ["gamma_gamma", gammaGamma],
    ["notes", notes],
  ] as const) {
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return { ok: false, problem: `${field}.${issue?.path.join(".")}: ${issue?.message}` };
    }
  }
  return {
    ok: true,
    bgnbd: bgnbd.data ?? null,
    gammaGamma: gammaGamma.data ?? null,
    notes: notes.data ?? [],
  };
}

function usable(values: Record<string, number>): boolean {
  return Object.values(values).every((v) => Number.isFinite(v) && v > 0);
}

/**
 * The fit for these summaries: the stored one when a fit was made on the very same data
 * (`key`), else a new maximum-likelihood fit on a deterministic sample, stored for next time.
 */
export async function fitOrReuse(
  db: Db,
  plan: {
    key: string;
    overview: SummariesOverview;
    summaries: string;
    date: string;
    period: "day" | "week";
    periodDays: number;
    sampleSize: number;
    seed: number;
  },
): Promise<StoredFit & { reused: boolean }> {
  const stored = await db
    .selectFrom("model_fits")
    .selectAll()
    .where("data_key", "=", plan.key)
    .executeTakeFirst();
  const notes: string[] = [];
  if (stored) {
    const read = readStoredFit(stored);
    if (read.ok)
      return {
        id: stored.id,
        customers: stored.customers,
        bgnbd: read.bgnbd,
        gammaGamma: read.gammaGamma,
        notes: read.notes,
        seconds: stored.seconds,
        reused: true,
      };
    notes.push(`the stored fit #${stored.id} could not be read (${read.problem}); fitted again`);
  }
  const elapsed = stopwatch();
  const { buyers, repeatBuyers } = plan.overview;
  const sample = sampleCondition(buyers, plan.sampleSize, plan.seed);
  let bgnbd: BgNbdFit | null = null;
  let gammaGamma: GammaGammaFit | null = null;
  let customers = 0;
  if (buyers < MIN_BUYERS || repeatBuyers === 0) {
    notes.push(
      `BG/NBD not fitted: ${buyers} customers with purchases, ${repeatBuyers} with repeat purchases (needs ${MIN_BUYERS} and some repeat buyers)`,
    );
  } else {
    const rows = await bgnbdFitRows(db, plan.summaries, plan.date, plan.periodDays, sample);
    customers = rows.weight.reduce((sum, w) => sum + w, 0);
    const fit = fitBgNbd(rows);
    if (fit.converged && usable({ ...fit.params })) bgnbd = fit;
    else notes.push("BG/NBD fit did not converge; stages follow the purchase rhythm alone");
    const spend = await spendFitRows(db, plan.summaries, sample);
    if (spend.x.length >= MIN_REPEAT_BUYERS) {
      const spendFit = fitGammaGamma(spend.x, spend.meanSpend);
      // q ≤ 1 has no finite mean spend.
      if (spendFit.converged && usable({ ...spendFit.params }) && spendFit.params.q > 1)
        gammaGamma = spendFit;
      else notes.push("Gamma-Gamma fit unusable; expected spend is the observed mean");
    } else {
      notes.push(`Gamma-Gamma not fitted: ${spend.x.length} repeat buyers with spend`);
    }
  }
  const seconds = elapsed();
  const { id } = await db
    .insertInto("model_fits")
    .values({
      data_key: plan.key,
      calibration_end: plan.date,
      period: plan.period,
      customers,
      bgnbd: bgnbd ? JSON.stringify(bgnbd) : null,
      gamma_gamma: gammaGamma ? JSON.stringify(gammaGamma) : null,
      notes: JSON.stringify(notes),
      seconds,
    })
    .onConflict((oc) =>
      oc.column("data_key").doUpdateSet((eb) => ({
        customers: eb.ref("excluded.customers"),
        bgnbd: eb.ref("excluded.bgnbd"),
        gamma_gamma: eb.ref("excluded.gamma_gamma"),
        notes: eb.ref("excluded.notes"),
        seconds,
      })),
    )
    .returning("id")
    .executeTakeFirstOrThrow();
  return { id, customers, bgnbd, gammaGamma, notes, seconds, reused: false };
}
