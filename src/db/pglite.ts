import { mkdir, readFile } from "node:fs/promises";
import type { PGlite } from "@electric-sql/pglite";
import { Kysely } from "kysely";
import type { Logger } from "pino";
import { type NightjarDb, PARSERS } from "./connect.ts";
import { DatabaseUnavailableError } from "./errors.ts";
import { folderHolder, type LockWait, takeFolder } from "./folder-lock.ts";
import { PGliteDialect } from "./pglite-driver.ts";
import { openSharedDatabase } from "./remote.ts";
import { shareAddress } from "./share-wire.ts";
import type { Database } from "./tables.ts";

// Loaded on first use: a PostgreSQL deployment never pays for PGlite's module at start-up.
const loadPGlite = () => import("@electric-sql/pglite");

export { DatabaseBusyError } from "./folder-lock.ts";

/**
 * PGlite's server settings. Its WebAssembly memory never shrinks, and PostgreSQL's default
 * 128 MB of shared buffers alone would put a night of a million recipients past 300 MB of RSS;
 * the embedded database reads its files through the operating system's page cache anyway.
 */
const PGLITE_SETTINGS = ["shared_buffers = 32MB"];
/**
 * Opens the embedded PGlite database (a folder, or in memory when `dataDir` is undefined), after
 * taking the folder's lock (waiting for it as `wait` says); when the process holding the folder
 * shares it (`nightjar serve`, see share.ts), the database is used through that process instead.
 */
export async function openPGlite(
  dataDir: string | undefined,
  wait: LockWait = {},
  logger?: Logger,
): Promise<NightjarDb> {
  if (!dataDir) {
    const { PGlite } = await loadPGlite();
    return wrapPGlite(await PGlite.create({ parsers: PARSERS, postgresqlconf: PGLITE_SETTINGS }));
  }
  try {
    await mkdir(dataDir, { recursive: true });
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    throw new DatabaseUnavailableError(
      `cannot use the embedded database folder ${dataDir}: ${code === "EACCES" || code === "EPERM" ? "permission denied" : code === "ENOTDIR" || code === "EEXIST" ? "a file is in the way" : (cause as Error).message} (database.dataDir)`,
      { cause },
    );
  }
  const taken = await takeFolder(dataDir, wait, () => openShare(dataDir, logger));
  if ("elsewhere" in taken) {
    const holder = await folderHolder(dataDir);
    logger?.debug(
      { component: "database", folder: dataDir, holder: holder?.pid, command: holder?.command },
      "the embedded database is held by another nightjar process, which shares it",
    );
    return taken.elsewhere;
  }
  const { lock } = taken;
  logger?.debug({ component: "database", folder: dataDir }, "took the embedded database's lock");
  const unlock = async () => {
    await lock.release();
    logger?.debug({ component: "database", folder: dataDir }, "released the embedded database");
  };
  try {
    const { PGlite } = await loadPGlite();
    const db = wrapPGlite(
      await PGlite.create(dataDir, { parsers: PARSERS, postgresqlconf: PGLITE_SETTINGS }),
    );
    return {
      ...db,
      dataDir,
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

/** The database shared by the folder's holder, or null when it does not share it. */
async function openShare(dataDir: string, logger: Logger | undefined): Promise<NightjarDb | null> {
  const { address, keyFile } = shareAddress(dataDir);
  let key: string;
  try {
    key = (await readFile(keyFile, "utf8")).trim();
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw new DatabaseUnavailableError(
      `the embedded database in ${dataDir} is shared by the nightjar process that holds it, but its key ${keyFile} cannot be read (${(cause as NodeJS.ErrnoException).code ?? (cause as Error).message}): run nightjar as the same user`,
      { cause },
    );
  }
  return openSharedDatabase(address, { key, logger, folder: dataDir });
}

/** Opens an in-memory PGlite database from a data-folder snapshot (tests start from one). */
export async function openPGliteSnapshot(snapshot: Blob): Promise<NightjarDb> {
  const { PGlite } = await loadPGlite();
  return wrapPGlite(
    await PGlite.create({
      loadDataDir: snapshot,
      parsers: PARSERS,
      postgresqlconf: PGLITE_SETTINGS,
    }),
  );
}

function wrapPGlite(pglite: PGlite): NightjarDb {
  const kysely = new Kysely<Database>({ dialect: new PGliteDialect(pglite) });
  // Holding a Kysely connection takes PGlite's mutex, so raw calls never interleave with queries.
  const exclusive = <T>(fn: () => Promise<T>) => kysely.connection().execute(fn);
  const owners = new Set<number>();
  const heldLocks = new Set<number>();
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
    tryHoldLock: async (key) => {
      if (heldLocks.has(key)) return null;
      heldLocks.add(key);
      return async () => {
        heldLocks.delete(key);
      };
    },
    interrupt: async () => {},
    close: async () => {
      await kysely.destroy();
      await pglite.close();
    },
  };
}
