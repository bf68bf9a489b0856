import { mkdir } from "node:fs/promises";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { PGlite } from "@electric-sql/pglite";
import { Kysely, PostgresDialect } from "kysely";
import pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import type { DatabaseTarget } from "../config/load.ts";
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
   * Streams CSV chunks into a table with COPY. `copySql` receives the source to read from
   * (`STDIN` on PostgreSQL, `'/dev/blob'` on PGlite); every chunk must end on a record boundary.
   * Timestamps without an offset are read in `timeZone`.
   */
  copyIn(
    copySql: (source: string) => string,
    chunks: AsyncIterable<Buffer>,
    timeZone: string,
  ): Promise<void>;
  close(): Promise<void>;
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

/** Opens the embedded PGlite database (a folder, or in memory when `dataDir` is undefined). */
export async function openPGlite(dataDir: string | undefined): Promise<NightjarDb> {
  if (dataDir) await mkdir(dataDir, { recursive: true });
  return wrapPGlite(await PGlite.create(dataDir, { parsers: PARSERS }));
}

/** Opens an in-memory PGlite database from a data-folder snapshot (tests start from one). */
export async function openPGliteSnapshot(snapshot: Blob): Promise<NightjarDb> {
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
    copyIn: (copySql, chunks, timeZone) =>
      exclusive(async () => {
        const sql = copySql("'/dev/blob'");
        const previous = await pglite.query<{ zone: string }>(
          "select current_setting('TimeZone') as zone",
        );
        await pglite.query("select set_config('TimeZone', $1, false)", [timeZone]);
        try {
          for await (const chunk of chunks) {
            await pglite.query(sql, [], { blob: new Blob([chunk]) });
          }
        } finally {
          await pglite.query("select set_config('TimeZone', $1, false)", [previous.rows[0]?.zone]);
        }
      }),
    close: async () => {
      await kysely.destroy();
      await pglite.close();
    },
  };
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
    exec: async (script) => {
      const client = await pool.connect();
      try {
        await client.query(script);
      } catch (error) {
        await client.query("rollback").catch(() => {});
        throw error;
      } finally {
        client.release();
      }
    },
    copyIn: async (copySql, chunks, timeZone) => {
      const client = await pool.connect();
      try {
        // Session setting, reset before the client goes back to the pool.
        await client.query("select set_config('TimeZone', $1, false)", [timeZone]);
        await pipeline(Readable.from(chunks), client.query(copyFrom(copySql("STDIN"))));
        await client.query("reset TimeZone");
        client.release();
      } catch (error) {
        // A COPY cut off half-way can leave the session unusable: discard it from the pool.
        client.release(error instanceof Error ? error : true);
        throw error;
      }
    },
    close: () => kysely.destroy(),
  };
}

/** Opens the configured database. */
export function openDatabase(target: DatabaseTarget): Promise<NightjarDb> {
  return target.engine === "postgres" ? openPostgres(target.url) : openPGlite(target.dataDir);
}
