import { once } from "node:events";
import { PassThrough } from "node:stream";
import { pipeline } from "node:stream/promises";
import { Kysely, PostgresDialect } from "kysely";
import pg from "pg";
import { from as copyFrom, to as copyTo } from "pg-copy-streams";
import { type NightjarDb, type OpenOptions, PARSERS } from "./connect.ts";
import { databaseUnavailable } from "./errors.ts";
import { OWNER_LOCK_SPACE } from "./locks.ts";
import type { Database } from "./tables.ts";

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

/**
 * Opens a PostgreSQL server by URL, and checks at once that it answers: a server that cannot be
 * reached, a database or role that does not exist, a bad URL is a `DatabaseUnavailableError`
 * naming the URL (without its password) and the cause.
 */
export async function openPostgres(url: string, options: OpenOptions = {}): Promise<NightjarDb> {
  let pool: pg.Pool;
  try {
    pool = createPool(url, options);
    const client = await pool.connect();
    client.release();
  } catch (error) {
    throw databaseUnavailable(url, error);
  }
  return wrapPool(pool, url, applicationName(options));
}

function applicationName(options: OpenOptions): string {
  // PostgreSQL keeps at most 63 bytes of it.
  return (options.applicationName ?? `nightjar (pid ${process.pid})`).slice(0, 63);
}

function createPool(url: string, options: OpenOptions): pg.Pool {
  new URL(url); // pg reads some malformed URLs as a local socket; refuse them instead.
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 5,
    application_name: applicationName(options),
    types: {
      getTypeParser: ((oid: number, format?: "text" | "binary") =>
        PARSERS[oid] ?? pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    },
  });
  // An idle client that loses its server must not crash the process; the next query reports it.
  pool.on("error", (error) => {
    options.logger?.warn(
      { component: "database", reason: error.message },
      "an idle PostgreSQL connection failed and was dropped from the pool",
    );
  });
  return pool;
}

function wrapPool(pool: pg.Pool, url: string, name: string): NightjarDb {
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
    holdOwner: async (owner) => {
      const client = await pool.connect();
      try {
        await client.query("select pg_advisory_lock($1, $2)", [OWNER_LOCK_SPACE, owner]);
      } catch (error) {
        client.release(true);
        throw error;
      }
      // As with tryHoldLock: a session that dies under us must not crash the process.
      const lost = () => {};
      client.on("error", lost);
      return async () => {
        // Closing the session releases its locks, whatever state it is in (owners are random:
        // none is asked for again, so the server noticing late does no harm).
        client.off("error", lost);
        client.release(true);
      };
    },
    tryHoldLock: async (key) => {
      const client = await pool.connect();
      try {
        const { rows } = await client.query<{ taken: boolean }>(
          "select pg_try_advisory_lock($1) as taken",
          [key],
        );
        if (rows[0]?.taken) {
          // The lock's session can die under us (server restart, killed backend): the pool
          // listens only to idle clients, so without a listener its error would crash the
          // process. The lock is gone with the session; release() still discards the client.
          const lost = () => {};
          client.on("error", lost);
          return async () => {
            // Unlocked explicitly: a discarded connection's session (and its lock) ends only
            // when the server notices, so the next run of this process could find it held.
            let unlocked = false;
            try {
              await client.query("select pg_advisory_unlock($1)", [key]);
              unlocked = true;
            } catch {
              // The session is gone, and its lock with it.
            }
            client.off("error", lost);
            client.release(unlocked ? undefined : true);
          };
        }
      } catch (error) {
        client.release(true);
        throw error;
      }
      client.release();
      return null;
    },
    ownerAlive: (owner) =>
      withClient(pool, async (client) => {
        const { rows } = await client.query<{ free: boolean }>(
          "select pg_try_advisory_lock($1, $2) as free",
          [OWNER_LOCK_SPACE, owner],
        );
        if (!rows[0]?.free) return true;
        await client.query("select pg_advisory_unlock($1, $2)", [OWNER_LOCK_SPACE, owner]);
        return false;
      }),
    interrupt: async () => {
      // From a session of its own: the pool's are busy with what is to be stopped.
      const client = new pg.Client({ connectionString: url, application_name: `${name} (stop)` });
      try {
        await client.connect();
        await client.query(
          "select pg_terminate_backend(pid) from pg_stat_activity where application_name = $1 and pid <> pg_backend_pid()",
          [name],
        );
      } finally {
        await client.end().catch(() => {});
      }
    },
    close: () => kysely.destroy(),
  };
}
