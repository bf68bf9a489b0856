import { sql } from "kysely";
import type { Db } from "../db/connect.ts";
import type { Segmentation } from "./segments.ts";

/** Every writer of the model tables takes this lock, so two runs never interleave. */
export const MODEL_TABLES_LOCK = 7_301_002;

export interface ModelRunApply {
  date: string;
  /** The scores table (see createScores). */
  scores: string;
  segmentation: Segmentation;
  fitId: number;
  fitReused: boolean;
  started: Date;
}

/**
 * Saves a run in one transaction: the run and its clusters, each customer's new model row, and
 * the history of (stage, segment) versions — a changed version closes the one in force; a rerun
 * for the same date that lands back on the earlier version reopens it rather than leaving an
 * interval of one day's mistake; customers no longer present have their version closed.
 */
export async function applyModelRun(
  db: Db,
  plan: ModelRunApply,
): Promise<{
  runId: number;
  customers: number;
  segments: number;
  stageCounts: Record<string, number>;
}> {
  const date = sql`${plan.date}::date`;
  const scores = sql.id(plan.scores);
  return db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(${MODEL_TABLES_LOCK})`.execute(trx);
    await sql`select set_config('jit', 'off', true)`.execute(trx);
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
        and not exists (select 1 from model_new n where n.contact_key = m.contact_key)`.execute(
      trx,
    );

    await sql`truncate customer_model`.execute(trx);
    await sql`
      insert into customer_model (contact_key, run_id, run_date, stage, stage_since, segment,
        valid_from, value_tier, purchases, first_purchase_on, last_purchase_on, recency_days,
        tenure_days, mean_repeat_spend, p_alive, expected_purchases, expected_spend, clv)
      select n.contact_key, ${runId}, ${date}, n.stage, n.stage_since, n.segment,
        case when n.prior_stage is not null and ${same} then n.prior_valid_from else ${date} end,
        n.value_tier, n.purchases, n.first_purchase_on, n.last_purchase_on, n.recency_days,
        n.tenure_days, n.mean_repeat_spend, n.p_alive, n.expected_purchases, n.expected_spend,
        n.clv
      from model_new n`.execute(trx);

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
        seconds: (Date.now() - plan.started.getTime()) / 1000,
        finished_at: new Date(),
      })
      .where("id", "=", runId)
      .execute();
    return { runId, customers, segments: segments.rows[0]?.n ?? 0, stageCounts };
  });
}
