import { ModelSettings } from "../../src/config/schema.ts";
import { importCustomers } from "../../src/customers/import-customers.ts";
import { importTransactions } from "../../src/customers/import-transactions.ts";
import type { NightjarDb } from "../../src/db/connect.ts";
import { runModel } from "../../src/model/run/run.ts";
import type { tempFolder } from "./files.ts";
import { testClock } from "./imports.ts";

/** The model's default settings. */
export const MODEL_SETTINGS = ModelSettings.parse({});

type Files = ReturnType<typeof tempFolder>;

/** A snapshot of `keys` (each with push consent) for `date`; removals are not guarded. */
export async function importKeys(
  db: NightjarDb,
  files: Files,
  keys: string[],
  date = "2026-01-01",
): Promise<void> {
  const lines = ["contact_key,allow_push", ...keys.map((k) => `${k},true`)];
  await importCustomers(db, {
    path: await files.file(`customers-${date}-${keys.length}-${Math.random()}.csv`, lines),
    date,
    attributes: [{ name: "allow_push", type: "boolean", required: true }],
    timeZone: "UTC",
    clock: testClock(),
    // A handful of customers: leaving one out is a large share, on purpose.
    maxRemovedPercent: 100,
  });
}

/** Purchases as [contact key, date, amount], at noon UTC. */
export async function importPurchases(
  db: NightjarDb,
  files: Files,
  rows: [string, string, number][],
): Promise<void> {
  const lines = [
    "contact_key,occurred_at,amount",
    ...rows.map(([k, d, a]) => `${k},${d} 12:00,${a}`),
  ];
  await importTransactions(db, {
    path: await files.file(`tx-${Math.random()}.csv`, lines),
    timeZone: "UTC",
    clock: testClock(),
  });
}

/** The model run for `date`, in UTC. */
export function runModelOn(db: NightjarDb, date: string, settings = MODEL_SETTINGS) {
  return runModel(db, { date, timeZone: "UTC", settings, clock: testClock() });
}
