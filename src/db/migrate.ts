import { readdir, readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { sql } from "kysely";
import { NightjarError } from "../errors.ts";
import type { NightjarDb } from "./connect.ts";

const MIGRATIONS_DIR = fileURLToPath(new URL("./migrations/", import.meta.url));

/** A migration file failed; nothing of it was applied. */
export class MigrationError extends NightjarError {
  override name = "MigrationError";
}

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** The numbered `NNNN_name.sql` files, in order. */
export async function listMigrations(dir = MIGRATIONS_DIR): Promise<Migration[]> {
  const files = (await readdir(dir)).filter((f) => /^\d{4}_[a-z0-9_]+\.sql$/.test(f)).sort();
  return Promise.all(
    files.map(async (file) => ({
      version: Number(file.slice(0, 4)),
      name: file.slice(5, -4),
      sql: await readFile(new URL(file, `file://${dir}`), "utf8"),
    })),
  );
}

/**
 * Applies the migrations not yet recorded, each in its own transaction together with its row in
 * `nightjar_migrations` (forward only). Returns the versions applied.
 */
export async function migrate(db: NightjarDb, dir = MIGRATIONS_DIR): Promise<Migration[]> {
  await db.exec(`create table if not exists nightjar_migrations (
    version integer primary key,
    name text not null,
    applied_at timestamptz not null default now()
  )`);
  const applied = new Set(
    (await db.kysely.selectFrom("nightjar_migrations").select("version").execute()).map(
      (row) => row.version,
    ),
  );
  const done: Migration[] = [];
  for (const migration of await listMigrations(dir)) {
    if (applied.has(migration.version)) continue;
    // The insert comes first: a second process migrating at the same time fails on the primary
    // key instead of applying the file twice.
    const script = [
      "begin;",
      `insert into nightjar_migrations (version, name) values (${migration.version}, '${migration.name}');`,
      migration.sql,
      "commit;",
    ].join("\n");
    try {
      await db.exec(script);
    } catch (cause) {
      throw new MigrationError(
        `migration ${migration.version}_${migration.name}.sql failed: ${(cause as Error).message}`,
        { cause },
      );
    }
    done.push(migration);
  }
  return done;
}

/** The highest applied migration version, or 0 on an empty database. */
export async function schemaVersion(db: NightjarDb): Promise<number> {
  const result = await sql<{ version: number | null }>`
    select max(version) as version from nightjar_migrations`
    .execute(db.kysely)
    .catch(() => ({ rows: [{ version: 0 }] }));
  return result.rows[0]?.version ?? 0;
}

/** The migrations not yet applied (all of them on an empty database). */
export async function pendingMigrations(
  db: NightjarDb,
  dir = MIGRATIONS_DIR,
): Promise<Migration[]> {
  const applied = await db.kysely
    .selectFrom("nightjar_migrations")
    .select("version")
    .execute()
    .catch(() => []);
  const versions = new Set(applied.map((row) => row.version));
  return (await listMigrations(dir)).filter((migration) => !versions.has(migration.version));
}
