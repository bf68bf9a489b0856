// Ctrl-C during an import: the real process stops its work on the database server (the statement
// it was running, its locks), exits 130, and leaves nothing half-done for the next command.
import { type ChildProcess, spawn } from "node:child_process";
import { access, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import pg from "pg";
import { beforeAll, expect, it } from "vitest";
import { BIN, cli, onlyJson } from "./helpers/cli.ts";
import { describeEachEngine, seedDataFolder } from "./helpers/engines.ts";
import { tempFolder } from "./helpers/files.ts";

const folder = tempFolder({
  config: {
    customers: { attributes: [{ name: "allow_push", type: "boolean", required: true }] },
  },
});
let dir = "";
beforeAll(async () => {
  dir = folder.dir();
  const lines = ["contact_key,allow_push"];
  for (let i = 0; i < 60_000; i++) lines.push(`C${String(i).padStart(7, "0")},true`);
  await writeFile(path.join(dir, "customers.csv"), `${lines.join("\n")}\n`);
});

interface Running {
  child: ChildProcess;
  exit: Promise<{ code: number | null; stderr: string }>;
}

function start(args: string[], env: NodeJS.ProcessEnv): Running {
  const { DATABASE_URL: _url, ...base } = process.env;
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: dir,
    env: { ...base, ...env },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (chunk) => {
    stderr += chunk;
  });
  const exit = new Promise<{ code: number | null; stderr: string }>((resolve) =>
    child.on("close", (code) => resolve({ code, stderr })),
  );
  return { child, exit };
}

async function until(condition: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`timed out waiting until ${what}`);
}

describeEachEngine("Ctrl-C", (test) => {
  it("stops the import's work on the server, exits 130, and the next import runs", async () => {
    const { url, engine } = test();
    if (engine === "postgres") {
      const server = url as string;
      // A session of the test's holds a lock the import needs, so the import's statement waits on
      // the server: that running statement is what Ctrl-C must stop.
      const holder = new pg.Client({ connectionString: server });
      await holder.connect();
      const watcher = new pg.Client({ connectionString: server });
      await watcher.connect();
      try {
        await holder.query("begin");
        await holder.query("lock table customer_attributes in access exclusive mode");
        const run = start(["import", "customers", "customers.csv", "--date", "2026-11-01"], {
          DATABASE_URL: server,
        });
        const sessions = async () =>
          (
            await watcher.query<{ state: string; waiting: string | null }>(
              "select state, wait_event_type as waiting from pg_stat_activity where application_name = $1",
              [`nightjar import customers (pid ${run.child.pid})`],
            )
          ).rows;
        await until(
          async () => (await sessions()).some((s) => s.state === "active" && s.waiting === "Lock"),
          "the import waits on the server",
        );
        run.child.kill("SIGINT");
        const { code, stderr } = await run.exit;
        expect(code).toBe(130);
        expect(stderr).toContain(
          "nightjar: SIGINT: stopping; what was not finished is rolled back",
        );
        // Nothing of the import is left on the server: no session, no lock request.
        expect(await sessions()).toEqual([]);
        const waiting = await watcher.query(
          "select 1 from pg_locks where not granted and relation = 'customer_attributes'::regclass",
        );
        expect(waiting.rows).toEqual([]);
      } finally {
        await holder.query("rollback").catch(() => {});
        await holder.end();
        await watcher.end();
      }
      const again = await cli(
        dir,
        ["import", "customers", "customers.csv", "--date", "2026-11-01", "--json"],
        { db: test().db },
      );
      expect(again.code, again.stderr).toBe(0);
      expect(onlyJson(again)).toMatchObject({ rows: 60_000, inserted: 60_000 });
      return;
    }
    // PGlite runs in the process: Ctrl-C ends it, and with it the folder's lock and the open
    // transaction; the next command opens the folder and drops the import's work tables.
    const folder = path.join(dir, ".nightjar");
    await rm(folder, { recursive: true, force: true });
    await seedDataFolder(folder);
    const run = start(["import", "customers", "customers.csv", "--date", "2026-11-01"], {});
    await until(
      () =>
        access(`${folder}.lock`).then(
          () => true,
          () => false,
        ),
      "the import holds the embedded database",
    );
    run.child.kill("SIGINT");
    const { code, stderr } = await run.exit;
    // A PGlite statement holds the event loop until it ends, so the import may have finished
    // first; either way it did everything or nothing.
    expect([0, 130], stderr).toContain(code);
    const migrated = await cli(dir, ["migrate", "--json"]);
    expect(migrated.code, migrated.stderr).toBe(0);
    const imported = await cli(dir, [
      "import",
      "customers",
      "customers.csv",
      "--date",
      "2026-11-01",
      "--json",
    ]);
    expect(imported.code, imported.stderr).toBe(0);
    const result = onlyJson(imported) as { inserted: number; unchanged: number };
    expect(result.inserted + result.unchanged).toBe(60_000);
  });
});
