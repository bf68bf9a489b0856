import { type RawBuilder, sql } from "kysely";
import type { Db } from "../db/connect.ts";

/**
 * How a checked snapshot (in its staging table) becomes the customers' new state: new versions in
 * `customers`, ended ones in `customer_history`. Every function runs inside the import's
 * transaction, which holds CUSTOMER_TABLES_LOCK: no other writer moves a customer row meanwhile,
 * so rows found once are found again by their address (ctid).
 */

export interface SnapshotPlan {
  /** The staging table (with `row_hash`). */
  staging: RawBuilder<unknown>;
  /** Attribute columns in the file, in file order. */
  names: string[];
  /** Every attribute column of the customer tables. */
  allNames: string[];
  date: string;
  importId: number;
  /** Data rows in the file. */
  rows: number;
}

export interface SnapshotCounts {
  inserted: number;
  updated: number;
  removed: number;
}

/** Above this share of rows whose hash differs but values do not, stored hashes are refreshed. */
const STALE_HASH_SHARE = 0.1;

function columnList(names: readonly string[], prefix = ""): RawBuilder<unknown> {
  return sql.join(
    names.map((name) => (prefix ? sql.ref(`${prefix}.${name}`) : sql.id(name))),
    sql`, `,
  );
}

/** `, a, b` (or nothing): a column list continuing a fixed one. */
function moreColumns(names: readonly string[], prefix = ""): RawBuilder<unknown> {
  return names.length ? sql`, ${columnList(names, prefix)}` : sql``;
}

/** Row hashes compare only between files with the same header (same columns, same order). */
export async function sameHeaderAsLastTime(trx: Db, header: string): Promise<boolean> {
  const previous = await trx
    .selectFrom("imports")
    .select("fingerprint_columns")
    .where("kind", "=", "customers")
    .orderBy("id", "desc")
    .offset(1) // the newest row is the import being applied
    .limit(1)
    .executeTakeFirst();
  return previous?.fingerprint_columns === header;
}

/** The first load into an empty table: every row is new and starts its first version today. */
export async function applyFirstLoad(trx: Db, plan: SnapshotPlan): Promise<SnapshotCounts> {
  const { staging, names, date, importId } = plan;
  // Building the primary key once after the load is faster than maintaining it row by row;
  // there is no history to write.
  await sql`alter table customers drop constraint customers_pkey`.execute(trx);
  const result = await sql`
    insert into customers (contact_key, present, first_seen_on, valid_from, last_import_id, row_hash ${moreColumns(names)})
    select contact_key, true, ${date}::date, ${date}::date, ${importId}, row_hash ${moreColumns(names)}
    from ${staging}`.execute(trx);
  await sql`alter table customers add constraint customers_pkey primary key (contact_key)`.execute(
    trx,
  );
  return { inserted: Number(result.numAffectedRows ?? 0), updated: 0, removed: 0 };
}

/**
 * A later snapshot: finds the differences, closes the versions that end today into history and
 * writes the new ones. With the same header as last time, rows whose hash is unchanged are
 * skipped without looking at their values; otherwise every row is compared.
 */
export async function applyDifferences(
  trx: Db,
  plan: SnapshotPlan,
  sameHeader: boolean,
): Promise<SnapshotCounts> {
  let staleHashes = plan.rows;
  if (sameHeader) staleHashes = await diffByHash(trx, plan);
  else await diffEveryRow(trx, plan);
  const counts = await applyChanges(trx, plan);
  if (staleHashes > plan.rows * STALE_HASH_SHARE) {
    // The file is written differently than before (new header, other formatting): store this
    // file's hashes so that tomorrow's import can skip unchanged rows again.
    await sql`update customers c set row_hash = s.row_hash from ${plan.staging} s
      where s.contact_key = c.contact_key and c.row_hash is distinct from s.row_hash`.execute(trx);
  }
  return counts;
}

/** The select list of `import_changes`: new values from `s`, the ending version from `c`. */
function changeColumns(
  plan: SnapshotPlan,
  key: RawBuilder<unknown>,
  inFile: RawBuilder<unknown>,
): RawBuilder<unknown> {
  const newValues = plan.names.map((name) => sql`, ${sql.ref(`s.${name}`)}`);
  const oldValues = plan.allNames.map(
    (name) => sql`, ${sql.ref(`c.${name}`)} as ${sql.id(`old_${name}`)}`,
  );
  return sql`${key} as contact_key,
    case when c.contact_key is null then 'new' when not ${inFile} then 'removed' else 'changed' end as change,
    s.row_hash, c.ctid as old_row, c.valid_from as old_valid_from, c.present as old_present
    ${sql.join(newValues, sql``)} ${sql.join(oldValues, sql``)}`;
}

