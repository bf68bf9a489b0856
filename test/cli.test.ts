import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { nightjar, onlyJson } from "./helpers/cli.ts";
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
    const top = await nightjar(empty, ["--help"]);
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
    ]) {
      const run = await nightjar(empty, [...command.split(" "), "--help"]);
      expect(run.code, command).toBe(0);
      expect(run.stdout).toContain(`Usage: nightjar ${command}`);
    }
  });

  it("exits 2 on a usage error", async () => {
    const run = await nightjar(empty, ["import", "customers", "--no-such-option"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("unknown option '--no-such-option'");
  });

  it("writes the example config with init, and refuses to overwrite it", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "nightjar-init-"));
    const run = await nightjar(dir, ["init", "--json"]);
    expect(run.code).toBe(0);
    expect(onlyJson(run)).toEqual({ file: path.join(dir, "nightjar.config.json") });
    const config = JSON.parse(await readFile(path.join(dir, "nightjar.config.json"), "utf8"));
    expect(config.sfmc.accounts[0]).toMatchObject({
      authBaseUrl: "http://127.0.0.1:4010/",
      clientId: "demo-client",
      clientSecret: "env:SFMC_CLIENT_SECRET",
    });
    const again = await nightjar(dir, ["init"]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("already exists; use --force to overwrite it");
    expect((await nightjar(dir, ["init", "--force"])).code).toBe(0);
    await rm(dir, { recursive: true, force: true });
  });

  it("reports config errors by key and exits 1, as one JSON document under --json", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "nightjar-badconfig-"));
    await writeFile(
      path.join(dir, "nightjar.config.json"),
      JSON.stringify({ schedule: { timeZone: "Nowhere/Land" } }),
    );
    const run = await nightjar(dir, ["migrate", "--json"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("schedule.timeZone: is not a known IANA time zone");
    expect(onlyJson(run)).toMatchObject({ error: { type: "ConfigError" } });
    const missing = await nightjar(empty, ["import", "customers", "x.csv"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("run `nightjar init` to write an example config");
    await rm(dir, { recursive: true, force: true });
  });

  it("refuses to open the embedded database while another process has it", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "nightjar-lock-"));
    await writeFile(path.join(dir, "nightjar.config.json"), "{}");
    // This test process stands in for a running import.
    await writeFile(path.join(dir, ".nightjar.lock"), String(process.pid));
    const busy = await nightjar(dir, ["migrate"]);
    expect(busy.code).toBe(1);
    expect(busy.stderr).toContain(`is in use by another nightjar process (pid ${process.pid})`);
    // A lock left by a process that is gone is taken over.
    await writeFile(path.join(dir, ".nightjar.lock"), "999999999");
    const taken = await nightjar(dir, ["migrate", "--json"]);
    expect(taken.code, taken.stderr).toBe(0);
    await rm(dir, { recursive: true, force: true });
  });

  it("never prints the database password", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "nightjar-secret-"));
    await writeFile(path.join(dir, "nightjar.config.json"), "{}");
    const run = await nightjar(dir, ["migrate", "--json"], {
      DATABASE_URL: "postgres://nightjar:hunter2-secret@127.0.0.1:1/nightjar",
    });
    expect(run.code).toBe(1);
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
        customers: { attributes: [{ name: "allow_push", type: "boolean", required: true }] },
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
  const env = () => {
    const url = test().url;
    return url ? { DATABASE_URL: url } : {};
  };

  it("imports snapshots and transactions, printing exactly one JSON line", async () => {
    const first = await nightjar(
      dir,
      ["import", "customers", "day1.csv", "--date", "2026-11-01", "--json"],
      env(),
    );
    expect(first.code, first.stderr).toBe(0);
    expect(onlyJson(first)).toEqual({
      rows: 2,
      inserted: 2,
      updated: 0,
      unchanged: 0,
      removed: 0,
      seconds: expect.any(Number),
    });
    const second = await nightjar(
      dir,
      ["import", "customers", "day2.csv", "--date", "2026-11-02"],
      env(),
    );
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(
      /^Imported day2\.csv as the 2026-11-02 snapshot: 2 rows — 1 new, 1 updated, 0 unchanged, 1 removed \(\d+\.\d s\)\.\n$/,
    );
    const tx = await nightjar(dir, ["import", "transactions", "tx.csv", "--json"], env());
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

  it("exits 1 on a refused file, with the problems on stderr and in the JSON document", async () => {
    const run = await nightjar(
      dir,
      [
        "import",
        "customers",
        "bad.csv",
        "--date",
        "2026-11-03",
        "--json",
        "--errors-file",
        "bad-errors.csv",
      ],
      env(),
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      'line 2, column allow_push, value "perhaps": not a boolean (use true/false, yes/no or 1/0)',
    );
    expect(onlyJson(run)).toEqual({
      error: {
        type: "ImportRefusedError",
        message: expect.stringContaining("bad.csv was refused (1 problem); nothing was imported"),
        file: "bad.csv",
        totalProblems: 1,
        problems: [
          {
            line: 2,
            column: "allow_push",
            value: "perhaps",
            reason: "not a boolean (use true/false, yes/no or 1/0)",
          },
        ],
        errorsFile: "bad-errors.csv",
      },
    });
    expect(await readFile(path.join(dir, "bad-errors.csv"), "utf8")).toContain(
      "2,allow_push,perhaps,",
    );
  });

  it("runs the customer model, printing one JSON line, and refuses an earlier date", async () => {
    // A folder (and embedded database) of its own: earlier tests' snapshots are not this one's.
    const own = await mkdtemp(path.join(os.tmpdir(), "nightjar-model-cli-"));
    for (const file of ["nightjar.config.json", "day1.csv", "tx.csv"]) {
      await writeFile(path.join(own, file), await readFile(path.join(dir, file)));
    }
    const load = await nightjar(
      own,
      ["import", "customers", "day1.csv", "--date", "2026-11-01"],
      env(),
    );
    expect(load.code, load.stderr).toBe(0);
    expect((await nightjar(own, ["import", "transactions", "tx.csv"], env())).code).toBe(0);
    const run = await nightjar(own, ["model", "run", "--date", "2026-11-02", "--json"], env());
    expect(run.code, run.stderr).toBe(0);
    expect(onlyJson(run)).toMatchObject({
      date: "2026-11-02",
      customers: 2,
      buyers: 1,
      stages: { prospect: 1, new: 1, active: 0, at_risk: 0, churned: 0, reactivated: 0 },
      fit: { reused: false, bgnbd: null, gammaGamma: null },
      seconds: expect.any(Number),
    });
    const human = await nightjar(own, ["model", "run", "--date", "2026-11-02"], env());
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toMatch(
      /^Model run for 2026-11-02: 2 customers \(1 with purchases\) in \d+\.\d s\n/,
    );
    expect(human.stdout).toContain("stages: Prospect 1 · New 1 · Active 0");
    const earlier = await nightjar(own, ["model", "run", "--date", "2026-11-01", "--json"], env());
    expect(earlier.code).toBe(1);
    expect(onlyJson(earlier)).toMatchObject({
      error: { type: "ModelRunOrderError", message: expect.stringContaining("out of order") },
    });
    await rm(own, { recursive: true, force: true });
  });

  it("applies migrations on demand and reports the schema version", async () => {
    const run = await nightjar(dir, ["migrate", "--json"], env());
    expect(run.code, run.stderr).toBe(0);
    // Earlier commands migrated already; the version is the newest migration's number.
    const migrations = (await readdir(new URL("../src/db/migrations/", import.meta.url))).sort();
    const newest = Number(migrations.at(-1)?.slice(0, 4));
    expect(newest).toBeGreaterThanOrEqual(2);
    expect(onlyJson(run)).toMatchObject({ applied: [], schemaVersion: newest });
  });
});
