import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import type { PGlite } from "@electric-sql/pglite";
import { Kysely } from "kysely";
import { NightjarError } from "../errors.ts";
import { type NightjarDb, PARSERS } from "./connect.ts";
import { PGliteDialect } from "./pglite-driver.ts";
import type { Database } from "./tables.ts";

// Loaded on first use: a PostgreSQL deployment never pays for PGlite's module at start-up.
const loadPGlite = () => import("@electric-sql/pglite");

/** Another process has the embedded database open (PGlite serves one process at a time). */
export class DatabaseBusyError extends NightjarError {
  override name = "DatabaseBusyError";
  override readonly kind = "busy";
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Takes the data folder's lock file (one left by a process that died is taken over). */
async function lockDataDir(dataDir: string): Promise<() => Promise<void>> {
  // Beside the folder, not in it: the folder is PostgreSQL's own.
  const file = `${path.resolve(dataDir)}.lock`;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await writeFile(file, String(process.pid), { flag: "wx" });
      return () => rm(file, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const holder = Number((await readFile(file, "utf8").catch(() => "")).trim());
      if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && isRunning(holder)) {
        throw new DatabaseBusyError(
          `the embedded database in ${dataDir} is in use by another nightjar process (pid ${holder}); wait for it to finish, or use PostgreSQL (database.url) for concurrent work`,
        );
      }
      await rm(file, { force: true });
    }
  }
  throw new DatabaseBusyError(`cannot take the lock on the embedded database in ${dataDir}`);
}

/** Opens the embedded PGlite database (a folder, or in memory when `dataDir` is undefined). */
export async function openPGlite(dataDir: string | undefined): Promise<NightjarDb> {
  if (!dataDir) {
    const { PGlite } = await loadPGlite();
    return wrapPGlite(await PGlite.create({ parsers: PARSERS }));
  }
  await mkdir(dataDir, { recursive: true });
  const unlock = await lockDataDir(dataDir);
  try {
    const { PGlite } = await loadPGlite();
    const db = wrapPGlite(await PGlite.create(dataDir, { parsers: PARSERS }));
    return {
      ...db,
      close: async () => {
        try {
          await db.close();
        } finally {
          await unlock();
        }
      },
    };
  } catch (error) {
    await unlock();
    throw error;
  }
}

/** Opens an in-memory PGlite database from a data-folder snapshot (tests start from one). */
export async function openPGliteSnapshot(snapshot: Blob): Promise<NightjarDb> {
  const { PGlite } = await loadPGlite();
  return wrapPGlite(await PGlite.create({ loadDataDir: snapshot, parsers: PARSERS }));
}

function wrapPGlite(pglite: PGlite): NightjarDb {
  const kysely = new Kysely<Database>({ dialect: new PGliteDialect(pglite) });
  // Holding a Kysely connection takes PGlite's mutex, so raw calls never interleave with queries.
  const exclusive = <T>(fn: () => Promise<T>) => kysely.connection().execute(fn);
  const owners = new Set<number>();
  return {
    engine: "pglite",
    kysely,
    exec: (script) =>
      exclusive(async () => {
        try {
          await pglite.exec(script);
        } catch (error) {
          if (pglite.isInTransaction()) await pglite.exec("rollback");
          throw error;
        }
      }),
    copyIn: (job) =>
      exclusive(async () => {
        const copy = job.copy("'/dev/blob'", true);
        await pglite.exec("begin");
        try {
          await pglite.query("select set_config('TimeZone', $1, true)", [job.timeZone]);
          await pglite.exec(job.createTable);
          for await (const chunk of job.chunks) {
            await pglite.query(copy, [], { blob: new Blob([chunk]) });
          }
          await pglite.exec("commit");
        } catch (error) {
          await pglite.exec("rollback");
          throw error;
        }
      }),
    async *copyOut(copy) {
      const result = await exclusive(() => pglite.query(copy("'/dev/blob'")));
      if (result.blob) yield Buffer.from(await result.blob.arrayBuffer());
    },
    // PGlite serves one process (the data folder's lock), so a work-table owner is alive exactly
    // when this instance holds it.
    holdOwner: async (owner) => {
      owners.add(owner);
      return async () => {
        owners.delete(owner);
      };
    },
    ownerAlive: async (owner) => owners.has(owner),
    close: async () => {
      await kysely.destroy();
      await pglite.close();
    },
  };
}
