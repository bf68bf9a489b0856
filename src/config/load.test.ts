import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EXAMPLE_CONFIG } from "./example.ts";
import { ConfigError, loadConfig } from "./load.ts";
import { MissingSecretError } from "./secrets.ts";

let dir = "";
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "nightjar-config-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function configFile(name: string, content: unknown): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, typeof content === "string" ? content : JSON.stringify(content, null, 2));
  return file;
}

async function configError(content: unknown, env: NodeJS.ProcessEnv = {}): Promise<string> {
  const file = await configFile(`bad-${Math.random()}.json`, content);
  const error = await loadConfig({ path: file, env }).catch((thrown: unknown) => thrown);
  expect(error).toBeInstanceOf(ConfigError);
  return (error as ConfigError).message;
}

describe("config", () => {
  it("accepts the example config and an empty one, filling every default", async () => {
    const example = await loadConfig({
      path: await configFile("example.json", EXAMPLE_CONFIG),
      env: {},
    });
    expect(example.config.sfmc.accounts[0]?.businessUnits.map((bu) => bu.templatePrefix)).toEqual([
      "NJA_",
      "NJB_",
    ]);
    const empty = await loadConfig({ path: await configFile("empty.json", {}), env: {} });
    expect(empty.config).toEqual({
      database: { url: null, dataDir: ".nightjar" },
      customers: {
        attributes: [],
        maxRemovedPercent: 10,
        ignoreColumns: [],
        pushConsent: null,
        exclusionFlags: [],
      },
      campaigns: { globalControlPercent: 0, frequencyCap: null, testContacts: [] },
      imports: { maxLineBytes: 1_048_576, dropFolder: null },
      sfmc: { accounts: [], apps: [] },
      schedule: { nightlyAt: "02:00", timeZone: "UTC", requireFreshData: false },
      delivery: { handOverLeadMinutes: null, maxLatenessMinutes: 360, retentionDays: 400 },
      // The example writes every default out.
      model: EXAMPLE_CONFIG.model,
      server: EXAMPLE_CONFIG.server,
    });
    expect(empty.config.imports).toEqual(EXAMPLE_CONFIG.imports);
    expect(empty.config.delivery).toEqual(EXAMPLE_CONFIG.delivery);
    const https = await loadConfig({
      path: await configFile("https.json", {
        server: { publicUrl: "https://nightjar.example.com" },
      }),
      env: {},
    });
    expect(https.config.server.secureCookies).toBe(true);
    const plain = await loadConfig({
      path: await configFile("plain.json", { server: { publicUrl: "http://10.0.0.5:3000" } }),
      env: {},
    });
    expect(plain.config.server.secureCookies).toBe(false);
    await expect(
      loadConfig({ path: await configFile("bad.json", { server: { port: "x" } }), env: {} }),
    ).rejects.toThrow(/server\.port/);
    await expect(
      loadConfig({
        path: await configFile("flags.json", {
          customers: {
            attributes: [{ name: "country", type: "text" }],
            pushConsent: "push_ok",
            exclusionFlags: ["country"],
          },
        }),
        env: {},
      }),
    ).rejects.toThrow(
      /customers\.pushConsent: "push_ok" is not a configured attribute[\s\S]*customers\.exclusionFlags\[0\]: "country" is text, not a boolean attribute/,
    );
    expect(empty.database).toEqual({ engine: "pglite", dataDir: path.join(dir, ".nightjar") });
  });

  it("accepts the shape from the foundation issue, with sendBudget defaults", async () => {
    const loaded = await loadConfig({
      path: await configFile("issue.json", {
        database: { url: null },
        customers: { attributes: [{ name: "allow_push", type: "boolean", required: true }] },
        sfmc: {
          accounts: [
            {
              name: "main",
              authBaseUrl: "https://SUBDOMAIN.auth.marketingcloudapis.com/",
              clientId: "...",
              clientSecret: "env:SFMC_CLIENT_SECRET",
              businessUnits: [{ mid: "100", name: "Main", templatePrefix: "NJA_" }],
            },
          ],
          apps: [{ id: "APP-GUID", name: "Shop iOS", businessUnit: "100" }],
        },
        schedule: { nightlyAt: "02:00", timeZone: "UTC" },
      }),
      env: {},
    });
    expect(loaded.config.sfmc.accounts[0]?.sendBudget).toEqual({
      recipients: 250_000,
      perMinutes: 30,
      reservePercent: 0,
    });
  });

  it("names the key and the problem of every error", async () => {
    const message = await configError({
      customers: { atributes: [] },
      sfmc: { apps: [{ id: "a", name: "App", businessUnit: "999" }] },
      schedule: { nightlyAt: "25:00", timeZone: "Mars/Olympus" },
    });
    expect(message).toContain("is not a valid Nightjar config");
    expect(message).toContain('customers: Unrecognized key: "atributes"');
    expect(message).toContain(
      'sfmc.apps[0].businessUnit: "999" is not the MID of a configured business unit',
    );
    expect(message).toContain("schedule.nightlyAt: must be a time of day, HH:MM (24-hour)");
    expect(message).toContain("schedule.timeZone: is not a known IANA time zone");
  });

  it("refuses model settings that contradict each other", async () => {
    const message = await configError({
      model: {
        period: "month",
        stages: { atRisk: { maxPAlive: 0.2 }, churned: { maxPAlive: 0.5, overdueFactor: 1 } },
        segments: {
          layers: [
            { key: "v", name: "value", features: ["value"], clusters: 4 },
            { key: "v", name: "visits", features: ["frequency"], clusters: 12 },
          ],
        },
      },
    });
    expect(message).toContain('model.period: Invalid option: expected one of "day"|"week"');
    expect(message).toContain("model.segments.layers[1].clusters: Too big");
    const crossed = await configError({
      model: {
        stages: { atRisk: { maxPAlive: 0.2 }, churned: { maxPAlive: 0.5, overdueFactor: 1 } },
        segments: {
          layers: [
            { key: "v", name: "value", features: ["value"], clusters: 4 },
            { key: "v", name: "visits", features: ["frequency"], clusters: 3 },
          ],
        },
      },
    });
    expect(crossed).toContain(
      "model.stages.churned.maxPAlive: must not be above stages.atRisk.maxPAlive",
    );
    expect(crossed).toContain(
      "model.stages.churned.overdueFactor: must not be below stages.atRisk.overdueFactor",
    );
    expect(crossed).toContain('model.segments.layers[1].key: "v" is used by another layer');
  });

  it("refuses bad attribute declarations", async () => {
    const message = await configError({
      customers: {
        attributes: [
          { name: "Signup Date", type: "date" },
          { name: "valid_from", type: "date" },
          { name: "tier", type: "enum" },
        ],
      },
    });
    expect(message).toContain("customers.attributes[0].name: must be lower snake case");
    expect(message).toContain(
      'customers.attributes[1].name: is a name Nightjar reserves: "valid_from" is a column Nightjar keeps on every customer',
    );
    expect(message).toMatch(
      /customers\.attributes\[2\]\.type: Invalid option: expected one of "text"\|"integer"/,
    );
    // Cross-key checks run once every key is valid on its own.
    const twice = await configError({
      customers: {
        attributes: [
          { name: "country", type: "text" },
          { name: "country", type: "text" },
        ],
      },
    });
    expect(twice).toContain('customers.attributes[1].name: "country" is declared twice');
  });

  it("refuses attribute names that collide with Nightjar's columns, the diff's aliases or the model's outputs", async () => {
    const own = ["problem", "row_fingerprint", "line_no", "change", "present", "first_seen_on"];
    const model = [
      "lifecycle_stage",
      "stage_since",
      "micro_segment",
      "value_tier",
      "p_alive",
      "expected_purchases",
      "expected_spend",
      "clv",
      "purchases",
      "recency_days",
      "tenure_days",
      "first_purchase_on",
      "last_purchase_on",
    ];
    const aliases = ["old_valid_from", "old_present", "new_present"];
    const names = [...own, ...model, ...aliases];
    const message = await configError({
      customers: { attributes: names.map((name) => ({ name, type: "text" })) },
    });
    names.forEach((name, index) => {
      expect(message, name).toContain(
        `customers.attributes[${index}].name: is a name Nightjar reserves: "${name}"`,
      );
    });
    expect(message).toContain(
      '"p_alive" is an output of the customer model (target-group rules use that name)',
    );
    expect(message).toContain(
      '"old_present" is the name the import gives the earlier or later present of a customer',
    );
    const pair = await configError({
      customers: {
        attributes: [
          { name: "country", type: "text" },
          { name: "old_country", type: "text" },
          { name: "new_country", type: "text" },
        ],
      },
    });
    expect(pair).toContain(
      'customers.attributes[1].name: "old_country" collides with the name the import gives the earlier or later value of the attribute "country"; rename one of them',
    );
    expect(pair).toContain('customers.attributes[2].name: "new_country" collides');
    // Prefixes alone are fine, and so is an empty config.
    const fine = await loadConfig({
      path: await configFile("prefixes.json", {
        customers: {
          attributes: [
            { name: "new_customer", type: "boolean" },
            { name: "old_segment_code", type: "text" },
          ],
        },
      }),
      env: {},
    });
    expect(fine.config.customers.attributes.map((a) => a.name)).toEqual([
      "new_customer",
      "old_segment_code",
    ]);
    await expect(
      loadConfig({ path: await configFile("empty2.json", {}), env: {} }),
    ).resolves.toBeDefined();
  });

  it("reads a file that starts with a UTF-8 byte-order mark", async () => {
    const loaded = await loadConfig({
      path: await configFile(
        "bom.json",
        `\uFEFF${JSON.stringify({ schedule: { timeZone: "Europe/Berlin" } })}`,
      ),
      env: {},
    });
    expect(loaded.config.schedule.timeZone).toBe("Europe/Berlin");
  });

  it("reports invalid JSON with its line and column, and a missing file with a hint", async () => {
    expect(await configError('{\n  "database": {\n    "url": null,\n  }\n}')).toMatch(
      /is not valid JSON: line 4, column 3/,
    );
    const missing = await loadConfig({ path: path.join(dir, "nope.json"), env: {} }).catch(
      (thrown: unknown) => thrown,
    );
    expect(missing).toBeInstanceOf(ConfigError);
    expect((missing as Error).message).toMatch(
      /cannot read config file .*nope\.json: ENOENT \(run `nightjar init`/,
    );
  });

  it("lets DATABASE_URL override database.url and finds the file through NIGHTJAR_CONFIG", async () => {
    const file = await configFile("db.json", {
      database: { url: "postgres://u:pw@db.example:5432/a" },
    });
    const fromFile = await loadConfig({ env: { NIGHTJAR_CONFIG: file } });
    expect(fromFile.database).toEqual({
      engine: "postgres",
      url: "postgres://u:pw@db.example:5432/a",
    });
    const overridden = await loadConfig({
      env: { NIGHTJAR_CONFIG: file, DATABASE_URL: "postgres://x:secret-pw@h/b" },
    });
    expect(overridden.database).toEqual({ engine: "postgres", url: "postgres://x:secret-pw@h/b" });
    expect(overridden.vault.redact("connect to postgres://x:secret-pw@h/b failed")).toBe(
      "connect to postgres://x:[redacted]@h/b failed",
    );
  });

  it("reads env: secrets only when used, and never prints them", async () => {
    const file = await configFile("secret.json", EXAMPLE_CONFIG);
    const account = (await loadConfig({ path: file, env: {} })).config.sfmc.accounts[0];
    const without = await loadConfig({ path: file, env: {} });
    expect(() =>
      without.vault.resolve(account?.clientSecret ?? "", "sfmc.accounts[0].clientSecret"),
    ).toThrow(
      new MissingSecretError(
        "sfmc.accounts[0].clientSecret refers to the environment variable SFMC_CLIENT_SECRET, which is not set",
      ),
    );
    const withSecret = await loadConfig({
      path: file,
      env: { SFMC_CLIENT_SECRET: "s3cr3t-value" },
    });
    expect(
      withSecret.vault.resolve(account?.clientSecret ?? "", "sfmc.accounts[0].clientSecret"),
    ).toBe("s3cr3t-value");
    expect(withSecret.vault.redact("token request with s3cr3t-value refused")).toBe(
      "token request with [redacted] refused",
    );
  });
});
