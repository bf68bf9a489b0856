import { once } from "node:events";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { PassThrough } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { PGlite } from "@electric-sql/pglite";
import { Kysely, PostgresDialect } from "kysely";
import pg from "pg";
import { from as copyFrom, to as copyTo } from "pg-copy-streams";
import type { DatabaseTarget } from "../config/load.ts";
import { NightjarError } from "../errors.ts";
import { PGliteDialect } from "./pglite-driver.ts";
import type { Database } from "./tables.ts";

export type Db = Kysely<Database>;

/** The open database: the Kysely handle plus the few things Kysely cannot do (scripts, COPY). */
export interface NightjarDb {
  readonly engine: "pglite" | "postgres";
  readonly kysely: Db;
  /** Runs a multi-statement SQL script without parameters. */
  exec(script: string): Promise<void>;
  /**
   * Creates a table and streams CSV chunks into it with COPY. If the COPY fails, the table may be
   * left behind (empty or partly filled) and is the caller's to drop.
   */
  copyIn(job: CopyJob): Promise<void>;
  /**
   * Streams what a `COPY … TO` statement writes; `copy` gets the target (`STDOUT` on PostgreSQL,
   * `'/dev/blob'` on PGlite).
   */
  copyOut(copy: (target: string) => string): AsyncIterable<Buffer>;
  close(): Promise<void>;
}

/** A bulk load into a new table. */
export interface CopyJob {
  /** `create table …` (no parameters). */
  createTable: string;
  /**
   * The COPY statement for a source (`STDIN` on PostgreSQL, `'/dev/blob'` on PGlite); `freeze`
   * when the table was created in the same transaction, so the rows can be written frozen.
   */
  copy: (source: string, freeze: boolean) => string;
  /** CSV chunks, each ending on a record boundary. */
  chunks: AsyncIterable<Buffer>;
  /** Time zone for timestamps written without an offset. */
  timeZone: string;
}

/** Batches lines of COPY text into chunks of about 1 MiB, each ending on a line boundary. */
export async function* copyChunks(lines: Iterable<string>): AsyncGenerator<Buffer> {
  let text = "";
  for (const line of lines) {
    text += `${line}\n`;
    if (text.length >= 1 << 20) {
      yield Buffer.from(text);
      text = "";
    }
  }
  if (text) yield Buffer.from(text);
}

const OID = { int8: 20, date: 1082, numeric: 1700 } as const;

// Same JS values on both engines: dates stay 'YYYY-MM-DD' strings (no time-zone shifts),
// counts come back as numbers, numerics as exact strings.
const identity = (value: string) => value;
const PARSERS: Record<number, (value: string) => unknown> = {
  [OID.int8]: (value) => Number(value),
  [OID.date]: identity,
  [OID.numeric]: identity,
};

// Loaded on first use: a PostgreSQL deployment never pays for PGlite's module at start-up.
const loadPGlite = () => import("@electric-sql/pglite");

/** Another process has the embedded database open (PGlite serves one process at a time). */
export class DatabaseBusyError extends NightjarError {
  override name = "DatabaseBusyError";
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
    close: async () => {
      await kysely.destroy();
      await pglite.close();
    },
  };
}

/** Parallel COPY streams into one staging table on PostgreSQL. */
const COPY_STREAMS = 2;

/** Runs `fn` on a pooled client; a client that failed mid-way is discarded, not reused. */
async function withClient<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    const result = await fn(client);
    client.release();
    return result;
  } catch (error) {
    client.release(error instanceof Error ? error : true);
    throw error;
  }
}

/** Opens a PostgreSQL server by URL. */
export async function openPostgres(url: string, poolSize = 5): Promise<NightjarDb> {
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    types: {
      getTypeParser: ((oid: number, format?: "text" | "binary") =>
        PARSERS[oid] ?? pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    },
  });
  // An idle client that loses its server must not crash the process; the next query reports it.
  pool.on("error", () => {});
  const kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return {
    engine: "postgres",
    kysely,
    // A script that fails inside its own transaction leaves the session aborted: withClient
    // discards that client instead of returning it to the pool.
    exec: (script) => withClient(pool, (client) => client.query(script)).then(() => {}),
    copyIn: async (job) => {
      await withClient(pool, (client) => client.query(job.createTable));
      // Two COPY streams, fed chunk by chunk in turn: the server parses them on two backends while
      // this process reads the file. Rows carry their line numbers, so their order does not matter.
      const streams = Array.from({ length: COPY_STREAMS }, () => new PassThrough());
      const copies = streams.map((stream) =>
        withClient(pool, async (client) => {
          await client.query("begin");
          await client.query("select set_config('TimeZone', $1, true)", [job.timeZone]);
          await pipeline(stream, client.query(copyFrom(job.copy("STDIN", false))));
          await client.query("commit");
        }),
      );
      // Settles only when a COPY fails, so a stalled stream never waits for a drain forever.
      const failed = Promise.race(
        copies.map((copy) => copy.then(() => new Promise<never>(() => {}))),
      );
      for (const pending of [...copies, failed]) pending.catch(() => {});
      try {
        let turn = 0;
        for await (const chunk of job.chunks) {
          const stream = streams[turn++ % streams.length] as PassThrough;
          if (!stream.write(chunk)) await Promise.race([once(stream, "drain"), failed]);
        }
        for (const stream of streams) stream.end();
        await Promise.all(copies);
      } catch (error) {
        for (const stream of streams) stream.destroy(error instanceof Error ? error : undefined);
        await Promise.allSettled(copies);
        throw error;
      }
    },
    async *copyOut(copy) {
      const client = await pool.connect();
      let finished = false;
      try {
        for await (const chunk of client.query(copyTo(copy("STDOUT")))) yield chunk as Buffer;
        finished = true;
      } finally {
        // A COPY that failed or was abandoned half-way leaves the connection mid-protocol.
        client.release(finished ? undefined : true);
      }
    },
    close: () => kysely.destroy(),
  };
}

/** Opens the configured database. */
export function openDatabase(target: DatabaseTarget): Promise<NightjarDb> {
  return target.engine === "postgres" ? openPostgres(target.url) : openPGlite(target.dataDir);
}
