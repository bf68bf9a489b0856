import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_APPS } from "../emulator/demo-tenant.ts";
import { useEmulator } from "../emulator/test-helpers.ts";
import { EXIT_CODES } from "../src/cli/main.ts";
import { EXAMPLE_CONFIG } from "../src/config/example.ts";
import { cli, onlyJson } from "./helpers/cli.ts";
import { describeEachEngine, useMemoryDatabase } from "./helpers/engines.ts";
import { USABLE_DEMO_MESSAGES } from "./helpers/sfmc.ts";

const emulator = useEmulator();

/** A folder with `nightjar init`'s config, pointing at the running emulator. */
function configuredFolder(): () => string {
  let dir = "";
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "nightjar-sfmc-cli-"));
    const config = structuredClone(EXAMPLE_CONFIG);
    for (const account of config.sfmc.accounts) account.authBaseUrl = emulator().url;
    await writeFile(path.join(dir, "nightjar.config.json"), JSON.stringify(config, null, 2));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  return () => dir;
}

describe("nightjar sfmc, failing", () => {
  const dir = configuredFolder();
  const database = useMemoryDatabase();

  it("has help for each command", async () => {
    const top = await cli(dir(), ["sfmc", "--help"]);
    expect(top.code).toBe(0);
    for (const command of ["check [options]", "sync [options]", "messages [options]"])
      expect(top.stdout).toContain(command);
    const messages = await cli(dir(), ["sfmc", "messages", "--help"]);
    expect(messages.stdout).toContain("Usage: nightjar sfmc messages");
    expect(messages.stdout).toContain("--app <id>");
  });

  it("check with a wrong secret says so in words and exits 1, without printing the secret", async () => {
    const wrong = { SFMC_CLIENT_SECRET: "wrong-secret-4f9a" };
    const human = await cli(dir(), ["sfmc", "check"], { env: wrong });
    expect(human.code).toBe(1);
    expect(human.stdout).toContain(
      'PROBLEM account demo: SFMC refused the client secret of client id "demo-client" (or the package is not installed and enabled): check the environment variable SFMC_CLIENT_SECRET',
    );
    expect(human.stdout).toContain("1 problem found.");
    expect(human.stderr).toContain("nightjar: sfmc check found 1 problem");
    const json = await cli(dir(), ["sfmc", "check", "--json"], { env: wrong });
    expect(json.code).toBe(1);
    expect(onlyJson(json)).toMatchObject({
      ok: false,
      accounts: [
        { name: "demo", ok: false, problem: expect.stringContaining("SFMC_CLIENT_SECRET") },
      ],
    });
    const sync = await cli(dir(), ["sfmc", "sync", "--json"], { env: wrong, db: database() });
    expect(sync.code).toBe(EXIT_CODES.config);
    expect(onlyJson(sync)).toMatchObject({ error: { type: "SfmcConfigError", kind: "config" } });
    for (const run of [human, json, sync])
      expect(run.stdout + run.stderr).not.toContain("wrong-secret-4f9a");
  });

  it("check without the secret's environment variable names it", async () => {
    const run = await cli(dir(), ["sfmc", "check"]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(
      "sfmc.accounts[0].clientSecret refers to the environment variable SFMC_CLIENT_SECRET, which is not set",
    );
  });
});

describeEachEngine("nightjar sfmc", (test) => {
  const dir = configuredFolder();
  const options = () => ({ env: { SFMC_CLIENT_SECRET: "demo-secret" }, db: test().db });

  it("checks the demo tenant, syncs its messages and lists them, one JSON line each", async () => {
    const check = await cli(dir(), ["sfmc", "check", "--json"], options());
    expect(check.code, check.stderr).toBe(0);
    const report = onlyJson(check) as {
      ok: boolean;
      accounts: { businessUnits: { apps: unknown[] }[] }[];
    };
    expect(report.ok).toBe(true);
    expect(report.accounts[0]?.businessUnits.flatMap((bu) => bu.apps)).toHaveLength(4);

    const sync = await cli(dir(), ["sfmc", "sync", "--json"], options());
    expect(sync.code, sync.stderr).toBe(0);
    expect(onlyJson(sync)).toEqual({
      accounts: 1,
      messages: { added: 7, updated: 0, removed: 0, kept: 0 },
    });
    const again = await cli(dir(), ["sfmc", "sync", "--json"], options());
    expect(onlyJson(again)).toEqual({
      accounts: 1,
      messages: { added: 0, updated: 0, removed: 0, kept: 7 },
    });
    // The same words for people as in the JSON.
    const words = await cli(dir(), ["sfmc", "sync"], options());
    expect(words.stdout).toBe(
      "Synced the push messages of 1 account: 7 usable — 0 added, 0 updated, 7 kept; 0 removed.\n",
    );

    const messages = await cli(dir(), ["sfmc", "messages", "--json"], options());
    expect(messages.code, messages.stderr).toBe(0);
    const list = onlyJson(messages) as Record<string, string>[];
    expect(list.map((m) => m.name)).toEqual(USABLE_DEMO_MESSAGES);
    expect(list[1]).toEqual({
      id: "MToxMTQ6MA",
      name: "NJA_Welcome",
      appId: DEMO_APPS.shopIos,
      businessUnit: "100",
      status: "active",
    });
    const oneApp = await cli(
      dir(),
      ["sfmc", "messages", "--app", DEMO_APPS.outletAndroid, "--json"],
      options(),
    );
    expect((onlyJson(oneApp) as { name: string }[]).map((m) => m.name)).toEqual(["NJB_Restock"]);
    const human = await cli(
      dir(),
      ["sfmc", "messages", "--app", DEMO_APPS.outletAndroid],
      options(),
    );
    expect(human.stdout).toBe(
      `NJB_Restock  MTA6MTE0OjA  app Demo Outlet Android (${DEMO_APPS.outletAndroid})  business unit 200\n`,
    );
    const unknown = await cli(dir(), ["sfmc", "messages", "--app", "nope", "--json"], options());
    expect(unknown.code).toBe(EXIT_CODES.not_found);
    expect(onlyJson(unknown)).toMatchObject({
      error: { message: "app nope is not one of the configured apps (sfmc.apps)" },
    });
  });
});
