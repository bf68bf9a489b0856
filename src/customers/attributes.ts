import { sql } from "kysely";
import type { CustomerAttribute } from "../config/schema.ts";
import type { Db } from "../db/connect.ts";
import type { LockWait } from "../db/locks.ts";
import { inTransaction } from "../db/transaction.ts";
import { NightjarError } from "../errors.ts";
import { PG_TYPE } from "./column-types.ts";

/** The config declares an attribute in a way the database cannot follow (e.g. a type change). */
export class AttributeSchemaError extends NightjarError {
  override name = "AttributeSchemaError";
  override readonly kind = "config";
}

/** An attribute column as recorded in the database. */
export interface RecordedAttribute {
  name: string;
  type: CustomerAttribute["type"];
}

/** The attribute columns the database has, in the order they were added. */
export async function recordedAttributes(db: Db): Promise<RecordedAttribute[]> {
  const rows = await db
    .selectFrom("customer_attributes")
    .select(["name", "type"])
    .orderBy("added_at")
    .orderBy("name")
    .execute();
  return rows.map((row) => ({ name: row.name, type: row.type as RecordedAttribute["type"] }));
}

/**
 * Adds the columns of attributes new in the config, if any (see `syncAttributeColumns`), in a
 * transaction of its own under the customer tables' lock; returns the names added. Looks first
 * without the lock, so that a database already in step never waits for a running import.
 */
export async function ensureAttributeColumns(
  db: Db,
  attributes: readonly CustomerAttribute[],
  wait?: LockWait,
): Promise<string[]> {
  const recorded = new Map((await recordedAttributes(db)).map((a) => [a.name, a.type]));
  const inStep = attributes.every((a) => recorded.get(a.name) === a.type);
  if (inStep && (await hasVersionsView(db))) return [];
  return inTransaction(db, { locks: ["customerTables"], wait }, (trx) =>
    syncAttributeColumns(trx, attributes),
  );
}

/**
 * Adds a typed column to `customers` and `customer_history` for every configured attribute the
 * database does not have yet, and rebuilds the `customer_versions` view. Attributes dropped from
 * the config keep their columns and data. Returns the names added. Runs in the caller's
 * transaction, which holds the customer tables' lock.
 */
export async function syncAttributeColumns(
  trx: Db,
  attributes: readonly CustomerAttribute[],
): Promise<string[]> {
  const recorded = new Map((await recordedAttributes(trx)).map((a) => [a.name, a.type]));
  const added: string[] = [];
  for (const attribute of attributes) {
    const existing = recorded.get(attribute.name);
    if (existing === attribute.type) continue;
    if (existing !== undefined) {
      throw new AttributeSchemaError(
        `customers.attributes: "${attribute.name}" is ${attribute.type} in the config but ${existing} in the database; changing an attribute's type is not supported (add a new attribute instead)`,
      );
    }
    const type = sql.raw(PG_TYPE[attribute.type]);
    for (const table of ["customers", "customer_history"]) {
      await sql`alter table ${sql.id(table)} add column ${sql.id(attribute.name)} ${type}`.execute(
        trx,
      );
    }
    await trx
      .insertInto("customer_attributes")
      .values({ name: attribute.name, type: attribute.type })
      .execute();
    added.push(attribute.name);
  }
  if (added.length > 0 || !(await hasVersionsView(trx))) {
    await rebuildVersionsView(trx, await recordedAttributes(trx));
  }
  return added;
}

async function hasVersionsView(db: Db): Promise<boolean> {
  const result = await sql<{ found: boolean }>`
    select to_regclass('customer_versions') is not null as found`.execute(db);
  return result.rows[0]?.found ?? false;
}

/** `customer_versions`: every version of every customer, the current one with valid_to null. */
async function rebuildVersionsView(db: Db, attributes: RecordedAttribute[]): Promise<void> {
  const columns = attributes.map((a) => sql`, ${sql.id(a.name)}`);
  await sql`drop view if exists customer_versions`.execute(db);
  await sql`create view customer_versions as
    select contact_key, valid_from, null::date as valid_to, present ${sql.join(columns, sql``)}
    from customers
    union all
    select contact_key, valid_from, valid_to, present ${sql.join(columns, sql``)}
    from customer_history`.execute(db);
}
