// Crash tests of the nightly run: a night set up in a database through the use cases, then run by
// the real `nightjar run` process against the emulator over a socket, killed where a test says.
import { cp, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { sql } from "kysely";
import type { RunningEmulator } from "../../emulator/server.ts";
import { cliActor } from "../../src/audit/audit.ts";
import { createCampaign } from "../../src/campaigns/campaigns.ts";
import { EXAMPLE_CONFIG } from "../../src/config/example.ts";
import type { NightjarConfig } from "../../src/config/schema.ts";
import type { Db, NightjarDb } from "../../src/db/connect.ts";
import { openPGlite } from "../../src/db/pglite.ts";
import { inTransaction } from "../../src/db/transaction.ts";
import { nightOccurrences, selectPending } from "../../src/delivery/night.ts";
import { OUTLET_IOS } from "./campaigns.ts";
import { nightjar, type Run } from "./cli.ts";
import { seedDataFolder, type TestDatabase } from "./engines.ts";
import { nightFixture } from "./night.ts";

/** The night the crash tests run, and the instant its run starts (the emulator's clock). */
export const NIGHT = "2026-12-02";
export const NIGHT_STARTS = "2026-12-02T02:00:00Z";
/** The demo account's budget, scaled down so that the night's batches spread over windows. */
export const BUDGET = { recipients: 15_000, perMinutes: 30 } as const;
const CUSTOMERS = 20_000;

/** Nightjar's settings for a crash test: the budget above and `maxInFlight` calls at once. */
function tune(config: NightjarConfig, maxInFlight: number): void {
  for (const account of config.sfmc.accounts) {
    account.sendBudget = { ...BUDGET, reservePercent: 0 };
    account.maxInFlight = maxInFlight;
  }
}

/** A test list and a control list, by campaign id. */
export type Lists = Map<number, { test: Set<string>; control: Set<string> }>;

/** Puts `key` in campaign `id`'s test or control list. */
export function addToLists(lists: Lists, id: number, key: string, control: boolean): void {
  const list = lists.get(id) ?? { test: new Set<string>(), control: new Set<string>() };
  lists.set(id, list);
  (control ? list.control : list.test).add(key);
}

/** What the night was set up with. */
export interface NightSetup {
  campaigns: { id: number; name: string; messageId: string }[];
  /** The lists a clean freeze stores: the selection, taken in a transaction rolled back. */
  reference: Lists;
}

/**
 * Sets the night up on `db` through the use cases: the demo tenant's messages synced, 20,000
 * customers, and two campaigns at 10:00 on business units 100 (everyone, 10% control: 4 batches)
 * and 200 (DE, 5% control: 2 batches), together more than the budget of one window.
 */
export async function setUpNight(db: NightjarDb, emulator: RunningEmulator): Promise<NightSetup> {
  const f = await nightFixture(db, emulator, { now: NIGHT_STARTS, config: (c) => tune(c, 1) });
  try {
    await f.customers(CUSTOMERS, "2026-11-01");
    const everyone = await f.everyone();
    const de = await f.group("DE", { field: "country", op: "eq", value: "DE" });
    const app = f.t.app;
    const big = await createCampaign(
      app,
      cliActor(),
      f.campaignBody(everyone, { name: "Big", controlGroupPercent: 10, priority: 1 }),
    );
    const outlet = await createCampaign(
      app,
      cliActor(),
      f.campaignBody(de, {
        name: "Outlet DE",
        exclusive: false,
        controlGroupPercent: 5,
        priority: 2,
        businessUnit: "200",
        appId: OUTLET_IOS,
        messageId: f.messageOf(OUTLET_IOS).id,
      }),
    );
    const night = await nightOccurrences(app, NIGHT);
    const reference = await inTransaction(
      app.db.kysely,
      { timeZone: app.config.schedule.timeZone },
      async (trx) => {
        await selectPending(trx, app.config, NIGHT, night, false);
        const rows = await sql<{ occ: number; contact_key: string; control: boolean }>`
          select occ, contact_key, control from selection where assigned`.execute(trx);
        const lists: Lists = new Map();
        for (const r of rows.rows) {
          addToLists(lists, night[r.occ]?.campaign.id as number, r.contact_key, r.control);
        }
        return lists;
      },
      { commitIf: () => false },
    );
    return {
      campaigns: [big.campaign, outlet.campaign].map((c) => ({
        id: c.id,
        name: c.name,
        messageId: c.messageId,
      })),
      reference,
    };
  } finally {
    await f.t.close();
  }
}

/**
 * A PGlite data folder with the night set up, made once per suite and copied for each test (the
 * setup costs more than the copy).
 */
export async function nightTemplate(
  emulator: RunningEmulator,
): Promise<{ folder: string; setup: NightSetup; dispose(): Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "nightjar-crash-template-"));
  const folder = path.join(dir, "data");
  await seedDataFolder(folder);
  const db = await openPGlite(folder);
  let setup: NightSetup;
  try {
    setup = await setUpNight(db, emulator);
  } finally {
    await db.close();
  }
  return { folder, setup, dispose: () => rm(dir, { recursive: true, force: true }) };
}

/** One night of a crash test: its folder, its database, and how to run and inspect it. */
export interface CrashNight {
  /** `nightjar run --date NIGHT --json` in a process of its own, killed where `crash` says. */
  run(crash?: string): Promise<Run>;
  /** Reads the database between runs (a PGlite folder is opened and closed again for it). */
  look<T>(read: (db: Db) => Promise<T>): Promise<T>;
  dispose(): Promise<void>;
}

/**
 * The night on the test's engine: on PGlite a copy of `template` the process opens itself, on
 * PostgreSQL the test database (set up already), which the process reaches by DATABASE_URL.
 */
export async function crashNight(
  test: TestDatabase,
  emulator: RunningEmulator,
  options: { template: string | undefined; maxInFlight: number },
): Promise<CrashNight> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "nightjar-crash-"));
  const dataDir = path.join(dir, "data");
  if (test.engine === "pglite") await cp(options.template as string, dataDir, { recursive: true });
  const config = structuredClone(EXAMPLE_CONFIG) as NightjarConfig;
  tune(config, options.maxInFlight);
  for (const account of config.sfmc.accounts) account.authBaseUrl = emulator.url;
  config.database.dataDir = dataDir;
  const configFile = path.join(dir, "nightjar.config.json");
  await writeFile(configFile, JSON.stringify(config));
  const env: NodeJS.ProcessEnv = {
    NIGHTJAR_CONFIG: configFile,
    SFMC_CLIENT_SECRET: "demo-secret",
    NIGHTJAR_CLOCK: `emulator:${emulator.url}`,
    ...(test.url ? { DATABASE_URL: test.url } : {}),
  };
  return {
    run: (crash) =>
      nightjar(
        dir,
        ["run", "--date", NIGHT, "--json"],
        crash ? { ...env, NIGHTJAR_TEST_CRASH: crash } : env,
      ),
    async look(read) {
      if (test.engine === "postgres") return read(test.db.kysely);
      const db = await openPGlite(dataDir);
      try {
        return await read(db.kysely);
      } finally {
        await db.close();
      }
    },
    dispose: () => rm(dir, { recursive: true, force: true }),
  };
}
