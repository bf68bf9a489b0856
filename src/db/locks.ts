/**
 * PostgreSQL advisory-lock ids, in one place so that no two rooms pick the same number. Each is
 * taken with `pg_advisory_xact_lock` by every transaction that writes the tables it guards.
 */
export const LOCKS = {
  /** The customer tables: snapshot and transaction imports, attribute columns. */
  customerTables: 7_301_001,
  /** The customer model's tables: model runs. */
  modelTables: 7_301_002,
  /** The synced SFMC push messages. */
  sfmcMessages: 7_301_003,
} as const;

export type LockName = keyof typeof LOCKS;
