import { type RawBuilder, sql } from "kysely";
import type { ModelSettings } from "../../config/schema.ts";
import { copyChunks, type Db, type NightjarDb } from "../../db/connect.ts";
import { type BgNbdParams, expectedPurchasesIfAlive } from "../stats/bgnbd.ts";
import { discountedPurchases } from "../stats/clv.ts";
import type { GammaGammaParams } from "../stats/gamma-gamma.ts";
import { stageExpression } from "./stages.ts";

/** Average days in a month, for the CLV's monthly steps. */
const DAYS_PER_MONTH = 365.25 / 12;

/**
 * The parts of the BG/NBD conditional expectation that need the Gauss hypergeometric function,
 * which PostgreSQL does not have. E[Y(t) | x, t_x, T] = A(x, T, t) · P(alive | x, t_x, T), and A
 * depends on x and T only, so it is computed in JS once per distinct (x, T) — a few thousand
 * pairs for a million customers — streamed into a table, and the rest is done in SQL.
 * `purchase_factor` is A at the prediction horizon; `clv_factor` is the discounted sum of A's
 * monthly increments.
 */
export async function createExpectationFactors(
  db: NightjarDb,
  table: string,
  summaries: string,
  plan: { runDate: string; periodDays: number; bgnbd: BgNbdParams; settings: ModelSettings },
): Promise<void> {
  const pairs = await sql<{ x: number; t_days: number }>`
    select distinct x, ${plan.runDate}::date - first_day as t_days
    from ${sql.id(summaries)}`.execute(db.kysely);
  const { bgnbd, periodDays, settings } = plan;
  const horizon = settings.predictionDays / periodDays;
  const clv = {
    periodsPerMonth: DAYS_PER_MONTH / periodDays,
    months: settings.clv.months,
    monthlyDiscountRate: settings.clv.monthlyDiscountRate,
  };
  function* lines(): Generator<string> {
    for (const { x, t_days } of pairs.rows) {
      /** A(x, T, t): the expectation for a customer certainly alive. */
      const aliveExpectation = (t: number) =>
        expectedPurchasesIfAlive(bgnbd, t, x, t_days / periodDays);
      const purchaseFactor = aliveExpectation(horizon);
      const clvFactor = discountedPurchases(aliveExpectation, clv);
      yield `${x},${t_days},${finite(purchaseFactor)},${finite(clvFactor)}`;
    }
  }
  await db.copyIn({
    createTable: `create unlogged table "${table}" (x integer not null, t_days integer not null, purchase_factor float8, clv_factor float8)`,
    copy: (from, freeze) =>
      `copy "${table}" from ${from} with (format csv${freeze ? ", freeze" : ""})`,
    chunks: copyChunks(lines()),
    timeZone: "UTC",
  });
}

/** A number for COPY, or empty (NULL) when the formula gave none. */
function finite(value: number): string {
  return Number.isFinite(value) ? String(value) : "";
}

export interface ScorePlan {
  runDate: string;
  periodDays: number;
  bgnbd: BgNbdParams | null;
  gammaGamma: GammaGammaParams | null;
  settings: ModelSettings;
  /** Days between purchases of a typical repeat buyer, for one-time buyers' rhythm. */
  typicalGapDays: number;
}

/** Days between purchases of the median repeat buyer (30 when there is none). */
export async function typicalGapDays(db: Db, summaries: string): Promise<number> {
  const result = await sql<{ gap: number | null }>`
    select percentile_cont(0.5) within group (order by (last_day - first_day)::float8 / x) as gap
    from ${sql.id(summaries)} where x > 0`.execute(db);
  return Number(result.rows[0]?.gap ?? 30);
}

/**
 * Scores every present customer in SQL into `table`: purchases, recency and tenure, P(alive),
 * expected purchases, expected spend, CLV, and the lifecycle stage (with the version in force
 * before the run date, for the history and the stage rules).
 */
