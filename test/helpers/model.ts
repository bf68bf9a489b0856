import { ModelSettings } from "../../src/config/schema.ts";
import { importCustomers } from "../../src/customers/import-customers.ts";
import { importTransactions } from "../../src/customers/import-transactions.ts";
import type { NightjarDb } from "../../src/db/connect.ts";
import { runModel } from "../../src/model/run/run.ts";
import { addDays } from "../../src/time/zones.ts";
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

/** Customers with BG/NBD-like behaviour: enough for a fit. */
export function simulatedPurchases(count: number, end: string): [string, string, number][] {
  let seed = 12345;
  const random = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const rows: [string, string, number][] = [];
  for (let i = 0; i < count; i++) {
    const key = `S${String(i).padStart(4, "0")}`;
    let day = -Math.floor(random() * 300) - 30;
    const rate = 0.02 + random() * 0.1;
    const life = random() < 0.4 ? Math.floor(random() * 200) : 10_000;
    const spend = 10 + random() * 60;
    const start = day;
    while (day < 0 && day - start < life) {
      rows.push([key, addDays(end, day), Math.round(spend * (0.5 + random()) * 100) / 100]);
      day += Math.max(1, Math.round(-Math.log(1 - random()) / rate));
    }
  }
  return rows;
}

/**
 * Two model runs whose customers move between stages: `movers` customers buy every 10 days
 * from 2026-03-01 to 2026-05-25 (Active on 2026-05-30, At-risk on 2026-06-20), N1 buys first on
 * 2026-06-15 (Prospect, then New) and P1 and P2 never buy (Prospect twice).
 */
export async function stageMovesStory(
  db: NightjarDb,
  files: Files,
  movers = 3,
): Promise<{ first: string; second: string }> {
  const keys = Array.from({ length: movers }, (_, i) => `A${String(i + 1).padStart(3, "0")}`);
  await importKeys(db, files, [...keys, "N1", "P1", "P2"]);
  const rows: [string, string, number][] = [["N1", "2026-06-15", 30]];
  for (const key of keys)
    for (let d = "2026-03-01"; d <= "2026-05-25"; d = addDays(d, 10)) rows.push([key, d, 20]);
  await importPurchases(db, files, rows);
  await runModelOn(db, "2026-05-30");
  await runModelOn(db, "2026-06-20");
  return { first: "2026-05-30", second: "2026-06-20" };
}
