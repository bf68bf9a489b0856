// The steps of the nightly run: the day's files from the drop folder (a .csv and a .csv.gz), a
// missing file recorded as such, or the night stopped before any freeze when fresh data is
// required; the model run made once per date, and a no-op without transactions or for a date
// before the latest model run; a second run of a date changes nothing; `nightjar run --json`.
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { afterEach, beforeEach, expect, it } from "vitest";
import { injectFetch } from "../emulator/inject-fetch.ts";
import { useEmulator } from "../emulator/test-helpers.ts";
import { cliActor } from "../src/audit/audit.ts";
import { createCampaign } from "../src/campaigns/campaigns.ts";
import { EXAMPLE_CONFIG } from "../src/config/example.ts";
import type { NightjarConfig } from "../src/config/schema.ts";
import type { NightReport } from "../src/delivery/night-report.ts";
import { runNight } from "../src/delivery/nightly-run.ts";
import type { CampaignFixture } from "./helpers/campaigns.ts";
import { cli, onlyJson } from "./helpers/cli.ts";
import { describeEachEngine } from "./helpers/engines.ts";
import { nightFixture, type sharedClock } from "./helpers/night.ts";
import { IN_PROCESS_URL } from "./helpers/sfmc.ts";

const emulator = useEmulator();
const DATE = "2026-12-02";

/** A snapshot in the example config's attributes: C000001…C000006, even numbers in DE. */
const CUSTOMERS = [
  "contact_key,first_name,country,signup_date,allow_push",
  ...[1, 2, 3, 4, 5, 6].map(
    (i) => `C00000${i},Name${i},${i % 2 === 0 ? "DE" : "FR"},2026-01-0${i},true`,
  ),
].join("\n");
const TRANSACTIONS = [
  "contact_key,occurred_at,amount,transaction_id",
  "C000001,2026-11-01 10:00,20.00,T1",
  "C000002,2026-11-05 10:00,35.50,T2",
  "C000002,2026-11-20 10:00,12.00,T3",
  "C000004,2026-11-30 10:00,8.25,T4",
].join("\n");

function statuses(report: NightReport): [string, string][] {
  return report.steps.map((s) => [s.step, s.status]);
}

function step(report: NightReport, name: string) {
  const found = report.steps.find((s) => s.step === name);
  if (!found) throw new Error(`no step ${name} in run #${report.runId}`);
  return found;
}