/** Rows that differ: new, gone while present, back after being gone, or with other values. */
function differs(plan: SnapshotPlan, inFile: RawBuilder<unknown>): RawBuilder<unknown> {
  const values = plan.names.length
    ? sql`(${columnList(plan.names, "c")}) is distinct from (${columnList(plan.names, "s")})`
    : sql`false`;
  return sql`(c.contact_key is null
    or (not ${inFile} and c.present)
    or (${inFile} and (not c.present or ${values})))`;
}

/** Every row of the file against every customer, keeping only the differences. */
async function diffEveryRow(trx: Db, plan: SnapshotPlan): Promise<void> {
  const inFile = sql`(s.contact_key is not null)`;
  await sql`
    create temp table import_changes on commit drop as
    select ${changeColumns(plan, sql`coalesce(s.contact_key, c.contact_key)`, inFile)}
    from ${plan.staging} s full join customers c on c.contact_key = s.contact_key
    where ${differs(plan, inFile)}`.execute(trx);
}

/**
 * Joins the file with the customers on key and row hash only (a narrow hash table), then compares
 * the values of the few rows that differ, fetched by address. Returns how many rows had another
 * hash but equal values.
 */
async function diffByHash(trx: Db, plan: SnapshotPlan): Promise<number> {
  await sql`
    create temp table import_candidates on commit drop as
    select s.*, c.ctid as old_row, c.contact_key as customer_key
    from ${plan.staging} s full join customers c on c.contact_key = s.contact_key
    where c.contact_key is null
      or (s.contact_key is null and c.present)
      or (s.contact_key is not null and (not c.present or c.row_hash is distinct from s.row_hash))`.execute(
    trx,
  );
  const key = sql`coalesce(s.contact_key, s.customer_key)`;
  const inFile = sql`(s.contact_key is not null)`;
  await sql`
    create temp table import_changes on commit drop as
    select ${changeColumns(plan, key, inFile)}
    from import_candidates s
      left join lateral (select *, ctid from customers c where c.ctid = s.old_row) c on true
    where ${differs(plan, inFile)}`.execute(trx);
  const result = await sql<{ candidates: number; changes: number }>`
    select (select count(*) from import_candidates where contact_key is not null and customer_key is not null) as candidates,
      (select count(*) from import_changes where change = 'changed') as changes`.execute(trx);
  return Number(result.rows[0]?.candidates ?? 0) - Number(result.rows[0]?.changes ?? 0);
}

/** Writes what `import_changes` holds: history for ended versions, then the new versions. */
async function applyChanges(trx: Db, plan: SnapshotPlan): Promise<SnapshotCounts> {
  const { names, allNames, date, importId } = plan;
  // The version in force until today becomes history, unless it started today: a same-day
  // correction replaces it, since [today, today) is empty.
  await sql`
    insert into customer_history (contact_key, valid_from, valid_to, present ${moreColumns(allNames)})
    select contact_key, old_valid_from, ${date}::date, old_present
      ${sql.join(
        allNames.map((name) => sql`, ${sql.id(`old_${name}`)}`),
        sql``,
      )}
    from import_changes
    where change <> 'new' and old_valid_from < ${date}::date`.execute(trx);

  const updated = await sql`
    update customers c set present = true, valid_from = ${date}::date, last_import_id = ${importId},
      row_hash = x.row_hash
      ${sql.join(
        names.map((name) => sql`, ${sql.id(name)} = ${sql.ref(`x.${name}`)}`),
        sql``,
      )}
    from import_changes x
    where c.ctid = x.old_row and c.contact_key = x.contact_key and x.change = 'changed'`.execute(
    trx,
  );
  const removed = await sql`
    update customers c set present = false, valid_from = ${date}::date, last_import_id = ${importId}
    from import_changes x
    where c.ctid = x.old_row and c.contact_key = x.contact_key and x.change = 'removed'`.execute(
    trx,
  );
  const inserted = await sql`
    insert into customers (contact_key, present, first_seen_on, valid_from, last_import_id, row_hash ${moreColumns(names)})
    select contact_key, true, ${date}::date, ${date}::date, ${importId}, row_hash ${moreColumns(names)}
    from import_changes where change = 'new'`.execute(trx);

  const expected = await sql<{ changed: number; removed: number }>`
    select count(*) filter (where change = 'changed') as changed,
      count(*) filter (where change = 'removed') as removed
    from import_changes`.execute(trx);
  const counts = {
    inserted: Number(inserted.numAffectedRows ?? 0),
    updated: Number(updated.numAffectedRows ?? 0),
    removed: Number(removed.numAffectedRows ?? 0),
  };
  if (
    counts.updated !== Number(expected.rows[0]?.changed) ||
    counts.removed !== Number(expected.rows[0]?.removed)
  ) {
    // Something moved a customer row under the lock: undo rather than half-apply.
    throw new Error(
      "customers changed while the snapshot was applied; nothing was imported, run the import again",
    );
  }
  return counts;
}
