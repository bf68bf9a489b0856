import { sql } from "kysely";
import type { Db } from "../db/connect.ts";

/** A customer as it stood on some import date: attributes by name, plus its validity interval. */
export interface CustomerVersion {
  contact_key: string;
  valid_from: string;
  /** null while the version is the current one. */
  valid_to: string | null;
  /** false once the customer was missing from a snapshot. */
  present: boolean;
  [attribute: string]: unknown;
}

/**
 * Every customer's version in force on `date` (YYYY-MM-DD), as of the snapshots imported so far;
 * customers first seen after `date` are absent, removed ones come with `present: false`.
 */
export async function customersAsOf(db: Db, date: string): Promise<CustomerVersion[]> {
  const result = await sql<CustomerVersion>`
    select * from customer_versions
    where valid_from <= ${date}::date and (valid_to is null or valid_to > ${date}::date)
    order by contact_key`.execute(db);
  return result.rows;
}

/** All versions of one customer, oldest first. */
export async function customerVersions(db: Db, contactKey: string): Promise<CustomerVersion[]> {
  const result = await sql<CustomerVersion>`
    select * from customer_versions where contact_key = ${contactKey} order by valid_from`.execute(
    db,
  );
  return result.rows;
}
