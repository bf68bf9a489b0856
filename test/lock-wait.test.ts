// On PostgreSQL several processes share the database: one that finds another's import holding
// the customer tables' lock says who holds it, gives up at once by default, and waits with --wait.
import { writeFile } from "node:fs/promises";
import path from "node:path";
import pg from "pg";
import { beforeAll, expect, it } from "vitest";
import { EXIT_CODES } from "../src/cli/main.ts";
import { LOCKS } from "../src/db/locks.ts";
import { cli, onlyJson } from "./helpers/cli.ts";
import { describePostgres } from "./helpers/engines.ts";
import { tempFolder } from "./helpers/files.ts";

const folder = tempFolder({ config: {} });
let dir = "";
beforeAll(async () => {
  dir = folder.dir();
  await writeFile(path.join(dir, "customers.csv"), "contact_key\nA\nB\n");
});

describePostgres("waiting for another import", (test) => {
  it("names the holder, gives up at once, and waits when asked", async () => {
    const holder = new pg.Client({
      connectionString: test().url,
      application_name: "nightjar import customers (pid 4711)",
    });
    await holder.connect();
    try {
      await holder.query("begin");
      await holder.query("select pg_advisory_xact_lock($1)", [LOCKS.customerTables]);
      const args = ["import", "customers", "customers.csv", "--date", "2026-11-01", "--json"];
      const busy = await cli(dir, args, { db: test().db });
      expect(busy.code).toBe(EXIT_CODES.busy);
      expect(busy.stderr).toMatch(
        /the lock of the customer tables is held by nightjar import customers \(pid 4711\), in a transaction started at \d{4}-\d\d-\d\dT[\d:.]+Z; try again when it has finished, or wait for it with --wait SECONDS/,
      );
      expect(onlyJson(busy)).toMatchObject({ error: { type: "LockBusyError", kind: "busy" } });
      setTimeout(() => void holder.query("commit"), 400);
      const waited = await cli(dir, ["--wait", "20", ...args], { db: test().db });
      expect(waited.code, waited.stderr).toBe(0);
      expect(waited.stderr).toContain(
        "nightjar: waiting for nightjar import customers (pid 4711), in a transaction started at",
      );
      expect(onlyJson(waited)).toMatchObject({ rows: 2, inserted: 2 });
    } finally {
      await holder.end();
    }
  });
});
