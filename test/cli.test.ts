import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EXIT_CODES } from "../src/cli/main.ts";
import { cli, onlyJson } from "./helpers/cli.ts";
import { describeEachEngine } from "./helpers/engines.ts";

let empty = "";
beforeAll(async () => {
  empty = await mkdtemp(path.join(os.tmpdir(), "nightjar-cli-"));
});
afterAll(async () => {
  await rm(empty, { recursive: true, force: true });
});

describe("nightjar command line", () => {
  it("shows help for every command in an empty folder, without a config", async () => {
    const top = await cli(empty, ["--help"]);
    expect(top.code).toBe(0);
    expect(top.stdout).toMatch(/Usage: nightjar/);
    for (const command of [
      "init",
      "migrate",
      "import",
      "import customers",
      "import transactions",
      "emulator",
      "model",
      "model run",
      "model fit",
      "sfmc",
      "sfmc check",
      "sfmc sync",
      "sfmc messages",
    ]) {
      const run = await cli(empty, [...command.split(" "), "--help"]);
      expect(run.code, command).toBe(0);
      expect(run.stdout).toContain(`Usage: nightjar ${command}`);
    }
  });

  it("exits 2 on a usage error, with an error document on stdout under --json", async () => {
    const run = await cli(empty, ["import", "customers", "--no-such-option"]);
    expect(run.code).toBe(EXIT_CODES.usage);
    expect(run.stderr).toContain("unknown option '--no-such-option'");
    expect(run.stdout).toBe("");
    const json = await cli(empty, ["model", "run", "--date", "yesterday", "--json"]);
    expect(json.code).toBe(2);
    expect(onlyJson(json)).toEqual({
      error: {
        type: "UsageError",
        kind: "usage",
        code: "commander.invalidArgument",
        message: expect.stringContaining("expected a date, YYYY-MM-DD"),
      },
    });
  });

  it("prints its version", async () => {
    const { version } = JSON.parse(
      await readFile(new URL("../package.json", import.meta.url), "utf8"),
    );
    const run = await cli(empty, ["--version"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(`${version}\n`);
  });

  it("writes the example config with init, and refuses to overwrite it", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "nightjar-init-"));
    const run = await cli(dir, ["init", "--json"]);
    expect(run.code).toBe(0);
    expect(onlyJson(run)).toEqual({ file: path.join(dir, "nightjar.config.json") });
    const config = JSON.parse(await readFile(path.join(dir, "nightjar.config.json"), "utf8"));
    expect(config.sfmc.accounts[0]).toMatchObject({
      authBaseUrl: "http://127.0.0.1:4010/",
      clientId: "demo-client",
      clientSecret: "env:SFMC_CLIENT_SECRET",
    });
    const again = await cli(dir, ["init"]);
    expect(again.code).toBe(EXIT_CODES.conflict);
    expect(again.stderr).toContain("already exists; use --force to overwrite it");
    expect((await cli(dir, ["init", "--force"])).code).toBe(0);
    await rm(dir, { recursive: true, force: true });
  });

  it("reports config errors by key with the config exit code, as one JSON document under --json", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "nightjar-badconfig-"));
    await writeFile(
      path.join(dir, "nightjar.config.json"),
      JSON.stringify({ schedule: { timeZone: "Nowhere/Land" } }),
    );
    const run = await cli(dir, ["migrate", "--json"]);
    expect(run.code).toBe(EXIT_CODES.config);
    expect(run.stderr).toContain("schedule.timeZone: is not a known IANA time zone");
    expect(onlyJson(run)).toMatchObject({ error: { type: "ConfigError", kind: "config" } });
    const missing = await cli(empty, ["import", "customers", "x.csv"]);
    expect(missing.code).toBe(EXIT_CODES.config);
    expect(missing.stderr).toContain("run `nightjar init` to write an example config");
    const clock = await cli(dir, ["migrate"], { env: { NIGHTJAR_CLOCK: "tomorrow" } });
    expect(clock.code).toBe(EXIT_CODES.config);
    await rm(dir, { recursive: true, force: true });
  });

  it("reads a config file that starts with a UTF-8 byte-order mark", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "nightjar-bom-"));
    await writeFile(path.join(dir, "nightjar.config.json"), `\uFEFF${JSON.stringify({})}`);
    const run = await cli(dir, ["sfmc", "check", "--json"]);
    expect(run.code, run.stderr).toBe(0);
    expect(onlyJson(run)).toEqual({ ok: true, accounts: [] });
    await rm(dir, { recursive: true, force: true });
  });

  it("never prints the database password", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "nightjar-secret-"));
    await writeFile(path.join(dir, "nightjar.config.json"), "{}");
    const run = await cli(dir, ["migrate", "--json"], {
      env: { DATABASE_URL: "postgres://nightjar:hunter2-secret@127.0.0.1:1/nightjar" },
    });
    expect(run.code).not.toBe(0);
    expect(`${run.stdout}${run.stderr}`).not.toContain("hunter2-secret");
    await rm(dir, { recursive: true, force: true });
  });
});