export async function createScores(
  db: Db,
  table: string,
  sources: { summaries: string; factors: string | null },
  plan: ScorePlan,
): Promise<void> {
  const { runDate, periodDays, bgnbd, gammaGamma, settings } = plan;
  const date = sql`${runDate}::date`;
  const T = sql`((${date} - s.first_day)::float8 / ${periodDays}::float8)`;
  const tx = sql`((s.last_day - s.first_day)::float8 / ${periodDays}::float8)`;
  let pAlive: RawBuilder<number | null> = sql`null::float8`;
  if (bgnbd) {
    const { r, alpha, a, b } = bgnbd;
    // exp() of at most 700: past that P(alive) is 0 to double precision anyway.
    pAlive = sql`case when s.x is null then null when s.x = 0 then 1::float8
      else 1 / (1 + ${a}::float8 / (${b}::float8 + s.x - 1)
        * exp(least((${r}::float8 + s.x) * ln((${alpha}::float8 + ${T}) / (${alpha}::float8 + ${tx})), 700)))
      end`;
  }
  const meanSpend = sql<number | null>`case when s.x > 0 then s.repeat_total / s.x end`;
  let expectedSpend: RawBuilder<number | null> = meanSpend;
  if (gammaGamma) {
    const { p, q, gamma } = gammaGamma;
    // Fader & Hardie (note 025): a weighted mean of the population mean and the customer's own.
    expectedSpend = sql`case when s.x is null then null else
      ((${q}::float8 - 1) / (${p}::float8 * s.x + ${q}::float8 - 1)) * (${gamma}::float8 * ${p}::float8 / (${q}::float8 - 1))
      + (${p}::float8 * s.x / (${p}::float8 * s.x + ${q}::float8 - 1)) * coalesce(${meanSpend}, 0) end`;
  }
  const factors = sources.factors ? sql.id(sources.factors) : null;
  const stage = stageExpression(
    {
      runDate: date,
      purchases: sql.ref("b.purchases"),
      firstPurchaseOn: sql.ref("b.first_purchase_on"),
      lastPurchaseOn: sql.ref("b.last_purchase_on"),
      usualGapDays: sql`case when b.purchases > 1
        then (b.last_purchase_on - b.first_purchase_on)::float8 / (b.purchases - 1)
        else ${plan.typicalGapDays}::float8 end`,
      pAlive: sql.ref("b.p_alive"),
      priorStage: sql.ref("b.prior_stage"),
      priorStageSince: sql.ref("b.prior_stage_since"),
    },
    settings.stages,
  );
  await sql`
    create unlogged table ${sql.id(table)} as
    with base as (
      select c.contact_key,
        coalesce(s.x + 1, 0) as purchases,
        s.first_day as first_purchase_on,
        s.last_day as last_purchase_on,
        ${date} - s.last_day as recency_days,
        ${date} - s.first_day as tenure_days,
        ${meanSpend} as mean_repeat_spend,
        ${pAlive} as p_alive,
        ${expectedSpend} as expected_spend,
        ${factors ? sql`f.purchase_factor, f.clv_factor` : sql`null::float8 as purchase_factor, null::float8 as clv_factor`},
        -- The version in force before the run date: the current one, or, when the latest run
        -- was on this same date, the one it ended.
        case when m.valid_from < ${date} then m.stage else h.stage end as prior_stage,
        case when m.valid_from < ${date} then m.stage_since else h.stage_since end as prior_stage_since,
        case when m.valid_from < ${date} then m.segment else h.segment end as prior_segment,
        case when m.valid_from < ${date} then m.valid_from else h.valid_from end as prior_valid_from,
        coalesce(m.valid_from >= ${date} and h.contact_key is not null, false) as prior_in_history
      from customers c
      left join ${sql.id(sources.summaries)} s on s.contact_key = c.contact_key
      ${factors ? sql`left join ${factors} f on f.x = s.x and f.t_days = ${date} - s.first_day` : sql``}
      left join customer_model m on m.contact_key = c.contact_key
      left join customer_model_history h
        on h.contact_key = c.contact_key and h.valid_to = ${date} and m.valid_from >= ${date}
      where c.present
    )
    select b.*,
      b.purchase_factor * b.p_alive as expected_purchases,
      b.expected_spend * b.p_alive * b.clv_factor as clv,
      ${stage} as stage
    from base b`.execute(db);
}
