import type { Kysely } from "kysely";
import type { Logger } from "pino";
import type { DatabaseTarget } from "../config/load.ts";
import type { LockWait } from "./locks.ts";
import type { Database } from "./tables.ts";

/** The query builder on Nightjar's tables; a transaction of it is one too. */
export type Db = Kysely<Database>;

/** The open database: the Kysely handle plus the few things Kysely cannot do (scripts, COPY). */
export interface NightjarDb {
  readonly engine: "pglite" | "postgres";
  /**
   * The pid of the process whose embedded database this handle uses through its share (see
   * share.ts); undefined when this process opened the database itself.
   */
  readonly sharedBy?: number;
  /** The data folder this process opened (and holds the lock of); PGlite on a folder only. */
  readonly dataDir?: string;
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
  /**
   * Holds the lock of work-table owner `owner` (see work-tables.ts) until released, on a session
   * of its own: other processes then know that the owner's work tables are in use.
   */
  holdOwner(owner: number): Promise<() => Promise<void>>;
  /**
   * Takes advisory lock `key` for a session of its own, held until released or until the process
   * dies; null at once when another session holds it. On PGlite the lock is this process's only
   * (one process serves the folder; other processes need a lock of their own, see run-lock.ts).
   */
  tryHoldLock(key: number): Promise<(() => Promise<void>) | null>;
  /** Whether work-table owner `owner` is alive (in this process or another). */
  ownerAlive(owner: number): Promise<boolean>;
  /**
   * Stops this process's work on the database server at once (Ctrl-C): ends its sessions, so
   * that their running statements stop and their locks are released. The handle is unusable
   * afterwards. (PGlite runs in this process: its work ends with the process.)
   */
  interrupt(): Promise<void>;
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
export const PARSERS: Record<number, (value: string) => unknown> = {
  [OID.int8]: (value) => Number(value),
  [OID.date]: identity,
  [OID.numeric]: identity,
};

/** How a database is opened. */
export interface OpenOptions {
  /** Where a pooled connection's failure is logged (Default: nowhere). */
  logger?: Logger;
  /** Connections in the PostgreSQL pool (Default: 5). */
  poolSize?: number;
  /**
   * How this process names its PostgreSQL sessions (`application_name`), so that one waiting for
   * a lock can say who holds it (Default: "nightjar (pid N)").
   */
  applicationName?: string;
  /** How to wait for the embedded database folder when another process has it. */
  lockWait?: LockWait;
}

/** Opens the configured database. */
export async function openDatabase(
  target: DatabaseTarget,
  options: OpenOptions = {},
): Promise<NightjarDb> {
  if (target.engine === "postgres") {
    const { openPostgres } = await import("./postgres.ts");
    return openPostgres(target.url, options);
  }
  const { openPGlite } = await import("./pglite.ts");
  return openPGlite(target.dataDir, options.lockWait, options.logger);
}
