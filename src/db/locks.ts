import { setTimeout as delay } from "node:timers/promises";
import { stopwatch } from "../clock.ts";

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
  /** Campaign occurrences, their recipient lists and send batches: the freeze and resolutions. */
  deliveryTables: 7_301_004,
  /** One nightly run at a time (a session lock, held for the whole run). */
  nightlyRun: 7_301_005,
} as const;

export type LockName = keyof typeof LOCKS;

/**
 * The first key of the work-table owners' session locks (the second is the owner, see
 * work-tables.ts): held by a live import or model run, free once its process is gone.
 */
export const OWNER_LOCK_SPACE = 7_301_100;

/** What each lock guards, for the message of someone who has to wait for it. */
export const LOCK_SUBJECTS: Record<LockName, string> = {
  customerTables: "the customer tables",
  modelTables: "the customer model",
  sfmcMessages: "the synced push messages",
  deliveryTables: "the recipient lists and send batches",
  nightlyRun: "the nightly run",
};

/** How to wait for a lock another process holds (an advisory lock, an embedded database folder). */
export interface LockWait {
  /** Give up after this long (Default: 0: at once). */
  waitMs?: number | undefined;
  /** Told once, when the lock is busy and the caller is going to wait. */
  onWait?: ((message: string) => void) | undefined;
  /** What the holder is doing, written beside the lock (Default: "nightjar"). */
  command?: string | undefined;
  /** The time written as `since` (an ISO instant). */
  now?: () => Date;
}

/** A lock taken by polling: one attempt at it, who holds it, and what to say while it is busy. */
export interface PolledLock<T, H> {
  /** One attempt: the lock, or null while someone else holds it. */
  take(): Promise<T | null>;
  /** Who holds it, for the messages. */
  holder(): Promise<H>;
  /** The error when it is still held once the wait is over (`waitMs` 0: it was not waited for). */
  busy(holder: H, waitMs: number): Error;
  /** What `onWait` is told, once, when it is busy and the caller is going to wait. */
  waiting(holder: H, waitMs: number): string;
}

/** Takes `lock` at once or by polling it every 250 ms up to `wait.waitMs`, saying once that it waits. */
export async function takeWaiting<T, H>(wait: LockWait, lock: PolledLock<T, H>): Promise<T> {
  const waitMs = wait.waitMs ?? 0;
  const elapsed = stopwatch();
  let told = false;
  for (;;) {
    const taken = await lock.take();
    if (taken !== null) return taken;
    const holder = await lock.holder();
    const waited = elapsed() * 1000;
    if (waited >= waitMs) throw lock.busy(holder, waitMs);
    if (!told) {
      told = true;
      wait.onWait?.(lock.waiting(holder, waitMs));
    }
    await delay(Math.min(250, waitMs - waited));
  }
}
