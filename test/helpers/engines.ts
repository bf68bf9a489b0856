import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import pg from "pg";
import { afterAll, beforeAll, beforeEach, describe, inject } from "vitest";
import type { NightjarDb } from "../../src/db/connect.ts";
import { migrate } from "../../src/db/migrate.ts";
import { openPGliteSnapshot } from "../../src/db/pglite.ts";
import { openPostgres } from "../../src/db/postgres.ts";

export type Engine = "pglite" | "postgres";

/** PGlite always; PostgreSQL too when DATABASE_URL is set (CI sets it). */
export const ENGINES: Engine[] = process.env.DATABASE_URL ? ["pglite", "postgres"] : ["pglite"];

/** Why the PostgreSQL half of a suite does not run, when it does not. */
export const POSTGRES_SKIPPED = process.env.DATABASE_URL
  ? undefined
  : "skipped: DATABASE_URL is not set (set it to a PostgreSQL server, e.g. postgres://postgres@127.0.0.1:5432/postgres, to run it)";

/** A database of the test file's own: a PGlite instance, or a PostgreSQL database dropped afterwards. */
export interface TestDatabase {
  engine: Engine;
  db: NightjarDb;
  /** Connection URL for a child process (PostgreSQL only). */
  url: string | undefined;
  dispose(): Promise<void>;
}

function databaseUrl(serverUrl: string, name: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Opens an empty, unmigrated database on `engine`. */
export async function openTestDatabase(engine: Engine): Promise<TestDatabase> {
  if (engine === "pglite") {
    const snapshot = await readFile(inject("pgliteSnapshot"));
    const db = await openPGliteSnapshot(new Blob([snapshot]));
    return { engine, db, url: undefined, dispose: () => db.close() };
  }
  const serverUrl = process.env.DATABASE_URL as string;
  const name = `nightjar_test_${process.pid}_${randomBytes(4).toString("hex")}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = databaseUrl(serverUrl, name);
  const db = await openPostgres(url);
  return {
    engine,
    db,
    url,
    dispose: async () => {
      await db.close();
      const cleanup = new pg.Client({ connectionString: serverUrl });
      await cleanup.connect();
      await cleanup.query(`drop database if exists ${name} with (force)`);
      await cleanup.end();
    },
  };
}

/**
 * Writes a ready PGlite data folder at `dataDir` from the test run's initdb snapshot, so that a
 * real `nightjar` process opens it at once instead of running initdb (seconds) itself.
 */
export async function seedDataFolder(dataDir: string): Promise<void> {
  const { PGlite } = await import("@electric-sql/pglite");
  const snapshot = new Blob([await readFile(inject("pgliteSnapshot"))]);
  const pglite = await PGlite.create(dataDir, { loadDataDir: snapshot });
  await pglite.close();
}

/** Empties the database (every table, view, function and column) and migrates it afresh. */
export async function resetDatabase(db: NightjarDb): Promise<void> {
  await db.exec("drop schema public cascade; create schema public;");
  await migrate(db);
}

/** An in-memory PGlite database for the test file, migrated once (for tests not about engines). */
export function useMemoryDatabase(): () => NightjarDb {
  let current: TestDatabase | undefined;
  beforeAll(async () => {
    current = await openTestDatabase("pglite");
    await migrate(current.db);
  });
  afterAll(async () => {
    await current?.dispose();
  });
  return () => {
    if (!current) throw new Error("the test database is not open");
    return current.db;
  };
}

/**
 * Runs `body` once per engine, each in a database of the file's own; every test starts from a
 * freshly migrated, empty schema.
 */
export function describeEachEngine(title: string, body: (test: () => TestDatabase) => void): void {
  describeOn(["pglite", "postgres"], title, body);
}

/** Like `describeEachEngine`, on PostgreSQL only (what needs a server: several sessions). */
export function describePostgres(title: string, body: (test: () => TestDatabase) => void): void {
  describeOn(["postgres"], title, body);
}

function describeOn(
  engines: Engine[],
  title: string,
  body: (test: () => TestDatabase) => void,
): void {
  // Without a server the PostgreSQL half is reported as skipped, with the reason, not left out.
  if (POSTGRES_SKIPPED && engines.includes("postgres"))
    describe.skip(`${title} [postgres] — ${POSTGRES_SKIPPED}`, () => {
      body(() => {
        throw new Error("not run");
      });
    });
  for (const engine of engines.filter((e) => e !== "postgres" || !POSTGRES_SKIPPED)) {
    describe(`${title} [${engine}]`, () => {
      let current: TestDatabase | undefined;
      beforeAll(async () => {
        current = await openTestDatabase(engine);
      }, 60_000);
      afterAll(async () => {
        await current?.dispose();
      });
      beforeEach(async () => {
        if (current) await resetDatabase(current.db);
      });
      body(() => {
        if (!current) throw new Error("test database is not open");
        return current;
      });
    });
  }
}
