import { sql } from "kysely";
import { expect } from "vitest";
import { TestClock } from "../../src/clock.ts";
import type { CustomerAttribute } from "../../src/config/schema.ts";
import { importCustomers } from "../../src/customers/import-customers.ts";
import { type ImportProblem, ImportRefusedError } from "../../src/customers/import-report.ts";
import type { NightjarDb } from "../../src/db/connect.ts";
import { TEST_ATTRIBUTES } from "./files.ts";

export const HEADER =
  "contact_key,first_name,country,signup_date,allow_push,points,lifetime_value,last_seen_at";

/** A clock for tests that do not care what time it is (it stands still at a fixed instant). */
export function testClock(at = "2026-11-30T12:00:00Z"): TestClock {
  return new TestClock(at);
}

/**
 * Imports a customer snapshot with the test attributes (or `extra.attributes`). The removal guard
 * is off unless `extra.maxRemovedPercent` sets it: a handful of customers, removing one is a large
 * share, on purpose (the guard has tests of its own).
 */
export function load(
  db: NightjarDb,
  file: string,
  date: string,
  extra: {
    delimiter?: string;
    errorsFile?: string;
    attributes?: CustomerAttribute[];
    maxRemovedPercent?: number;
    allowRemovals?: boolean;
  } = {},
) {
  return importCustomers(db, {
    path: file,
    date,
    attributes: TEST_ATTRIBUTES,
    timeZone: "UTC",
    clock: testClock(),
    maxRemovedPercent: 100,
    ...extra,
  });
}

export async function refusal(promise: Promise<unknown>): Promise<ImportRefusedError> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(ImportRefusedError);
  return error as ImportRefusedError;
}

/** What a refusal reported, as comparable tuples. */
export function reported(error: ImportRefusedError): [number, string, string | null, string][] {
  return error.problems.map((p: ImportProblem) => [p.line, p.column, p.value, p.reason]);
}

/** Everything an import may change, to compare before and after a refused file. */
export async function snapshotOfTables(db: NightjarDb) {
  const customers = await sql`select * from customers order by contact_key`.execute(db.kysely);
  const history =
    await sql`select * from customer_history order by contact_key, valid_from`.execute(db.kysely);
  const imports = await sql`select id, import_date, rows from imports order by id`.execute(
    db.kysely,
  );
  const staging =
    await sql`select tablename from pg_tables where tablename like 'import_staging_%'`.execute(
      db.kysely,
    );
  return {
    customers: customers.rows,
    history: history.rows,
    imports: imports.rows,
    staging: staging.rows,
  };
}
