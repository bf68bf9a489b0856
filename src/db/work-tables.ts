/**
 * Work tables: the unlogged tables an import stages its file in and a model run computes in. Each
 * is named after its owner — a random number the process holds a lock for while it works
 * (`NightjarDb.holdOwner`) — so a table whose owner is no longer alive was left by a process that
 * died (a crash, a kill) and is dropped at once by the next import, model run or migrate.
 */
import { randomBytes, randomInt } from "node:crypto";
import { sql } from "kysely";
import type { NightjarDb } from "./connect.ts";

/** The prefixes of work tables, by what makes them. */
export const WORK_TABLE_PREFIXES = ["import_staging_", "model_work_"] as const;
export type WorkTablePrefix = (typeof WORK_TABLE_PREFIXES)[number];

/** `import_staging_o123456_5f0c2a9e` → 123456; null for a name without an owner. */
function ownerOf(table: string): number | null {
  for (const prefix of WORK_TABLE_PREFIXES) {
    if (!table.startsWith(prefix)) continue;
    const match = /^o(\d+)_/.exec(table.slice(prefix.length));
    return match ? Number(match[1]) : null;
  }
  return null;
}

/** Work tables owned by one live process (this one) until released. */
export interface WorkTableOwner {
  /** A new table name with `prefix`, unique to this owner. */
  name(prefix: WorkTablePrefix): string;
  /** Lets go of the owner's lock (its tables, if any are left, then count as dead). */
  release(): Promise<void>;
}

/** Starts owning work tables: takes an owner's lock for this process. */
export async function ownWorkTables(db: NightjarDb): Promise<WorkTableOwner> {
  const owner = randomInt(1, 2 ** 31 - 1);
  const release = await db.holdOwner(owner);
  return {
    name: (prefix) => `${prefix}o${owner}_${randomBytes(4).toString("hex")}`,
    release,
  };
}

/**
 * Drops the work tables whose owner is gone (and those of older versions, which named no owner);
 * returns their names. Tables of a live owner, in this process or another, are left alone.
 */
export async function dropDeadWorkTables(db: NightjarDb): Promise<string[]> {
  // `import\_staging\_%`: an underscore in LIKE matches any character unless escaped.
  const patterns = WORK_TABLE_PREFIXES.map((prefix) => `${prefix.replaceAll("_", "\\_")}%`);
  const result = await sql<{ name: string }>`
    select tablename as name from pg_tables
    where schemaname = current_schema() and tablename like any(${patterns}::text[])
    order by 1`.execute(db.kysely);
  const dropped: string[] = [];
  const alive = new Map<number, boolean>();
  for (const { name } of result.rows) {
    const owner = ownerOf(name);
    if (owner !== null) {
      if (!alive.has(owner)) alive.set(owner, await db.ownerAlive(owner));
      if (alive.get(owner)) continue;
    }
    await sql`drop table if exists ${sql.id(name)}`.execute(db.kysely);
    dropped.push(name);
  }
  return dropped;
}

/**
 * Runs `work` as the owner of its work tables: first drops those of dead owners, then holds an
 * owner's lock until `work` is done (it drops its own tables; the lock's end marks any it left).
 */
export async function withWorkTables<T>(
  db: NightjarDb,
  work: (owner: WorkTableOwner) => Promise<T>,
): Promise<T> {
  await dropDeadWorkTables(db);
  const owner = await ownWorkTables(db);
  try {
    return await work(owner);
  } finally {
    await owner.release();
  }
}
