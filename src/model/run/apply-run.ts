import { sql } from "kysely";
import type { Db } from "../../db/connect.ts";
import { NightjarError } from "../../errors.ts";
import type { Segmentation } from "./segments.ts";

/** A run for a date before the latest run's: stages and history move forward only. */
export class ModelRunOrderError extends NightjarError {
  override name = "ModelRunOrderError";
  override readonly kind = "conflict";
}

/** Refuses a run for a date before the latest run's. */
export function refuseEarlierRun(date: string, latest: string | null): void {
  if (latest !== null && date < latest) {
    throw new ModelRunOrderError(
      `the model already ran for ${latest}; a run for ${date} would rewrite history out of order (run it for ${latest} or later)`,
    );
  }
}

/** The latest date the model ran for, or null before the first run. */
export async function latestRunDate(db: Db): Promise<string | null> {
  const row = await db
    .selectFrom("model_runs")
    .select((eb) => eb.fn.max("run_date").as("latest"))
    .executeTakeFirst();
  return row?.latest ?? null;
}

export interface ModelRunApply {
  date: string;
  /** The scores table (see createScores). */
  scores: string;
  segmentation: Segmentation;
  fitId: number;
  fitReused: boolean;
  started: Date;
  /** The clock's now, when the run is recorded as finished. */
  finishedAt: () => Date;
  /** Seconds since the run started. */
  elapsed: () => number;
}

/**
 * Saves a run, in the caller's transaction (which holds the model tables' lock, with JIT off):
 * the run and its clusters, each customer's new model row, and the history of (stage, segment)
 * versions — a changed version closes the one in force; a rerun for the same date that lands back
 * on the earlier version reopens it rather than leaving an interval of one day's mistake;
 * customers no longer present have their version closed. The rows of `customer_model` are
 * updated in place, never truncated, so readers keep reading the previous run until this commits.
 */
export async function applyModelRun(
  trx: Db,
  plan: ModelRunApply,
): Promise<{
  runId: number;
  customers: number;
  segments: number;
  stageCounts: Record<string, number>;
}> {
  const date = sql`${plan.date}::date`;
  const scores = sql.id(plan.scores);
  // Under the lock: no other run can have been saved for a later date meanwhile.
  refuseEarlierRun(plan.date, await latestRunDate(trx));
  const { id: runId } = await trx
    .insertInto("model_runs")
    .values({
      run_date: plan.date,
      fit_id: plan.fitId,
      fit_reused: plan.fitReused,
      customers: 0,
      stage_counts: JSON.stringify({}),
      seconds: 0,
      started_at: plan.started,
    })
    .returning("id")
    .executeTakeFirstOrThrow();

  const segment = plan.segmentation.segmentSql(sql.ref("sc.stage"));
  await sql`
    create temp table model_new on commit drop as
    select sc.*, ${segment} as segment,
      case when sc.stage = sc.prior_stage then sc.prior_stage_since else ${date} end as stage_since,
      case when sc.purchases > 0 and sc.clv is not null then
        ntile(10) over (partition by sc.purchases > 0 and sc.clv is not null
          order by sc.clv, sc.contact_key) end as value_tier
    from ${scores} sc`.execute(trx);
  // The history's rows ending on the run date, just written, are not in its statistics yet: the
  // planner may loop over them, so each lookup of model_new must be an index probe, not a scan
  // of every customer (minutes on PGlite, whose statistics only a vacuum refreshes).
  await sql`create unique index on model_new (contact_key)`.execute(trx);
  await sql`analyze model_new`.execute(trx);
  // (stage, segment) as in force before the run date; null for a customer new to the model.
  const same = sql`(n.stage, n.segment) = (n.prior_stage, n.prior_segment)`;

  await sql`
    insert into customer_model_history (contact_key, valid_from, valid_to, stage, stage_since, segment)
    select n.contact_key, n.prior_valid_from, ${date}, n.prior_stage, n.prior_stage_since, n.prior_segment
    from model_new n
    where n.prior_stage is not null and not n.prior_in_history
      and not ${same}`.execute(trx);
  await sql`
    delete from customer_model_history h using model_new n
    where h.contact_key = n.contact_key and h.valid_to = ${date}
      and n.prior_in_history and ${same}`.execute(trx);
  await sql`
    insert into customer_model_history (contact_key, valid_from, valid_to, stage, stage_since, segment)
    select m.contact_key, m.valid_from, ${date}, m.stage, m.stage_since, m.segment
    from customer_model m
    where m.valid_from < ${date}
      and not exists (select 1 from model_new n where n.contact_key = m.contact_key)`.execute(trx);

  // In place, row by row (row locks only): a truncate would lock every reader out for seconds.
  await sql`
    delete from customer_model m
    where not exists (select 1 from model_new n where n.contact_key = m.contact_key)`.execute(trx);
  await sql`
    insert into customer_model as m (contact_key, run_id, run_date, stage, stage_since, segment,
      valid_from, value_tier, purchases, first_purchase_on, last_purchase_on, recency_days,
      tenure_days, mean_repeat_spend, p_alive, expected_purchases, expected_spend, clv)
    select n.contact_key, ${runId}, ${date}, n.stage, n.stage_since, n.segment,
      case when n.prior_stage is not null and ${same} then n.prior_valid_from else ${date} end,
      n.value_tier, n.purchases, n.first_purchase_on, n.last_purchase_on, n.recency_days,
      n.tenure_days, n.mean_repeat_spend, n.p_alive, n.expected_purchases, n.expected_spend,
      n.clv
    from model_new n
    on conflict (contact_key) do update set
      run_id = excluded.run_id, run_date = excluded.run_date, stage = excluded.stage,
      stage_since = excluded.stage_since, segment = excluded.segment,
      valid_from = excluded.valid_from, value_tier = excluded.value_tier,
      purchases = excluded.purchases, first_purchase_on = excluded.first_purchase_on,
      last_purchase_on = excluded.last_purchase_on, recency_days = excluded.recency_days,
      tenure_days = excluded.tenure_days, mean_repeat_spend = excluded.mean_repeat_spend,
      p_alive = excluded.p_alive, expected_purchases = excluded.expected_purchases,
      expected_spend = excluded.expected_spend, clv = excluded.clv`.execute(trx);

  const counts = await sql<{ stage: string; customers: number }>`
    select stage, count(*)::int as customers from model_new group by 1`.execute(trx);
  const stageCounts = Object.fromEntries(counts.rows.map((r) => [r.stage, r.customers]));
  const customers = counts.rows.reduce((sum, r) => sum + r.customers, 0);
  const segments = await sql<{ n: number }>`
    select count(distinct segment)::int as n from model_new`.execute(trx);

  if (plan.segmentation.clusters.length > 0) {
    await trx
      .insertInto("model_segment_clusters")
      .values(
        plan.segmentation.clusters.map((c) => ({
          run_id: runId,
          stage: c.stage,
          layer: c.layer,
          cluster: c.cluster,
          centre: c.centre,
          customers: c.customers,
        })),
      )
      .execute();
  }
  await trx
    .updateTable("model_runs")
    .set({
      customers,
      stage_counts: JSON.stringify(stageCounts),
      seconds: plan.elapsed(),
      finished_at: plan.finishedAt(),
    })
    .where("id", "=", runId)
    .execute();
  return { runId, customers, segments: segments.rows[0]?.n ?? 0, stageCounts };
}
