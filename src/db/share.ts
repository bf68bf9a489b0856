/**
 * Sharing the embedded database: PGlite serves one process, so the process that holds a data
 * folder (`nightjar serve`) lets other nightjar processes (the CLI beside it) work on it through
 * a socket (see share-wire.ts, and remote.ts for the other end). Each client socket is one
 * session: a Kysely connection of the client is a *lease* on a connection of the host's Kysely,
 * which holds PGlite's one session until the client releases it. So a client's transaction is
 * exclusive against the host's own queries and other clients', exactly like one in the host, and
 * a client that goes away mid-transaction is rolled back and its lease ended: the host is never
 * left blocked.
 */
import { randomBytes, timingSafeEqual } from "node:crypto";
import { rm, unlink, writeFile } from "node:fs/promises";
import net from "node:net";
import { CompiledQuery } from "kysely";
import type { Logger } from "pino";
import type { Db, NightjarDb } from "./connect.ts";
import {
  errorToWire,
  type Message,
  type Reply,
  type Request,
  shareAddress,
  WIRE_VERSION,
  Wire,
} from "./share-wire.ts";

/** A database being shared. */
export interface DatabaseShare {
  /** Where the clients connect (an abstract socket, a socket file or a named pipe). */
  readonly address: string;
  /** Stops sharing: refuses new clients, ends the connected ones and waits until their work ends. */
  close(): Promise<void>;
}

/** Shares `db` (opened on data folder `dataDir`) with the other nightjar processes that open the folder. */
export async function shareDatabase(
  db: NightjarDb,
  dataDir: string,
  options: { logger?: Logger } = {},
): Promise<DatabaseShare> {
  const { address, file, keyFile } = shareAddress(dataDir);
  const logger = options.logger?.child({ component: "database share" });
  const key = randomBytes(32).toString("hex");
  // Removed first: a file left by an earlier holder keeps its permissions through a rewrite.
  await rm(keyFile, { force: true });
  await writeFile(keyFile, `${key}\n`, { mode: 0o600 });
  const sessions = new Set<Session>();
  const server = net.createServer((socket) => {
    const session = new Session(db, new Wire(socket), key, logger);
    sessions.add(session);
    void session.run().finally(() => sessions.delete(session));
  });
  try {
    await listen(server, address, file);
  } catch (error) {
    await rm(keyFile, { force: true });
    throw error;
  }
  // Sharing must not keep a finished process alive; a connected client does, until it is done.
  server.unref();
  logger?.debug({ folder: dataDir }, "sharing the embedded database with other nightjar processes");
  let closing: Promise<void> | undefined;
  return {
    address,
    close: () => {
      closing ??= (async () => {
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        const running = [...sessions];
        for (const session of running) session.wire.destroy();
        await Promise.all(running.map((session) => session.done));
        await stopped;
        await rm(keyFile, { force: true });
        logger?.debug({ folder: dataDir }, "stopped sharing the embedded database");
      })();
      return closing;
    },
  };
}

function listen(server: net.Server, address: string, file: boolean): Promise<void> {
  const attempt = () =>
    new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(address, () => {
        server.off("error", reject);
        resolve();
      });
    });
  return attempt().catch(async (error: NodeJS.ErrnoException) => {
    // The caller holds the folder's lock, so a socket file already there was left by a holder
    // that died; an abstract socket or a pipe in use is a second share of the same folder.
    if (error.code !== "EADDRINUSE" || !file) throw error;
    await unlink(address);
    await attempt();
  });
}

/** A leased host connection (the host's Kysely bound to it), held until `end`. */
interface Lease {
  connection: Db;
  inTransaction: boolean;
  end(): void;
  /** Settles once the host's Kysely has the connection back. */
  returned: Promise<unknown>;
}

