import { sql } from "kysely";
import { type App, createApp } from "../../src/app.ts";
import { TestClock } from "../../src/clock.ts";
import { configFromObject } from "../../src/config/load.ts";
import type { CustomerAttribute } from "../../src/config/schema.ts";
import type { NightjarDb } from "../../src/db/connect.ts";

/** The attributes of the targeting fixture: one of every type, and an exclusion flag. */
export const TARGETING_ATTRIBUTES: CustomerAttribute[] = [
  { name: "first_name", type: "text", required: false },
  { name: "country", type: "text", required: false },
  { name: "signup_date", type: "date", required: false },
  { name: "allow_push", type: "boolean", required: false },
  { name: "points", type: "integer", required: false },
  { name: "lifetime_value", type: "numeric", required: false },
  { name: "last_seen_at", type: "timestamp", required: false },
  { name: "blocked", type: "boolean", required: false },
];

/** The fixture's as-of date: its clock reads noon of it in Berlin. */
export const AS_OF = "2026-03-31";

/** An app on `db` with the targeting attributes and `customers`/`campaigns` overrides. */
export async function targetingApp(
  db: NightjarDb,
  overrides: {
    attributes?: CustomerAttribute[];
    pushConsent?: string | null;
    exclusionFlags?: string[];
    globalControlPercent?: number;
    timeZone?: string;
    now?: string;
  } = {},
): Promise<App> {
  const config = configFromObject(
    {
      customers: {
        attributes: overrides.attributes ?? TARGETING_ATTRIBUTES,
        pushConsent: overrides.pushConsent ?? null,
        exclusionFlags: overrides.exclusionFlags ?? ["blocked"],
      },
      schedule: { timeZone: overrides.timeZone ?? "Europe/Berlin" },
      campaigns: { globalControlPercent: overrides.globalControlPercent ?? 0 },
    },
    { file: "/nonexistent/nightjar.config.json", env: {} },
  );
  return createApp({
    config,
    db,
    upgrade: true,
    clock: new TestClock(overrides.now ?? `${AS_OF}T10:00:00Z`),
  });
}

type Row = Record<string, unknown>;

/** Inserts rows into `table` with exactly these columns (parameters only). */
export async function insertRows(db: NightjarDb, table: string, rows: Row[]): Promise<void> {
  for (const row of rows) {
    const names = Object.keys(row);
    await sql`insert into ${sql.table(table)} (${sql.join(names.map((n) => sql.id(n)))})
      values (${sql.join(names.map((n) => row[n]))})`.execute(db.kysely);
  }
}

/** A customer row of the fixture: present, first seen 2026-01-01, with these attributes. */
function customer(key: string, attributes: Row, extra: Row = {}): Row {
  return {
    contact_key: key,
    present: true,
    first_seen_on: "2026-01-01",
    valid_from: "2026-01-01",
    last_import_id: 1,
    ...attributes,
    ...extra,
  };
}

/** A current model row (run of AS_OF). */
function model(key: string, values: Row): Row {
  return {
    contact_key: key,
    run_id: 1,
    run_date: AS_OF,
    segment: "x",
    purchases: 0,
    valid_from: values.stage_since,
    ...values,
  };
}

/**
 * Twelve customers (K07 not present) with nulls, `%`/`_`/`\` in names, dates on window edges,
 * model rows and stage history, purchases and refunds around Berlin midnights. The expected sets
 * of the rule tests are computed by hand from these rows (see the comments there).
 */
