import type { Db } from "../db/connect.ts";
import { type BgNbdFit, fitBgNbd } from "./bgnbd.ts";
import { fitGammaGamma, type GammaGammaFit } from "./gamma-gamma.ts";
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
  if (stored) {
    return {
      id: stored.id,
      customers: stored.customers,
      bgnbd: stored.bgnbd as BgNbdFit | null,
      gammaGamma: stored.gamma_gamma as GammaGammaFit | null,
      notes: [],
      seconds: stored.seconds,
      reused: true,
    };
  }
  const started = Date.now();
  const { buyers, repeatBuyers } = plan.overview;
  const sample = sampleCondition(buyers, plan.sampleSize, plan.seed);
  const notes: string[] = [];
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
  const seconds = (Date.now() - started) / 1000;
  const { id } = await db
    .insertInto("model_fits")
    .values({
      data_key: plan.key,
      calibration_end: plan.date,
      period: plan.period,
      customers,
      bgnbd: bgnbd ? JSON.stringify(bgnbd) : null,
      gamma_gamma: gammaGamma ? JSON.stringify(gammaGamma) : null,
      seconds,
    })
    .onConflict((oc) => oc.column("data_key").doUpdateSet({ seconds }))
    .returning("id")
    .executeTakeFirstOrThrow();
  return { id, customers, bgnbd, gammaGamma, notes, seconds, reused: false };
}