describeEachEngine("nightjar import", (test) => {
  let dir = "";
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "nightjar-import-cli-"));
    await writeFile(
      path.join(dir, "nightjar.config.json"),
      JSON.stringify({
        customers: {
          attributes: [{ name: "allow_push", type: "boolean", required: true }],
          // Day 2 removes one of two customers.
          maxRemovedPercent: 50,
        },
      }),
    );
    await writeFile(path.join(dir, "day1.csv"), "contact_key,allow_push\nA,true\nB,false\n");
    await writeFile(path.join(dir, "day2.csv"), "contact_key,allow_push\nA,false\nC,true\n");
    await writeFile(path.join(dir, "bad.csv"), "contact_key,allow_push\nA,perhaps\n");
    await writeFile(
      path.join(dir, "tx.csv"),
      "contact_key,occurred_at,amount,transaction_id\nA,2026-11-01 10:00,9.99,T1\n",
    );
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const run = (args: string[]) => cli(dir, args, { db: test().db });

  it("imports snapshots and transactions, printing exactly one JSON line", async () => {
    const first = await run(["import", "customers", "day1.csv", "--date", "2026-11-01", "--json"]);
    expect(first.code, first.stderr).toBe(0);
    expect(onlyJson(first)).toEqual({
      rows: 2,
      inserted: 2,
      updated: 0,
      unchanged: 0,
      removed: 0,
      seconds: expect.any(Number),
    });
    const second = await run(["import", "customers", "day2.csv", "--date", "2026-11-02"]);
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(
      /^Imported day2\.csv as the 2026-11-02 snapshot: 2 rows — 1 new, 1 updated, 0 unchanged, 1 removed \(\d+\.\d s\)\.\n$/,
    );
    const tx = await run(["import", "transactions", "tx.csv", "--json"]);
    expect(tx.code).toBe(0);
    expect(onlyJson(tx)).toEqual({
      rows: 1,
      inserted: 1,
      updated: 0,
      unchanged: 0,
      removed: 0,
      seconds: expect.any(Number),
    });
  });

  it("dates a snapshot today in the schedule's time zone, by NIGHTJAR_CLOCK", async () => {
    const at = await cli(dir, ["import", "customers", "day1.csv", "--json"], {
      db: test().db,
      env: { NIGHTJAR_CLOCK: "fixed:2026-12-24T23:30:00-05:00" },
    });
    expect(at.code, at.stderr).toBe(0);
    const imports = await test()
      .db.kysely.selectFrom("imports")
      .select(["import_date", "started_at"])
      .execute();
    // 23:30 in New York is 04:30 UTC the next day; the schedule's zone is UTC.
    expect(imports).toEqual([
      { import_date: "2026-12-25", started_at: new Date("2026-12-25T04:30:00Z") },
    ]);
  });

  it("exits 1 on a refused file, with the problems on stderr and in the JSON document", async () => {
    const refused = await run([
      "import",
      "customers",
      "bad.csv",
      "--date",
      "2026-11-03",
      "--json",
      "--errors-file",
      "bad-errors.csv",
    ]);
    expect(refused.code).toBe(EXIT_CODES.refused);
    expect(refused.stderr).toContain(
      'line 2, column allow_push, value "perhaps": not a boolean (use true/false, yes/no or 1/0)',
    );
    expect(onlyJson(refused)).toEqual({
      error: {
        type: "ImportRefusedError",
        kind: "refused",
        message: expect.stringContaining("bad.csv was refused (1 problem); nothing was imported"),
        file: path.join(dir, "bad.csv"),
        totalProblems: 1,
        problems: [
          {
            line: 2,
            column: "allow_push",
            value: "perhaps",
            reason: "not a boolean (use true/false, yes/no or 1/0)",
          },
        ],
        errorsFile: path.join(dir, "bad-errors.csv"),
      },
    });
    expect(await readFile(path.join(dir, "bad-errors.csv"), "utf8")).toContain(
      "2,allow_push,perhaps,",
    );
  });

  it("runs the customer model, printing one JSON line, and refuses an earlier date", async () => {
    const load = await run(["import", "customers", "day1.csv", "--date", "2026-11-01"]);
    expect(load.code, load.stderr).toBe(0);
    expect((await run(["import", "transactions", "tx.csv"])).code).toBe(0);
    const json = await run(["model", "run", "--date", "2026-11-02", "--json"]);
    expect(json.code, json.stderr).toBe(0);
    expect(onlyJson(json)).toMatchObject({
      date: "2026-11-02",
      customers: 2,
      buyers: 1,
      stages: { prospect: 1, new: 1, active: 0, at_risk: 0, churned: 0, reactivated: 0 },
      fit: { reused: false, bgnbd: null, gammaGamma: null },
      seconds: expect.any(Number),
    });
    const human = await run(["model", "run", "--date", "2026-11-02"]);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toMatch(
      /^Model run for 2026-11-02: 2 customers \(1 with purchases\) in \d+\.\d s\n/,
    );
    expect(human.stdout).toContain("stages: Prospect 1 · New 1 · Active 0");
    const earlier = await run(["model", "run", "--date", "2026-11-01", "--json"]);
    expect(earlier.code).toBe(EXIT_CODES.conflict);
    expect(onlyJson(earlier)).toMatchObject({
      error: { type: "ModelRunOrderError", message: expect.stringContaining("out of order") },
    });
  });

  it("applies migrations and reports the schema version", async () => {
    const migrated = await run(["migrate", "--json"]);
    expect(migrated.code, migrated.stderr).toBe(0);
    // The test database is migrated already; the version is the newest migration's number.
    const migrations = (await readdir(new URL("../src/db/migrations/", import.meta.url))).sort();
    const newest = Number(migrations.at(-1)?.slice(0, 4));
    expect(newest).toBeGreaterThanOrEqual(5);
    expect(onlyJson(migrated)).toEqual({
      applied: [],
      attributesAdded: ["allow_push"],
      workTablesDropped: 0,
      schemaVersion: newest,
    });
  });
});
