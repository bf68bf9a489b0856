import { sql, type Transaction } from "kysely";
import type { Db } from "./connect.ts";
import { LOCKS, type LockName } from "./locks.ts";
import type { Database } from "./tables.ts";

export type Trx = Transaction<Database>;

/** How a transaction's session is set up before its work starts. */
export interface TransactionSettings {
  /** The session time zone, for timestamps without an offset and for `::date` casts. */
  timeZone?: string;
  /** Advisory locks taken first, in this order, held until the transaction ends. */
  locks?: readonly LockName[];
  /**
   * JIT compilation (Default: PostgreSQL's own setting). Statements that run once a night over the
   * whole base cost more to compile than compiling saves, so their transactions turn it off.
   */
  jit?: boolean;
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
      for (const lock of settings.locks ?? [])
        await sql`select pg_advisory_xact_lock(${LOCKS[lock]})`.execute(trx);
      if (settings.timeZone !== undefined)
        await sql`select set_config('TimeZone', ${settings.timeZone}, true)`.execute(trx);
      if (settings.jit !== undefined)
        await sql`select set_config('jit', ${settings.jit ? "on" : "off"}, true)`.execute(trx);
      const result = await work(trx);
      if (options.commitIf && !options.commitIf(result)) throw new RolledBack(result);
      return result;
    });
  } catch (thrown) {
    if (thrown instanceof RolledBack) return thrown.value as T;
    throw thrown;
  }
}
