import { sql } from "kysely";
import type { Db } from "../../db/connect.ts";
import type { Stage } from "./stages.ts";

/** A customer who moved from one lifecycle stage straight into another. */
export interface StageMove {
  contact_key: string;
  /** The run date the new stage started on. */
  moved_on: string;
}

/** Every (stage, segment) version of every customer: the closed ones and the one in force. */
const VERSIONS = sql`
  select contact_key, valid_from, stage from customer_model_history
  union all
  select contact_key, valid_from, stage from customer_model`;

/** How many customers moved from one stage straight into another. */
export interface StageMoveCount {
  from: Stage;
  to: Stage;
  customers: number;
}

/**
 * Stage changes on a run date in [since, until], counted by from and to, the largest first
 * (a customer who moved twice counts in both moves).
 */
export async function stageMoveCounts(
  db: Db,
  range: { since: string; until: string },
): Promise<StageMoveCount[]> {
  const result = await sql<StageMoveCount>`
    with versions as (${VERSIONS})
    select before.stage as "from", after.stage as "to", count(*)::int as customers
    from customer_model_history before
    join versions after
      on after.contact_key = before.contact_key and after.valid_from = before.valid_to
    where before.stage <> after.stage
      and before.valid_to between ${range.since}::date and ${range.until}::date
    group by 1, 2 order by 3 desc, 1, 2`.execute(db);
  return result.rows;
}

/**
 * Customers who moved from stage `from` directly into `to` on a run date in [since, until]
 * ("who moved from Active to At-risk this week"), whatever happened to them afterwards.
 */
export async function stageMoves(
  db: Db,
  move: { from: Stage; to: Stage; since: string; until: string },
): Promise<StageMove[]> {
  const result = await sql<StageMove>`
    with versions as (${VERSIONS})
    select before.contact_key, before.valid_to::text as moved_on
    from customer_model_history before
    join versions after
      on after.contact_key = before.contact_key and after.valid_from = before.valid_to
    where before.stage = ${move.from} and after.stage = ${move.to}
      and before.valid_to between ${move.since}::date and ${move.until}::date
    order by before.valid_to, before.contact_key`.execute(db);
  return result.rows;
}
