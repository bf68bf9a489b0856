/**
 * The lock of an embedded database folder: PGlite serves one process, so a second `nightjar`
 * must not open the folder while the first has it. The lock is something the operating system
 * itself releases when its holder dies, so a crash never leaves it behind and a takeover never
 * races: on Linux an abstract Unix socket, on Windows a named pipe (each exists exactly as long
 * as the process listening on it; binding a second time fails). Elsewhere (macOS, BSD) a socket
 * file beside the folder stands in: one left by a dead process refuses connections and is
 * replaced, under a short-lived `mkdir` guard so that two processes never both replace it.
 * Beside the lock, `<folder>.lock` tells who holds it (pid, command, since when), for messages.
 */
import { createHash } from "node:crypto";
import { mkdir, readFile, rm, rmdir, stat, unlink, writeFile } from "node:fs/promises";
import net from "node:net";
import path from "node:path";
import { systemClock } from "../clock.ts";
import { NightjarError } from "../errors.ts";
import { type LockWait, takeWaiting } from "./locks.ts";

export type { LockWait } from "./locks.ts";

/** Another process has the embedded database open (PGlite serves one process at a time). */
export class DatabaseBusyError extends NightjarError {
  override name = "DatabaseBusyError";
  override readonly kind = "busy";
}

/** Who holds a folder's lock, as its holder wrote it down. */
export interface LockHolder {
  pid: number;
  command: string;
  since: string;
}

/** A held folder lock. */
export interface FolderLock {
  release(): Promise<void>;
}

function listenOn(address: string): Promise<net.Server | null> {
  return new Promise((resolve, reject) => {
    const server = net.createServer((socket) => socket.destroy());
    server.once("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "EADDRINUSE") resolve(null);
      else reject(error);
    });
    server.listen(address, () => {
      // The lock must not keep a finished process alive.
      server.unref();
      resolve(server);
    });
  });
}

function closeServer(server: net.Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

/** Does anyone listen on the socket file? A dead holder's file refuses connections. */
function answers(file: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(file);
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", (error: NodeJS.ErrnoException) =>
      resolve(error.code !== "ECONNREFUSED" && error.code !== "ENOENT"),
    );
  });
}

/** One attempt at the socket-file lock (macOS, BSD). */
async function trySocketFile(file: string): Promise<net.Server | null> {
  const server = await listenOn(file);
  if (server) return server;
  if (await answers(file)) return null;
  // A dead holder's file: replace it, but only one process at a time, and only while it is still
  // the dead one (checked again under the guard).
  const guard = `${file}.takeover`;
  try {
    await mkdir(guard);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    // A guard left by a process that died mid-takeover is old; anything younger is in use. File
    // times are the machine's, so the machine's clock judges them.
    const made = (await stat(guard).catch(() => null))?.mtimeMs ?? Number.NaN;
    if (systemClock.now().getTime() - made > 10_000) await rmdir(guard).catch(() => {});
    return null;
  }
  try {
    if (await answers(file)) return null;
    await unlink(file).catch(() => {});
    return await listenOn(file);
  } finally {
    await rmdir(guard).catch(() => {});
  }
}

/** The address of a folder's lock on this platform. */
function lockAddress(folder: string): { address: string; file: boolean } {
  const hash = createHash("sha256").update(path.resolve(folder)).digest("hex").slice(0, 32);
  if (process.platform === "linux") return { address: `\0nightjar-db-${hash}`, file: false };
  if (process.platform === "win32")
    return { address: `\\\\.\\pipe\\nightjar-db-${hash}`, file: false };
  return { address: `${path.resolve(folder)}.lock.sock`, file: true };
}

async function readHolder(file: string): Promise<LockHolder | null> {
  try {
    const holder = JSON.parse(await readFile(file, "utf8")) as LockHolder;
    return Number.isInteger(holder.pid) ? holder : null;
  } catch {
    return null;
  }
}

function holderName(holder: LockHolder | null): string {
  return holder
    ? `another nightjar process (pid ${holder.pid}: ${holder.command}, since ${holder.since})`
    : "another nightjar process";
}

/** Who holds folder `folder`'s lock, as its holder wrote it down (null when it did not say). */
export function folderHolder(folder: string): Promise<LockHolder | null> {
  return readHolder(`${path.resolve(folder)}.lock`);
}

/**
 * Takes the lock of the database folder `folder`: at once, or by waiting up to `waitMs` (saying
 * so once through `onWait`); a `DatabaseBusyError` naming the holder otherwise.
 */
export async function lockFolder(folder: string, wait: LockWait = {}): Promise<FolderLock> {
  const taken = await takeFolder<never>(folder, wait, async () => null);
  // Nothing stands in for the lock here: it is the lock or a DatabaseBusyError.
  return (taken as { lock: FolderLock }).lock;
}

/** The folder's lock, or what `elsewhere` found instead while the lock was busy. */
export type FolderTaken<T> = { lock: FolderLock } | { elsewhere: T };

/**
 * Like `lockFolder`, but each time the lock is busy `elsewhere` is asked first (the holder may
 * share the database, see share.ts): what it returns, unless null, is taken instead of the lock.
 */
export function takeFolder<T>(
  folder: string,
  wait: LockWait,
  elsewhere: () => Promise<T | null>,
): Promise<FolderTaken<T>> {
  const { address, file } = lockAddress(folder);
  const info = `${path.resolve(folder)}.lock`;
  return takeWaiting<FolderTaken<T>, LockHolder | null>(wait, {
    take: async () => {
      const server = file ? await trySocketFile(address) : await listenOn(address);
      if (!server) {
        const found = await elsewhere();
        return found === null ? null : { elsewhere: found };
      }
      const holder: LockHolder = {
        pid: process.pid,
        command: wait.command ?? "nightjar",
        since: (wait.now ?? systemClock.now)().toISOString(),
      };
      // Written after the lock is ours; only the holder writes or removes it.
      await writeFile(info, `${JSON.stringify(holder)}\n`);
      return {
        lock: {
          release: async () => {
            await rm(info, { force: true });
            await closeServer(server);
          },
        },
      };
    },
    holder: () => readHolder(info),
    busy: (holder, waitMs) => {
      const advice =
        waitMs > 0
          ? `; gave up after waiting ${Math.round(waitMs / 1000)} s`
          : "; wait for it to finish (or use --wait SECONDS), or use PostgreSQL (database.url) for concurrent work";
      return new DatabaseBusyError(
        `the embedded database in ${folder} is in use by ${holderName(holder)}${advice}`,
      );
    },
    waiting: (holder, waitMs) =>
      `waiting for ${holderName(holder)} to release the embedded database (up to ${Math.round(waitMs / 1000)} s)…`,
  });
}
