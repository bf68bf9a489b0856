/**
 * The wire between a process that shares its embedded database (share.ts) and the nightjar
 * processes that use it (remote.ts): one Unix socket (a named pipe on Windows) per session,
 * carrying messages framed as a 4-byte big-endian length and a `v8.serialize` payload. Structured
 * clone keeps what query results and parameters hold (Date, Buffer, BigInt, null, undefined), so
 * a value arrives exactly as PGlite produced it, unlike JSON.
 */
import { createHash } from "node:crypto";
import type net from "node:net";
import path from "node:path";
import v8 from "node:v8";

/**
 * Where the process holding folder `folder` listens for other nightjar processes, and the file
 * beside the folder with the key a client must present: an abstract socket or a pipe has no file
 * permissions of its own, so the key file's (readable by its owner only) decide who may connect.
 */
export function shareAddress(folder: string): { address: string; file: boolean; keyFile: string } {
  const resolved = path.resolve(folder);
  const hash = createHash("sha256").update(resolved).digest("hex").slice(0, 32);
  const keyFile = `${resolved}.share-key`;
  if (process.platform === "linux")
    return { address: `\0nightjar-share-${hash}`, file: false, keyFile };
  if (process.platform === "win32")
    return { address: `\\\\.\\pipe\\nightjar-share-${hash}`, file: false, keyFile };
  return { address: `${resolved}.share.sock`, file: true, keyFile };
}

/** The version of the messages below; a host and a client of different versions refuse each other. */
export const WIRE_VERSION = 1;

/** What a client asks (the host answers each with a `Reply`, except `release`, `chunk`, `end`). */
export type Request =
  | { t: "hello"; version: number; pid: number; key: string }
  | { t: "lease" }
  | { t: "query"; sql: string; parameters: readonly unknown[] }
  | { t: "begin" }
  | { t: "commit" }
  | { t: "rollback" }
  | { t: "release" }
  | { t: "exec"; script: string }
  | { t: "copyIn"; createTable: string; copies: Record<string, string>; timeZone: string }
  | { t: "copyOut"; copies: Record<string, string> }
  | { t: "chunk"; data: Uint8Array }
  | { t: "end" }
  | { t: "holdOwner"; owner: number }
  | { t: "releaseOwner"; owner: number }
  | { t: "ownerAlive"; owner: number };

/** What the host answers; a COPY out sends `chunk`s and an `end` instead. */
export type Reply =
  | { t: "ok"; value?: unknown }
  | { t: "error"; error: WireError }
  | { t: "chunk"; data: Uint8Array }
  | { t: "end" };

export type Message = Request | Reply;

/** An error as it crosses the wire: its message, name and primitive fields (`code`, `detail`…). */
export interface WireError {
  message: string;
  name: string;
  fields: Record<string, string | number | boolean>;
}

// Fields not worth sending: the host's stack means nothing to the client, and the query and its
// parameters are the client's own.
const LOCAL_FIELDS = new Set(["stack", "message", "name", "query", "params"]);

/** An error of the host, for the wire. */
export function errorToWire(error: unknown): WireError {
  if (!(error instanceof Error)) return { message: String(error), name: "Error", fields: {} };
  const fields: WireError["fields"] = {};
  for (const [key, value] of Object.entries(error)) {
    if (LOCAL_FIELDS.has(key)) continue;
    if (typeof value === "string" || typeof value === "number" || typeof value === "boolean")
      fields[key] = value;
  }
  return { message: error.message, name: error.name, fields };
}

/** The host's error, rebuilt in the client with the same message and fields (the SQLSTATE `code`). */
export function errorFromWire(wire: WireError): Error {
  const error = Object.assign(new Error(wire.message), wire.fields);
  if (wire.name !== "Error") Object.defineProperty(error, "name", { value: wire.name });
  return error;
}

// Received messages are buffered up to this many before the socket is paused: a COPY's chunks
// wait in the kernel rather than in memory.
const HIGH_WATER = 8;

/** One socket as a sequence of messages: `send` and `receive`, in order. */
export class Wire {
  readonly #socket: net.Socket;
  readonly #received: Message[] = [];
  readonly #waiting: ((message: Message | null) => void)[] = [];
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  #closed = false;
  /** Resolves when the socket is closed, whichever side closed it. */
  readonly closed: Promise<void>;

  constructor(socket: net.Socket) {
    this.#socket = socket;
    socket.on("data", (data: Buffer) => this.#take(data));
    // A peer that goes away is an end of messages, not an error that would crash the process.
    socket.on("error", () => {});
    this.closed = new Promise((resolve) =>
      socket.once("close", () => {
        this.#closed = true;
        for (const waiter of this.#waiting.splice(0)) waiter(null);
        resolve();
      }),
    );
  }

  get isClosed(): boolean {
    return this.#closed;
  }

  /** Sends a message; resolves once the socket can take more (false when it is closed). */
  send(message: Message): Promise<boolean> {
    if (this.#closed || this.#socket.destroyed) return Promise.resolve(false);
    const payload = v8.serialize(message);
    const header = Buffer.allocUnsafe(4);
    header.writeUInt32BE(payload.length);
    this.#socket.write(header);
    if (this.#socket.write(payload)) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (open: boolean) => () => {
        this.#socket.off("drain", onDrain);
        this.#socket.off("close", onClose);
        resolve(open);
      };
      const onDrain = done(true);
      const onClose = done(false);
      this.#socket.once("drain", onDrain);
      this.#socket.once("close", onClose);
    });
  }

  /**
   * The next message, or null once the socket is closed. Registered at once, so that requests
   * sent one after another get their replies in the same order.
   */
  receive(): Promise<Message | null> {
    const message = this.#received.shift();
    if (this.#received.length < HIGH_WATER) this.#socket.resume();
    if (message) return Promise.resolve(message);
    if (this.#closed) return Promise.resolve(null);
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  /** Ends the socket after what was sent. */
  end(): void {
    this.#socket.end();
  }

  /** Closes the socket at once (what was not sent is lost). */
  destroy(): void {
    this.#socket.destroy();
  }

  #take(data: Buffer): void {
    this.#pending.push(data);
    this.#pendingBytes += data.length;
    for (;;) {
      if (this.#pendingBytes < 4) return;
      const first = this.#pending[0] as Buffer;
      const length = (first.length >= 4 ? first : this.#join()).readUInt32BE(0);
      if (this.#pendingBytes < 4 + length) return;
      // Only now, with the whole frame here, is it worth joining (a 1 MiB chunk arrives in pieces).
      const joined = this.#join();
      const message = v8.deserialize(joined.subarray(4, 4 + length)) as Message;
      const rest = joined.subarray(4 + length);
      this.#pending = rest.length ? [rest] : [];
      this.#pendingBytes = rest.length;
      const waiter = this.#waiting.shift();
      if (waiter) waiter(message);
      else {
        this.#received.push(message);
        if (this.#received.length >= HIGH_WATER) this.#socket.pause();
      }
    }
  }

  #join(): Buffer {
    if (this.#pending.length > 1) this.#pending = [Buffer.concat(this.#pending)];
    return this.#pending[0] as Buffer;
  }
}
