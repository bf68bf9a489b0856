// The application core end to end: one app (config, vault, test clock, database, SFMC clients)
// runs the use cases every entry point calls, and every date and time they record comes from the
// clock.

import { expect, it } from "vitest";
import { injectFetch } from "../emulator/inject-fetch.ts";
import { useEmulator } from "../emulator/test-helpers.ts";
import { createApp } from "../src/app.ts";
import { cliActor } from "../src/audit/audit.ts";
import { TestClock } from "../src/clock.ts";
import { EXAMPLE_CONFIG } from "../src/config/example.ts";
import { configFromObject } from "../src/config/load.ts";
import { importCustomerSnapshot } from "../src/customers/import-customers.ts";
import { importTransactionsFile } from "../src/customers/import-transactions.ts";
import { runCustomerModel } from "../src/model/run/run.ts";
import { syncMessages } from "../src/sfmc/sync.ts";
import { describeEachEngine } from "./helpers/engines.ts";
import { tempFolder } from "./helpers/files.ts";
import { IN_PROCESS_URL } from "./helpers/sfmc.ts";

const emulator = useEmulator();
const files = tempFolder();

describeEachEngine("the application core", (test) => {
  it("runs the sync, the imports and the model run on the clock's time", async () => {
    const config = structuredClone(EXAMPLE_CONFIG);
    config.schedule.timeZone = "Europe/Berlin";
    for (const account of config.sfmc.accounts) account.authBaseUrl = IN_PROCESS_URL;
    const loaded = configFromObject(config, {
      file: `${files.dir()}/nightjar.config.json`,
      env: { SFMC_CLIENT_SECRET: "demo-secret" },
    });
    // 23:30 UTC is already the next day in Berlin.
    const clock = new TestClock("2026-11-30T23:30:00Z");
    const app = await createApp({
      config: loaded,
      db: test().db,
      upgrade: true,
      clock,
      fetch: injectFetch(emulator().app),
    });
    expect(app.upgrade.attributesAdded).toEqual([
      "first_name",
      "country",
      "signup_date",
      "allow_push",
    ]);
    const synced = await syncMessages(app, cliActor());
    expect(synced).toEqual({
      accounts: 1,
      messages: { added: 7, updated: 0, removed: 0, kept: 0 },
      problems: [],
    });
    const seen = await app.db.kysely
      .selectFrom("sfmc_messages")
      .select("first_seen_at")
      .distinct()
      .execute();
    expect(seen).toEqual([{ first_seen_at: clock.now() }]);

    const snapshot = await importCustomerSnapshot(app, {
      path: await files.file("customers.csv", [
        "contact_key,allow_push",
        "C000001,true",
        "C000002,true",
      ]),
    });
    expect(snapshot).toMatchObject({ date: "2026-12-01", inserted: 2 });
    clock.advance({ minutes: 5 });
    const purchases = await importTransactionsFile(app, {
      path: await files.file("transactions.csv", [
        "contact_key,occurred_at,amount",
        "C000001,2026-11-20 10:00,25",
        "C000001,2026-11-27 10:00,30",
      ]),
    });
    expect(purchases).toMatchObject({ inserted: 2, unknownContacts: 0 });
    const imports = await app.db.kysely
      .selectFrom("imports")
      .select(["kind", "import_date", "started_at", "finished_at"])
      .orderBy("id")
      .execute();
    expect(imports).toEqual([
      {
        kind: "customers",
        import_date: "2026-12-01",
        started_at: new Date("2026-11-30T23:30:00Z"),
        finished_at: new Date("2026-11-30T23:30:00Z"),
      },
      {
        kind: "transactions",
        import_date: null,
        started_at: new Date("2026-11-30T23:35:00Z"),
        finished_at: new Date("2026-11-30T23:35:00Z"),
      },
    ]);

    clock.advance({ days: 1 });
    const run = await runCustomerModel(app);
    expect(run).toMatchObject({ date: "2026-12-02", customers: 2, buyers: 1 });
    const runs = await app.db.kysely
      .selectFrom("model_runs")
      .select(["run_date", "started_at", "finished_at"])
      .execute();
    expect(runs).toEqual([
      {
        run_date: "2026-12-02",
        started_at: new Date("2026-12-01T23:35:00Z"),
        finished_at: new Date("2026-12-01T23:35:00Z"),
      },
    ]);
    // The app never owns the database: the caller's is still open.
    await expect(
      test().db.kysely.selectFrom("imports").select("id").execute(),
    ).resolves.toHaveLength(2);
  });
});
