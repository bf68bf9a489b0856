/**
 * The rows a rule reads, as of a date: the customer alias `c` and the model alias `m`. On or after
 * the latest import (model run) they are the current tables; before it, the version valid that
 * day (the current row when its valid_from <= A, else the history row with valid_from <= A <
 * valid_to).
 */
import { type RawBuilder, sql } from "kysely";
import type { CustomerAttribute } from "../config/schema.ts";
import type { Db } from "../db/connect.ts";

/** Whether a date is before the latest customer snapshot and before the latest model run. */
export interface AsOfState {
  asOf: string;
  /** The date of the latest customer snapshot imported (null: none yet). */
  latestImport: string | null;
  /** Before the latest customer import: attributes and presence come from the history. */
  customersPast: boolean;
  /** Before the latest model run: the stage comes from the model history; scores are unknown. */
  modelPast: boolean;
}

/** How `asOf` relates to the data imported and modelled so far. */
export async function asOfState(db: Db, asOf: string): Promise<AsOfState> {
  const result = await sql<{ imported: string | null; modelled: string | null }>`
    select
      (select max(import_date) from imports where kind = 'customers') as imported,
      (select max(run_date) from model_runs) as modelled`.execute(db);
  const row = result.rows[0];
  const before = (latest: string | null | undefined) => latest != null && asOf < latest;
  return {
    asOf,
    latestImport: row?.imported ?? null,
    customersPast: before(row?.imported),
    modelPast: before(row?.modelled),
  };
}

/** `… as c`: the customers as of `asOf` (an SQL date) with the given attribute columns. */
export function customerSource(
  attributes: readonly CustomerAttribute[],
  past: boolean,
  asOf: RawBuilder<unknown>,
): RawBuilder<unknown> {
  if (!past) return sql`customers as c`;
  const current = attributes.map((a) => sql`, cu.${sql.id(a.name)}`);
  const earlier = attributes.map((a) => sql`, h.${sql.id(a.name)}`);
  // first_seen_on never changes, so the current row has it for every version.
  return sql`(
    select cu.contact_key, cu.present, cu.first_seen_on${sql.join(current, sql``)}
    from customers cu where cu.valid_from <= ${asOf}
    union all
    select h.contact_key, h.present, cu.first_seen_on${sql.join(earlier, sql``)}
    from customer_history h join customers cu on cu.contact_key = h.contact_key
    where h.valid_from <= ${asOf} and h.valid_to > ${asOf}
  ) as c`;
}

/** `… as m`: the model rows as of `asOf`; in the past only stage, stage_since and segment. */
export function modelSource(past: boolean, asOf: RawBuilder<unknown>): RawBuilder<unknown> {
  if (!past) return sql`customer_model as m`;
  return sql`(
    select contact_key, stage, stage_since, segment from customer_model
    where valid_from <= ${asOf}
    union all
    select contact_key, stage, stage_since, segment from customer_model_history
    where valid_from <= ${asOf} and valid_to > ${asOf}
  ) as m`;
}

/** `from c left join m`: the customers with their model rows, as of the date. */
export function fromAsOf(
  attributes: readonly CustomerAttribute[],
  state: Pick<AsOfState, "customersPast" | "modelPast">,
  asOf: RawBuilder<unknown>,
): RawBuilder<unknown> {
  return sql`${customerSource(attributes, state.customersPast, asOf)}
    left join ${modelSource(state.modelPast, asOf)} on m.contact_key = c.contact_key`;
}
