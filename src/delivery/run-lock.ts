/**
 * One nightly run at a time. On PostgreSQL an advisory lock on a session of its own (released
 * when the process dies); PGlite has no lock across processes, so beside it a lock of Nightjar's
 * own next to the data folder (`<folder>.nightly-run`, the folder lock's mechanism: the
 * operating system releases it when the holder dies), which also covers a `nightjar run` beside
 * `serve` on the shared database.
 */
import { hostname } from "node:os";
import type { App } from "../app.ts";
import { DatabaseBusyError, type FolderLock, folderHolder, lockFolder } from "../db/folder-lock.ts";
import { LOCKS } from "../db/locks.ts";
import { NightjarError } from "../errors.ts";

/** Another nightly run holds the lock. */
export class NightlyRunBusyError extends NightjarError {
  override name = "NightlyRunBusyError";
  override readonly kind = "busy";
}

/** A held run lock. */
export interface RunLock {
  release(): Promise<void>;
}

/** How this process names itself as the lock's holder. */
export function holderName(command: string): string {
  return `${command} (pid ${process.pid} on ${hostname()})`;
}

async function busy(app: App, extra: string | null): Promise<NightlyRunBusyError> {
  const running = await app.db.kysely
    .selectFrom("nightly_runs")
    .select(["id", "run_date", "holder", "started_at"])
    .where("status", "=", "running")
    .orderBy("id", "desc")
    .executeTakeFirst();
  const who = running
    ? `run #${running.id} of ${running.run_date}, started ${running.started_at.toISOString()} by ${running.holder}`
    : (extra ?? "a run that is just starting");
  return new NightlyRunBusyError(
    `another nightly run holds the run lock: ${who}. Wait for it to finish; it hands over what is due, and a second run would find nothing left to send.`,
  );
}

/** Takes the run lock at once, or a `NightlyRunBusyError` naming the run that holds it. */
export async function takeRunLock(app: App, command: string): Promise<RunLock> {
  const release = await app.db.tryHoldLock(LOCKS.nightlyRun);
  if (release === null) throw await busy(app, null);
  const target = app.loaded.database;
  const onFolder = app.db.engine === "pglite" && (app.db.dataDir || app.db.sharedBy !== undefined);
  if (!onFolder || target.engine !== "pglite") return { release };
  const folder = `${target.dataDir}.nightly-run`;
  let lock: FolderLock;
  try {
    lock = await lockFolder(folder, { command: holderName(command), now: () => app.clock.now() });
  } catch (error) {
    await release();
    if (!(error instanceof DatabaseBusyError)) throw error;
    const holder = await folderHolder(folder);
    throw await busy(
      app,
      holder ? `${holder.command}, since ${holder.since}` : "another nightjar process",
    );
  }
  return {
    release: async () => {
      await lock.release();
      await release();
    },
  };
}
