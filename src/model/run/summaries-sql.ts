import { type RawBuilder, sql } from "kysely";
import type { Db } from "../../db/connect.ts";

/**
 * Per-customer purchase summaries in SQL, the database path of `summarizeTransactions`: purchases
 * (amount ≥ 0, refunds excluded) up to the end of the run date in the configured time zone, with
 * the transactions of one day merged into one purchase. Only the purchases of the customers the
 * run scores (those present in the latest snapshot) count, so that the fit describes the same
 * customers; the others are left out, and counted for the run to say so.
 */
export async function createSummaries(
  db: Db,
  table: string,
  runDate: string,
  timeZone: string,
): Promise<{ leftOut: { transactions: number; contactKeys: number } }> {
  const end = sql`((${runDate}::date + 1)::timestamp at time zone ${timeZone})`;
  await sql`
    create unlogged table ${sql.id(table)} as
    with purchase_days as (
      select t.contact_key, (t.occurred_at at time zone ${timeZone})::date as day,
        sum(t.amount) as amount
      from transactions t
      where t.is_purchase and t.occurred_at < ${end}
        and exists (select 1 from customers c where c.contact_key = t.contact_key and c.present)
      group by 1, 2
    )
    select contact_key,
      count(*)::int - 1 as x,
      min(day) as first_day,
      max(day) as last_day,
      -- All days but the first: the first purchase is not a repeat purchase.
      (sum(amount) - (min(array[(day - date '2000-01-01')::numeric, amount]))[2])::float8
        as repeat_total
    from purchase_days
    group by 1`.execute(db);
  const left = await sql<{ transactions: number; contact_keys: number }>`
    select count(*)::int as transactions, count(distinct t.contact_key)::int as contact_keys
    from transactions t
    where t.is_purchase and t.occurred_at < ${end}
      and not exists (
        select 1 from customers c where c.contact_key = t.contact_key and c.present)`.execute(db);
  const row = left.rows[0];
  return { leftOut: { transactions: row?.transactions ?? 0, contactKeys: row?.contact_keys ?? 0 } };
}

/** What the summaries hold, in one pass: what a fit needs to know before it starts. */
export interface SummariesOverview {
  /** Customers with a purchase. */
  buyers: number;
  /** Customers with a repeat purchase. */
  repeatBuyers: number;
  /** Order-independent checksum of every customer's summary (any changed purchase changes it). */
  checksum: string;
}

/** Counts and checksums the summaries. */
export async function overviewOfSummaries(db: Db, table: string): Promise<SummariesOverview> {
  const result = await sql<SummariesOverview>`
    select count(*)::int as "buyers", count(*) filter (where x > 0)::int as "repeatBuyers",
      coalesce(sum(hashtextextended(
        contact_key || '|' || x || '|' || first_day || '|' || last_day || '|' || round(repeat_total::numeric, 4), 7
      )::numeric), 0)::text as checksum
    from ${sql.id(table)}`.execute(db);
  return result.rows[0] ?? { buyers: 0, repeatBuyers: 0, checksum: "0" };
}

/** The deterministic fit sample: every customer when there are few, else about `size` of them. */
export function sampleCondition(
  customers: number,
  size: number,
  seed: number,
): RawBuilder<boolean> {
  if (customers <= size) return sql<boolean>`true`;
  const perMillion = Math.ceil((size / customers) * 1_000_000);
  return sql<boolean>`(abs(hashtextextended(contact_key, ${seed}::bigint)) % 1000000) < ${perMillion}`;
}

/** Summary columns for the BG/NBD fit, identical summaries grouped with a weight. */
export async function bgnbdFitRows(
  db: Db,
  table: string,
  runDate: string,
  periodDays: number,
  sample: RawBuilder<boolean>,
): Promise<{ x: Float64Array; tx: Float64Array; T: Float64Array; weight: Float64Array }> {
  const result = await sql<{ x: number; tx_days: number; t_days: number; weight: number }>`
    select x, last_day - first_day as tx_days, ${runDate}::date - first_day as t_days,
      count(*)::int as weight
    from ${sql.id(table)} where ${sample}
    group by 1, 2, 3`.execute(db);
  const rows = result.rows;
  const columns = {
    x: new Float64Array(rows.length),
    tx: new Float64Array(rows.length),
    T: new Float64Array(rows.length),
    weight: new Float64Array(rows.length),
  };
  rows.forEach((row, i) => {
    columns.x[i] = row.x;
    columns.tx[i] = row.tx_days / periodDays;
    columns.T[i] = row.t_days / periodDays;
    columns.weight[i] = row.weight;
  });
  return columns;
}

/** Repeat buyers' purchase counts and mean repeat spend, for the Gamma-Gamma fit. */
export async function spendFitRows(
  db: Db,
  table: string,
  sample: RawBuilder<boolean>,
): Promise<{ x: Float64Array; meanSpend: Float64Array }> {
  const result = await sql<{ x: number; mean_spend: number }>`
    select x, repeat_total / x as mean_spend
    from ${sql.id(table)} where ${sample} and x > 0 and repeat_total > 0`.execute(db);
  return {
    x: Float64Array.from(result.rows, (r) => r.x),
    meanSpend: Float64Array.from(result.rows, (r) => r.mean_spend),
  };
}