export async function seedFixture(db: NightjarDb): Promise<void> {
  await insertRows(db, "imports", [
    {
      kind: "customers",
      import_date: AS_OF,
      file_name: "fixture.csv",
      file_sha256: "0",
      rows: 12,
      inserted: 12,
      updated: 0,
      unchanged: 0,
      removed: 0,
      started_at: "2026-03-31T01:00:00Z",
    },
  ]);
  await insertRows(db, "customers", [
    customer("K01", {
      first_name: "Anna",
      country: "DE",
      signup_date: "2026-03-31",
      allow_push: true,
      points: 10,
      lifetime_value: "100.50",
      // 00:30 on 31 March in Berlin (CEST, +2).
      last_seen_at: "2026-03-30T22:30:00Z",
      blocked: false,
    }),
    customer("K02", {
      first_name: "anna-maria",
      country: "de",
      signup_date: "2026-03-02",
      allow_push: true,
      points: 20,
      lifetime_value: "0",
      // 23:30 on 30 March in Berlin.
      last_seen_at: "2026-03-30T21:30:00Z",
      blocked: null,
    }),
    customer("K03", {
      first_name: "100% Bob",
      country: "FR",
      signup_date: "2026-03-01",
      allow_push: false,
      points: 30,
      last_seen_at: "2026-03-01T00:00:00Z",
      blocked: false,
    }),
    customer("K04", {
      first_name: "Jo_e",
      signup_date: "2026-02-28",
      allow_push: true,
      lifetime_value: "99.99",
      blocked: true,
    }),
    customer("K05", { first_name: "back\\slash", country: "AT", points: 5, blocked: false }),
    customer("K06", {
      first_name: "x'; drop table customers; --",
      country: "DE",
      allow_push: true,
      points: 15,
      blocked: false,
    }),
    customer("K07", { first_name: "Zoe", country: "US", allow_push: true }, { present: false }),
    customer("K08", {
      first_name: "ANNA",
      country: "DE",
      allow_push: true,
      points: 25,
      lifetime_value: "1000",
      blocked: false,
    }),
    customer("K09", { country: "CH", allow_push: true, blocked: false }),
    customer("K10", { first_name: "Ben", country: "DE", allow_push: true, blocked: false }),
    customer("K11", { first_name: "Carl", country: "FR", allow_push: true, blocked: false }),
    customer(
      "K12",
      { first_name: "Dora", country: "IT", allow_push: true, blocked: false },
      { first_seen_on: AS_OF, valid_from: AS_OF },
    ),
  ]);
  await insertRows(db, "customer_model", [
    model("K01", {
      stage: "active",
      stage_since: "2026-03-20",
      segment: "v1f2",
      value_tier: 10,
      p_alive: 0.9,
      expected_purchases: 2.5,
      expected_spend: 40,
      clv: 300,
      purchases: 5,
      recency_days: 3,
      tenure_days: 200,
      last_purchase_on: "2026-03-28",
    }),
    model("K02", {
      stage: "at_risk",
      stage_since: "2026-03-28",
      segment: "v2f1",
      value_tier: 5,
      p_alive: 0.5,
      expected_purchases: 0.5,
      expected_spend: 20,
      clv: 50,
      purchases: 2,
      recency_days: 89,
      tenure_days: 150,
      last_purchase_on: "2026-01-01",
    }),
    model("K03", {
      stage: "churned",
      stage_since: "2026-01-10",
      segment: "v3",
      value_tier: 1,
      p_alive: 0.1,
      expected_purchases: 0.01,
      expected_spend: 10,
      clv: 0,
      purchases: 1,
      recency_days: 303,
      tenure_days: 303,
      last_purchase_on: "2025-06-01",
    }),
    model("K04", {
      stage: "new",
      stage_since: "2026-03-25",
      segment: "v1",
      purchases: 1,
      last_purchase_on: "2026-03-25",
    }),
    model("K05", { stage: "prospect", stage_since: "2026-03-01", segment: "p" }),
    model("K06", {
      stage: "reactivated",
      stage_since: AS_OF,
      segment: "v2",
      value_tier: 7,
      p_alive: 0.7,
      clv: 120,
      purchases: 3,
    }),
    model("K08", {
      stage: "active",
      stage_since: "2026-01-01",
      valid_from: "2026-02-01",
      segment: "v1f1",
      value_tier: 9,
      p_alive: 0.95,
      clv: 800,
      purchases: 9,
    }),
  ]);
  const version = (key: string, from: string, to: string, stage: string, segment = "x") => ({
    contact_key: key,
    valid_from: from,
    valid_to: to,
    stage,
    stage_since: from,
    segment,
  });
  await insertRows(db, "customer_model_history", [
    version("K01", "2026-01-01", "2026-03-10", "active"),
    version("K01", "2026-03-10", "2026-03-20", "at_risk"),
    version("K02", "2026-01-01", "2026-03-28", "active"),
    version("K03", "2025-12-01", "2026-01-10", "at_risk"),
    version("K06", "2026-02-01", AS_OF, "churned"),
    // A change of segment only: no change of stage.
    version("K08", "2026-01-01", "2026-02-01", "active", "v1f2"),
  ]);
  const purchase = (key: string, at: string, amount: number) => ({
    contact_key: key,
    occurred_at: at,
    amount,
    import_id: 2,
  });
  await insertRows(db, "transactions", [
    purchase("K01", "2026-03-30T22:30:00Z", 20), // 31 March 00:30 in Berlin
    purchase("K01", "2026-03-10T12:00:00Z", 30),
    purchase("K02", "2026-03-30T21:30:00Z", 50), // 30 March 23:30 in Berlin
    purchase("K03", "2026-03-31T21:59:00Z", 10), // 31 March 23:59 in Berlin
    purchase("K03", "2026-03-31T22:00:00Z", 5), // 1 April 00:00 in Berlin: after the as-of date
    purchase("K04", "2026-03-25T10:00:00Z", 40),
    purchase("K04", "2026-03-26T10:00:00Z", -40), // a refund
    purchase("K05", "2026-03-20T10:00:00Z", -10), // a refund only
    purchase("K06", "2026-03-02T12:00:00Z", 0), // a purchase of 0, 29 days before
    purchase("K06", "2026-03-01T12:00:00Z", 100), // 30 days before: outside withinDays 30
    purchase("K08", "2026-01-15T12:00:00Z", 500),
    purchase("K10", "2026-03-29T12:00:00Z", 10),
    purchase("K10", "2026-03-30T12:00:00Z", 15),
  ]);
}

/** Saves a target group with this rule; returns its id. */
export async function saveGroup(
  db: NightjarDb,
  name: string,
  rule: unknown,
  options: { deleted?: boolean } = {},
): Promise<number> {
  const at = new TestClock(`${AS_OF}T10:00:00Z`).now();
  const row = await db.kysely
    .insertInto("target_groups")
    .values({
      name,
      rule: JSON.stringify(rule),
      created_at: at,
      updated_at: at,
      deleted_at: options.deleted ? at : null,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return row.id;
}
