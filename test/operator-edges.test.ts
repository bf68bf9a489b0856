// What an operator meets when something is off: each case says what and where in one line, and
// changes nothing.
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { EXIT_CODES } from "../src/cli/main.ts";
import { EXAMPLE_CONFIG } from "../src/config/example.ts";
import { cli, onlyJson } from "./helpers/cli.ts";
import { describePostgres, useMemoryDatabase } from "./helpers/engines.ts";
import { tempFolder } from "./helpers/files.ts";

const folder = tempFolder({
  config: {
    customers: {
      attributes: [{ name: "allow_push", type: "boolean", required: true }],
      ignoreColumns: ["crm_id"],
    },
    imports: { maxLineBytes: 4096 },
  },
});
let dir = "";
beforeAll(async () => {
  dir = folder.dir();
});

async function file(name: string, text: string): Promise<string> {
  await writeFile(path.join(dir, name), text);
  return name;
}

describe("imports refuse bad input clearly", () => {
  const database = useMemoryDatabase();
  const run = (args: string[]) => cli(dir, args, { db: database() });
  const customers = async () =>
    (await database().kysely.selectFrom("customers").select("contact_key").execute()).length;

  it("refuses an errors file in a folder that does not exist before reading anything", async () => {
    const name = await file("ok.csv", "contact_key,allow_push\nA,true\n");
    const refused = await run([
      "import",
      "customers",
      name,
      "--date",
      "2026-11-01",
      "--errors-file",
      "no/such/folder/errors.csv",
    ]);
    expect(refused.code).toBe(EXIT_CODES.refused);
    expect(refused.stderr).toBe(
      `nightjar: --errors-file ${path.join(dir, "no/such/folder/errors.csv")}: the folder ${path.join(dir, "no/such/folder")} does not exist; create it or choose another path\n`,
    );
    expect(await customers()).toBe(0);
  });

  it("suggests the delimiter a header holds, and names unknown columns as written", async () => {
    const semicolons = await file("semi.csv", "contact_key;allow_push\nA;true\n");
    const refused = await run(["import", "customers", semicolons, "--date", "2026-11-01"]);
    expect(refused.code).toBe(EXIT_CODES.refused);
    expect(refused.stderr).toContain(
      'the header holds ";" but the delimiter in use is ",": try --delimiter ";"',
    );
    const tabs = await file("tabs.csv", "contact_key\tallow_push\nA\ttrue\n");
    expect((await run(["import", "customers", tabs, "--date", "2026-11-01"])).stderr).toContain(
      'the header holds tabs but the delimiter in use is ",": try --delimiter tab',
    );
    const unknown = await file("unknown.csv", "contact_key,allow_push,Loyalty Tier\nA,true,Gold\n");
    const named = await run(["import", "customers", unknown, "--date", "2026-11-01"]);
    expect(named.stderr).toContain(
      'line 1, column Loyalty Tier, value "Loyalty Tier": unknown column: not contact_key or a configured customer attribute (columns Nightjar does not keep can be ignored with --ignore-columns or customers.ignoreColumns)',
    );
    expect(await customers()).toBe(0);
  });

  it("ignores the columns the config and --ignore-columns name, and says so", async () => {
    const extra = await file(
      "extra.csv",
      "contact_key,CRM_ID,allow_push,Segment\nA,17,true,gold\nB,18,false,\n",
    );
    const imported = await run([
      "import",
      "customers",
      extra,
      "--date",
      "2026-11-01",
      "--ignore-columns",
      "segment",
      "--json",
    ]);
    expect(imported.code, imported.stderr).toBe(0);
    expect(onlyJson(imported)).toMatchObject({
      rows: 2,
      inserted: 2,
      ignoredColumns: ["CRM_ID", "Segment"],
    });
    const human = await run([
      "import",
      "customers",
      extra,
      "--date",
      "2026-11-01",
      "--ignore-columns",
      "segment",
    ]);
    expect(human.stdout).toContain("Ignored columns: CRM_ID, Segment.");
    const columns = await database()
      .kysely.selectFrom("customer_attributes")
      .select("name")
      .execute();
    expect(columns.map((c) => c.name)).toEqual(["allow_push"]);
    const key = await run([
      "import",
      "customers",
      extra,
      "--date",
      "2026-11-02",
      "--ignore-columns",
      "contact_key",
    ]);
    expect(key.code).toBe(EXIT_CODES.refused);
    expect(key.stderr).toContain("contact_key cannot be ignored: every customer row needs it");
  });

  it("refuses a line past imports.maxLineBytes at once, and cuts long values in messages", async () => {
    const long = await file("long.csv", `contact_key,allow_push\n${"x".repeat(20_000)}\n`);
    const refused = await run(["import", "customers", long, "--date", "2026-11-05", "--json"]);
    expect(refused.code).toBe(EXIT_CODES.refused);
    const { error } = onlyJson(refused) as {
      error: { problems: { line: number; value: string; reason: string }[] };
    };
    expect(error.problems).toEqual([
      {
        line: 2,
        column: "(line)",
        value: "x".repeat(200),
        reason:
          "the record starting on line 2 is longer than 4,096 bytes (imports.maxLineBytes); is the delimiter right, or does a quote never close?",
      },
    ]);
    expect(refused.stderr.length).toBeLessThan(2000);
    const value = await file("value.csv", `contact_key,allow_push\nA,${"y".repeat(3000)}\n`);
    const cut = await run(["import", "customers", value, "--date", "2026-11-05"]);
    expect(cut.code).toBe(EXIT_CODES.refused);
    expect(cut.stderr).toContain(`value "${"y".repeat(200)}… (cut: 3,000 bytes in all)"`);
  });

  it("names a missing or unreadable file in words", async () => {
    const missing = await run(["import", "customers", "missing.csv", "--date", "2026-11-05"]);
    expect(missing.code).toBe(EXIT_CODES.refused);
    expect(missing.stderr).toBe(
      `nightjar: cannot open ${path.join(dir, "missing.csv")}: no such file (ENOENT)\n`,
    );
    await mkdir(path.join(dir, "folder.csv"), { recursive: true });
    const folder = await run(["import", "transactions", "folder.csv"]);
    expect(folder.stderr).toBe(`nightjar: ${path.join(dir, "folder.csv")} is not a file\n`);
  });
});