/** One client socket: its requests, answered in order, and what it holds. */
class Session {
  #lease: Lease | undefined;
  readonly #owners = new Map<number, () => Promise<void>>();
  #client = "a nightjar process";
  #greeted = false;
  done: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: NightjarDb,
    readonly wire: Wire,
    private readonly key: string,
    private readonly logger: Logger | undefined,
  ) {}

  run(): Promise<void> {
    this.done = (async () => {
      try {
        for (;;) {
          const request = (await this.wire.receive()) as Request | null;
          if (!request) break;
          await this.#answer(request);
        }
      } catch (error) {
        this.logger?.warn(
          { client: this.#client, reason: String(error) },
          "a share session failed",
        );
      } finally {
        await this.#cleanUp();
        this.wire.destroy();
      }
    })();
    return this.done;
  }

  async #answer(request: Request): Promise<void> {
    if (!this.#greeted && request.t !== "hello") {
      // Nothing but a hello with the key is answered; a stranger is not told more.
      this.wire.destroy();
      return;
    }
    if (request.t === "release") return this.#endLease(false);
    if (request.t === "copyIn") return this.#copyIn(request);
    if (request.t === "copyOut") return this.#copyOut(request);
    let reply: Reply;
    try {
      reply = { t: "ok", value: await this.#handle(request) };
    } catch (error) {
      reply = { t: "error", error: errorToWire(error) };
    }
    await this.wire.send(reply);
  }

  async #handle(request: Request): Promise<unknown> {
    switch (request.t) {
      case "hello":
        if (request.version !== WIRE_VERSION)
          throw new Error(
            `this nightjar (pid ${process.pid}) shares its database in wire version ${WIRE_VERSION}, not ${request.version}: use the same nightjar version`,
          );
        if (!sameKey(request.key, this.key)) {
          this.logger?.warn({ pid: request.pid }, "refused a connection without the share's key");
          throw new Error("the share's key does not match: the database is no longer shared");
        }
        this.#greeted = true;
        this.#client = `nightjar (pid ${request.pid})`;
        this.logger?.debug({ client: this.#client }, "a nightjar process connected");
        return { pid: process.pid, engine: this.db.engine };
      case "lease":
        return this.#takeLease();
      case "query": {
        const result = await this.#leased().executeQuery(
          CompiledQuery.raw(request.sql, [...request.parameters]),
        );
        return { rows: result.rows, numAffectedRows: result.numAffectedRows };
      }
      case "begin":
      case "commit":
      case "rollback": {
        const lease = this.#lease;
        await this.#leased().executeQuery(CompiledQuery.raw(request.t));
        if (lease) lease.inTransaction = request.t === "begin";
        return undefined;
      }
      case "exec":
        return this.db.exec(request.script);
      case "holdOwner": {
        const release = await this.db.holdOwner(request.owner);
        this.#owners.set(request.owner, release);
        return undefined;
      }
      case "releaseOwner": {
        const release = this.#owners.get(request.owner);
        this.#owners.delete(request.owner);
        return release?.();
      }
      case "ownerAlive":
        return this.db.ownerAlive(request.owner);
      default:
        throw new Error(`unexpected message ${request.t} from ${this.#client}`);
    }
  }

  #leased(): Db {
    if (!this.#lease) throw new Error("no connection is leased on this session");
    return this.#lease.connection;
  }

  /** Waits for a connection of the host's Kysely (PGlite's mutex) and holds it for the client. */
  #takeLease(): Promise<undefined> {
    if (this.#lease) throw new Error("a connection is already leased on this session");
    return new Promise((granted, failed) => {
      let held = false;
      const returned = this.db.kysely.connection().execute(
        (connection) =>
          new Promise<void>((end) => {
            held = true;
            this.#lease = { connection, inTransaction: false, end, returned };
            granted(undefined);
          }),
      );
      returned.catch((error: unknown) => {
        if (!held) failed(error);
      });
    });
  }

  /** Gives the host its connection back, rolling back what the client left open. */
  async #endLease(abandoned: boolean): Promise<void> {
    const lease = this.#lease;
    if (!lease) return;
    this.#lease = undefined;
    try {
      if (lease.inTransaction) {
        if (abandoned)
          this.logger?.info(
            { client: this.#client },
            "a nightjar process went away mid-transaction: rolled it back",
          );
        await lease.connection.executeQuery(CompiledQuery.raw("rollback"));
      }
    } catch (error) {
      this.logger?.warn({ client: this.#client, reason: String(error) }, "could not roll back");
    } finally {
      lease.end();
      await lease.returned.catch(() => {});
    }
  }

  async #cleanUp(): Promise<void> {
    await this.#endLease(true);
    for (const [owner, release] of this.#owners) {
      this.#owners.delete(owner);
      await release().catch(() => {});
    }
    this.logger?.debug({ client: this.#client }, "a nightjar process disconnected");
  }

  async #copyIn(request: Extract<Request, { t: "copyIn" }>): Promise<void> {
    const { copies } = request;
    let reply: Reply;
    try {
      await this.db.copyIn({
        createTable: request.createTable,
        copy: (source, freeze) => pick(copies, `${source} ${freeze}`),
        chunks: this.#chunks(),
        timeZone: request.timeZone,
      });
      reply = { t: "ok" };
    } catch (error) {
      reply = { t: "error", error: errorToWire(error) };
    }
    await this.wire.send(reply);
    // After a failure the client may still be sending chunks: the socket is out of step, so it
    // ends here (the client uses a socket of its own for each COPY).
    if (reply.t === "error") this.wire.end();
  }

  /** The client's COPY chunks until its `end`; a client gone before it fails the COPY. */
  async *#chunks(): AsyncGenerator<Buffer> {
    for (;;) {
      const message: Message | null = await this.wire.receive();
      if (message?.t === "end") return;
      if (message?.t !== "chunk")
        throw new Error(`${this.#client} went away before the end of its COPY`);
      yield Buffer.from(message.data.buffer, message.data.byteOffset, message.data.byteLength);
    }
  }

  async #copyOut(request: Extract<Request, { t: "copyOut" }>): Promise<void> {
    try {
      for await (const data of this.db.copyOut((target) => pick(request.copies, target)))
        if (!(await this.wire.send({ t: "chunk", data }))) return;
      await this.wire.send({ t: "end" });
    } catch (error) {
      await this.wire.send({ t: "error", error: errorToWire(error) });
    }
  }
}

function sameKey(given: unknown, key: string): boolean {
  const a = Buffer.from(typeof given === "string" ? given : "");
  const b = Buffer.from(key);
  return a.length === b.length && timingSafeEqual(a, b);
}

function pick(copies: Record<string, string>, key: string): string {
  const copy = copies[key];
  if (copy === undefined) throw new Error(`the client sent no COPY statement for ${key}`);
  return copy;
}
