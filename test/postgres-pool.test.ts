// A pooled PostgreSQL connection that dies while idle (the server restarted, an admin ended it)
// is logged, not swallowed, and does not take the process down; the next query gets a new one.
import pg from "pg";
import { expect, it } from "vitest";
import { SecretVault } from "../src/config/secrets.ts";
import { openPostgres } from "../src/db/postgres.ts";
import { createLogger } from "../src/logger.ts";
import { describePostgres } from "./helpers/engines.ts";

describePostgres("the PostgreSQL pool", (test) => {
  it("logs an idle connection's failure and goes on", async () => {
    const lines: string[] = [];
    const logger = createLogger({
      vault: new SecretVault({}),
      destination: { write: (line: string) => lines.push(line) },
      level: "warn",
    });
    const db = await openPostgres(test().url as string, {
      logger,
      applicationName: "nightjar pool test",
    });
    try {
      await db.kysely.selectFrom("nightjar_migrations").select("version").execute();
      const admin = new pg.Client({ connectionString: test().url });
      await admin.connect();
      await admin.query(
        "select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'nightjar pool test'",
      );
      await admin.end();
      for (let i = 0; i < 100 && lines.length === 0; i++)
        await new Promise((resolve) => setTimeout(resolve, 20));
      expect(lines.map((line) => JSON.parse(line))).toEqual([
        expect.objectContaining({
          level: 40,
          component: "database",
          msg: "an idle PostgreSQL connection failed and was dropped from the pool",
          reason: expect.stringContaining("terminat"),
        }),
      ]);
      const rows = await db.kysely.selectFrom("nightjar_migrations").select("version").execute();
      expect(rows.length).toBeGreaterThan(0);
    } finally {
      await db.close();
    }
  });
});
