import { sql, type Transaction } from "kysely";
import { NightjarError } from "../errors.ts";
import type { Db } from "./connect.ts";
import { LOCK_SUBJECTS, LOCKS, type LockName, type LockWait, takeWaiting } from "./locks.ts";
import type { Database } from "./tables.ts";

/** A lock another session holds was not released in time. */
export class LockBusyError extends NightjarError {
  override name = "LockBusyError";
  override readonly kind = "busy";
}

export type Trx = Transaction<Database>;

/** How a transaction's session is set up before its work starts. */
export interface TransactionSettings {
  /** The session time zone, for timestamps without an offset and for `::date` casts. */
  timeZone?: string;
  /** Advisory locks taken first, in this order, held until the transaction ends. */
  locks?: readonly LockName[];
  /**
   * How long to wait for a lock another session holds, saying so (Default: as long as it takes).
   * With a wait, a lock still held after it is a `LockBusyError` naming its holder.
   */
  wait?: LockWait | undefined;
  /**
   * JIT compilation (Default: PostgreSQL's own setting). Statements that run once a night over the
   * whole base cost more to compile than compiling saves, so their transactions turn it off.
   */
  jit?: boolean;
  /** Memory a sort or hash may use before spilling to disk, e.g. "64MB" (Default: the server's). */
  workMem?: string;
}

/** Carries a value out of a transaction that must not commit. */
class RolledBack<T> {
  constructor(readonly value: T) {}
}

/**
 * Runs `work` in one transaction, with the session settings and locks taken first. The
 * transaction commits when `work` resolves (and `commitIf`, when given, approves its result);
 * otherwise it rolls back — and still returns that result, since a refusal is a value, not an
 * error. A throw rolls back and rethrows. Use cases own transactions; data functions never begin
 * one.
 */
export async function inTransaction<T>(
  db: Db,
  settings: TransactionSettings,
  work: (trx: Trx) => Promise<T>,
  options: { commitIf?: (result: T) => boolean } = {},
): Promise<T> {
  try {
    return await db.transaction().execute(async (trx) => {
      for (const lock of settings.locks ?? []) {
        if (settings.wait) await takeLockWaiting(trx, lock, settings.wait);
        else await sql`select pg_advisory_xact_lock(${LOCKS[lock]})`.execute(trx);
      }
      if (settings.timeZone !== undefined)
        await sql`select set_config('TimeZone', ${settings.timeZone}, true)`.execute(trx);
      if (settings.jit !== undefined)
        await sql`select set_config('jit', ${settings.jit ? "on" : "off"}, true)`.execute(trx);
      if (settings.workMem !== undefined)
        await sql`select set_config('work_mem', ${settings.workMem}, true)`.execute(trx);
      const result = await work(trx);
      if (options.commitIf && !options.commitIf(result)) throw new RolledBack(result);
      return result;
    });
  } catch (thrown) {
    if (thrown instanceof RolledBack) return thrown.value as T;
    throw thrown;
  }
}

/** Who holds an advisory lock: the other session's name (`nightjar import … (pid N)`) and since. */
async function lockHolder(trx: Trx, lock: LockName): Promise<string> {
  const result = await sql<{ name: string | null; since: Date | null; backend: number }>`
    select a.application_name as name, a.xact_start as since, a.pid as backend
    from pg_locks l join pg_stat_activity a on a.pid = l.pid
    where l.locktype = 'advisory' and l.granted and l.classid = 0 and l.objid = ${LOCKS[lock]}
      and l.objsubid = 1 and l.pid <> pg_backend_pid()
      -- Advisory locks belong to one database: another database's holder is not ours.
      and l.database = (select oid from pg_database where datname = current_database())
    limit 1`.execute(trx);
  const row = result.rows[0];
  if (!row) return "another session";
  const who = row.name ? row.name : `database session ${row.backend}`;
  return `${who}${row.since ? `, in a transaction started at ${row.since.toISOString()}` : ""}`;
}

/** Takes a transaction lock, polling up to `wait.waitMs` and saying once that it waits. */
function takeLockWaiting(trx: Trx, lock: LockName, wait: LockWait): Promise<true> {
  return takeWaiting(wait, {
    take: async () => {
      const result = await sql<{ taken: boolean }>`
        select pg_try_advisory_xact_lock(${LOCKS[lock]}) as taken`.execute(trx);
      return result.rows[0]?.taken ? true : null;
    },
    holder: () => lockHolder(trx, lock),
    busy: (holder, waitMs) =>
      new LockBusyError(
        `the lock of ${LOCK_SUBJECTS[lock]} is held by ${holder}; ${waitMs > 0 ? `gave up after waiting ${Math.round(waitMs / 1000)} s` : "try again when it has finished, or wait for it with --wait SECONDS"}`,
      ),
    waiting: (holder, waitMs) =>
      `waiting for ${holder} to release the lock of ${LOCK_SUBJECTS[lock]} (up to ${Math.round(waitMs / 1000)} s)…`,
  });
}