describeEachEngine("the nightly run's steps", (test) => {
  let dir = "";
  let drop = "";
  let f: CampaignFixture & { clock: ReturnType<typeof sharedClock> };
  const configure = (c: NightjarConfig) => {
    c.imports.dropFolder = "drop";
  };
  const start = async (config: (c: NightjarConfig) => void = configure) => {
    f = await nightFixture(test().db, emulator(), {
      now: `${DATE}T02:00:00Z`,
      file: path.join(dir, "nightjar.config.json"),
      config,
    });
  };
  const run = (date = DATE) => runNight(f.t.app, { date, trigger: "cli", actor: cliActor() });
  const dropFile = (name: string, text: string, gzip = false) =>
    writeFile(path.join(drop, name), gzip ? gzipSync(text) : text);
  /** A campaign on DE (no control group), once on DATE at 10:00 UTC. */
  const campaign = async () => {
    const de = await f.group("DE", { field: "country", op: "eq", value: "DE" });
    return (
      await createCampaign(f.t.app, cliActor(), f.campaignBody(de, { controlGroupPercent: 0 }))
    ).campaign;
  };

  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "nightjar-steps-"));
    drop = path.join(dir, "drop");
    await mkdir(drop);
  });
  afterEach(async () => {
    await f?.t.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("imports the day's .csv and .csv.gz, runs the model, and a second run of the date changes nothing", async () => {
    await start();
    await dropFile(`customers-${DATE}.csv`, CUSTOMERS);
    await dropFile(`transactions-${DATE}.csv.gz`, TRANSACTIONS, true);
    const de = await campaign();
    const report = await run();
    expect(report.status).toBe("completed");
    expect(statuses(report)).toEqual([
      ["sync", "completed"],
      ["import-customers", "completed"],
      ["import-transactions", "completed"],
      ["model", "completed"],
      ["group-sizes", "completed"],
      ["plan", "completed"],
      ["freeze", "completed"],
      ["deliver", "completed"],
      ["metrics", "skipped"],
      ["retention", "skipped"],
    ]);
    const customers = step(report, "import-customers");
    expect(customers).toMatchObject({
      note: `customers-${DATE}.csv`,
      counts: { rows: 6, inserted: 6, updated: 0, unchanged: 0, removed: 0 },
    });
    expect(step(report, "import-transactions")).toMatchObject({
      note: `transactions-${DATE}.csv.gz`,
      counts: { rows: 4, inserted: 4, unchanged: 0, unknownContacts: 0 },
    });
    const model = step(report, "model");
    expect(model.counts).toMatchObject({ customers: 6, buyers: 3 });
    // The freshly imported customers are who the campaign reaches.
    expect(report.campaigns).toMatchObject([
      { id: de.id, recipients: 3, control: 0, batches: 1, sent: 1 },
    ]);

    const again = await run();
    expect(again.runId).toBeGreaterThan(report.runId);
    expect(again.status).toBe("completed");
    expect(step(again, "import-customers")).toMatchObject({
      status: "skipped",
      counts: { importId: customers.counts.importId },
      note: expect.stringContaining(`customers-${DATE}.csv was already imported`),
    });
    expect(step(again, "import-transactions")).toMatchObject({
      status: "skipped",
      note: expect.stringContaining(`transactions-${DATE}.csv.gz was already imported`),
    });
    expect(step(again, "model")).toMatchObject({
      status: "skipped",
      counts: { modelRunId: model.counts.modelRunId },
      note: `the model run of ${DATE} (#${model.counts.modelRunId}) is reused`,
    });
    expect(step(again, "freeze").counts).toMatchObject({ frozen: 0, alreadyFrozen: 1 });
    const imports = await f.t.app.db.kysely.selectFrom("imports").select("id").execute();
    expect(imports).toHaveLength(2);
    const runs = await f.t.app.db.kysely.selectFrom("model_runs").select("id").execute();
    expect(runs).toHaveLength(1);
  });

  it("imports the next day's snapshot even when its bytes are those of the day before", async () => {
    await start();
    await dropFile(`customers-${DATE}.csv`, CUSTOMERS);
    await dropFile("customers-2026-12-03.csv", CUSTOMERS);
    expect((await run()).status).toBe("completed");
    f.clock.set("2026-12-03T02:00:00Z");
    const next = await run("2026-12-03");
    // Same content, other date: the snapshot of 2026-12-03 is recorded (every row unchanged).
    expect(step(next, "import-customers")).toMatchObject({
      status: "completed",
      counts: { rows: 6, inserted: 0, updated: 0, unchanged: 6, removed: 0 },
    });
    const dates = await f.t.app.db.kysely
      .selectFrom("imports")
      .select("import_date")
      .orderBy("id")
      .execute();
    expect(dates.map((d) => d.import_date)).toEqual([DATE, "2026-12-03"]);
  });

  it("records a missing file as `no file`, with its path, and goes on with the night", async () => {
    await start();
    await dropFile(`customers-${DATE}.csv.gz`, CUSTOMERS, true);
    const de = await campaign();
    const report = await run();
    expect(report.status).toBe("completed");
    expect(step(report, "import-customers").status).toBe("completed");
    expect(step(report, "import-transactions")).toMatchObject({
      status: "no_file",
      note: `no file ${path.join(drop, `transactions-${DATE}.csv[.gz]`)}`,
      error: null,
    });
    // No transactions at all: the model has nothing to do, and the night is delivered.
    expect(step(report, "model")).toMatchObject({
      status: "skipped",
      note: "no transactions are imported: nothing to model",
    });
    expect(step(report, "deliver").status).toBe("completed");
    expect(report.campaigns).toMatchObject([{ id: de.id, recipients: 3, sent: 1 }]);
  });

  it("with schedule.requireFreshData stops before freezing anything and names the file it waited for", async () => {
    await start((c) => {
      configure(c);
      c.schedule.requireFreshData = true;
    });
    await dropFile(`customers-${DATE}.csv`, CUSTOMERS);
    const de = await campaign();
    const report = await run();
    expect(report.status).toBe("failed");
    const missing = path.join(drop, `transactions-${DATE}.csv[.gz]`);
    expect(report.error).toContain(`step import-transactions failed: waited for ${missing}`);
    expect(statuses(report)).toEqual([
      ["sync", "completed"],
      ["import-customers", "completed"],
      ["import-transactions", "failed"],
    ]);
    expect(step(report, "import-transactions").note).toBe(`no file ${missing}`);
    const frozen = await f.t.app.db.kysely
      .selectFrom("campaign_occurrences")
      .select("id")
      .execute();
    expect(frozen).toEqual([]);
    expect(report.campaigns).toEqual([]);

    // The file arrives: the next run of the date imports it and delivers the night.
    await dropFile(`transactions-${DATE}.csv`, TRANSACTIONS);
    const later = await run();
    expect(later.status).toBe("completed");
    expect(step(later, "import-customers").status).toBe("skipped");
    expect(step(later, "import-transactions").status).toBe("completed");
    expect(later.campaigns).toMatchObject([{ id: de.id, recipients: 3, sent: 1 }]);
  });

  it("makes no model run without transactions, nor for a date before the latest model run", async () => {
    await start((c) => {
      c.imports.dropFolder = null;
    });
    const empty = await run();
    expect(step(empty, "import-customers")).toMatchObject({
      status: "skipped",
      note: "no drop folder is configured (imports.dropFolder)",
    });
    expect(step(empty, "model")).toMatchObject({
      status: "skipped",
      note: "no transactions are imported: nothing to model",
    });
    await f.t.close();

    await start();
    await dropFile("customers-2026-12-03.csv", CUSTOMERS);
    await dropFile("transactions-2026-12-03.csv", TRANSACTIONS);
    f.clock.set("2026-12-03T02:00:00Z");
    const later = await run("2026-12-03");
    expect(step(later, "model").status).toBe("completed");
    const earlier = await run(DATE);
    expect(earlier.status).toBe("completed");
    expect(step(earlier, "import-customers").status).toBe("no_file");
    expect(step(earlier, "model")).toMatchObject({
      status: "skipped",
      note: `the latest model run is of 2026-12-03, after ${DATE}: no earlier run is made`,
      error: null,
    });
    const runs = await f.t.app.db.kysely.selectFrom("model_runs").select("run_date").execute();
    expect(runs.map((r) => r.run_date)).toEqual(["2026-12-03"]);
  });

  it("`nightjar run --json` prints the night's report and exits 0, non-zero when a step failed", async () => {
    await start();
    await dropFile(`customers-${DATE}.csv`, CUSTOMERS);
    await dropFile(`transactions-${DATE}.csv`, TRANSACTIONS);
    const de = await campaign();
    const config = structuredClone(EXAMPLE_CONFIG) as NightjarConfig;
    for (const account of config.sfmc.accounts) account.authBaseUrl = IN_PROCESS_URL;
    configure(config);
    const writeConfig = () =>
      writeFile(path.join(dir, "nightjar.config.json"), JSON.stringify(config));
    await writeConfig();
    const options = {
      db: test().db,
      clock: f.clock,
      fetch: injectFetch(emulator().app),
      env: { SFMC_CLIENT_SECRET: "demo-secret" },
    };
    const done = await cli(dir, ["run", "--date", DATE, "--json"], options);
    expect(done.code, done.stderr).toBe(0);
    const report = onlyJson(done) as NightReport;
    expect(report).toMatchObject({ date: DATE, status: "completed", unknownBatches: 0 });
    expect(report.campaigns).toHaveLength(1);
    expect(report.campaigns[0]).toMatchObject({
      id: de.id,
      name: "Winback DE",
      recipients: 3,
      control: 0,
      batches: 1,
      sent: 1,
      failed: 0,
      unknownBatches: 0,
      expired: 0,
      late: 0,
      firstSendTime: `${DATE}T10:00:00.000Z`,
      lastSendTime: `${DATE}T10:00:00.000Z`,
    });
    expect(done.stderr).toContain(`import-customers: completed — customers-${DATE}.csv`);

    // The next night's transactions file is missing, and fresh data is required.
    config.schedule.requireFreshData = true;
    await writeConfig();
    await dropFile("customers-2026-12-03.csv", CUSTOMERS);
    f.clock.set("2026-12-03T02:00:00Z");
    const stopped = await cli(dir, ["run", "--date", "2026-12-03", "--json"], options);
    expect(stopped.code).toBe(1);
    const failed = onlyJson(stopped) as NightReport;
    expect(failed).toMatchObject({ date: "2026-12-03", status: "failed", campaigns: [] });
    expect(failed.error).toContain("transactions-2026-12-03.csv[.gz]");
    expect(stopped.stderr).toContain("the nightly run of 2026-12-03 failed");
  });
});