describe("services that cannot be used are named, with the cause, in one line", () => {
  it("a PostgreSQL server that cannot be reached, an unknown host, a bad URL", async () => {
    for (const [url, cause] of [
      ["postgres://nightjar:pw-s3cret@127.0.0.1:1/nightjar", "connection refused"],
      ["postgres://nightjar:pw-s3cret@nosuchhost.invalid:5432/nightjar", "unknown host"],
      ["postgres://nightjar:pw-s3cret@[bad/nightjar", "not a valid URL"],
    ] as const) {
      const run = await cli(dir, ["migrate", "--json"], { env: { DATABASE_URL: url } });
      expect(run.code, url).toBe(EXIT_CODES.unavailable);
      const lines = run.stderr.trimEnd().split("\n");
      expect(lines, url).toHaveLength(1);
      expect(lines[0]).toMatch(/^nightjar: cannot open the database /);
      expect(lines[0]).toContain(cause);
      expect(run.stderr + run.stdout).not.toContain("pw-s3cret");
      expect(onlyJson(run)).toMatchObject({
        error: { type: "DatabaseUnavailableError", kind: "unavailable" },
      });
    }
  });

  it("an embedded database folder that cannot be made", async () => {
    const work = await mkdtemp(path.join(os.tmpdir(), "nightjar-datadir-"));
    await writeFile(path.join(work, "in-the-way"), "a file");
    await writeFile(
      path.join(work, "nightjar.config.json"),
      JSON.stringify({ database: { dataDir: "in-the-way/db" } }),
    );
    const run = await cli(work, ["migrate"]);
    expect(run.code).toBe(EXIT_CODES.unavailable);
    expect(run.stderr).toBe(
      `nightjar: cannot use the embedded database folder ${path.join(work, "in-the-way/db")}: a file is in the way (database.dataDir)\n`,
    );
    await rm(work, { recursive: true, force: true });
  });

  it("an SFMC that cannot be reached fails the check at once, saying what to start", async () => {
    const work = await mkdtemp(path.join(os.tmpdir(), "nightjar-sfmc-down-"));
    const config = structuredClone(EXAMPLE_CONFIG);
    // A port nothing listens on (fetch refuses some low ports outright, so not port 1).
    const server = net.createServer();
    const port = await new Promise<number>((resolve) =>
      server.listen(0, "127.0.0.1", () => resolve((server.address() as net.AddressInfo).port)),
    );
    await new Promise((resolve) => server.close(resolve));
    for (const account of config.sfmc.accounts) account.authBaseUrl = `http://127.0.0.1:${port}/`;
    await writeFile(path.join(work, "nightjar.config.json"), JSON.stringify(config));
    const run = await cli(work, ["sfmc", "check"], { env: { SFMC_CLIENT_SECRET: "demo-secret" } });
    expect(run.code).toBe(EXIT_CODES.refused);
    // One attempt (no "(N attempts)"), and the account's problem said once.
    expect(run.stdout).toContain(
      `PROBLEM cannot reach http://127.0.0.1:${port}/: connection refused, for POST /v2/token (account demo, business unit 100) — is the SFMC emulator running? (\`nightjar emulator\`)`,
    );
    await rm(work, { recursive: true, force: true });
  });
});

describePostgres("a PostgreSQL database or role that does not exist", (test) => {
  it("is named, with the cause, in one line", async () => {
    const server = new URL(test().url as string);
    const noDatabase = new URL(server);
    noDatabase.pathname = "/no_such_database_here";
    const noRole = new URL(server);
    noRole.username = "no_such_role";
    noRole.password = "pw-s3cret";
    for (const [url, cause] of [
      [noDatabase.toString(), 'no such database (database "no_such_database_here" does not exist)'],
      [noRole.toString(), 'role "no_such_role" does not exist'],
    ] as const) {
      const run = await cli(dir, ["migrate"], { env: { DATABASE_URL: url } });
      expect(run.code, url).toBe(EXIT_CODES.unavailable);
      expect(run.stderr.trimEnd().split("\n")).toHaveLength(1);
      expect(run.stderr).toContain(cause);
      expect(run.stderr).not.toContain("pw-s3cret");
    }
  });
});
