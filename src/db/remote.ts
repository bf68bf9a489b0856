/**
 * The embedded database of another nightjar process, which shares it (share.ts): the same
 * `NightjarDb`, with every query, script, COPY and work-table owner sent over a socket (see
 * share-wire.ts). Each Kysely connection is a socket of its own, leased to one host connection
 * while it is held, so connections acquired at once never mix their statements; the host runs
 * them one at a time, as PGlite does in-process.
 */
import net from "node:net";
import {
  type CompiledQuery,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type QueryResult,
} from "kysely";
import type { Logger } from "pino";
import type { NightjarDb } from "./connect.ts";
import { DatabaseUnavailableError } from "./errors.ts";
import { errorFromWire, type Message, type Request, WIRE_VERSION, Wire } from "./share-wire.ts";
import type { Database } from "./tables.ts";

/** How a shared database is opened. */
export interface SharedDatabaseOptions {
  /** The share's key (from its key file, see `shareAddress`). */
  key: string;
  logger?: Logger | undefined;
  /** The data folder, for messages. */
  folder?: string | undefined;
}

// Sockets kept open for the next connection; more are ended when released.
const IDLE_SOCKETS = 4;

/**
 * Connects to the process sharing its database at `address` (see `shareAddress`); null when no
 * process shares there.
 */
export async function openSharedDatabase(
  address: string,
  options: SharedDatabaseOptions,
): Promise<NightjarDb | null> {
  const client = new ShareClient(address, options);
  const first = await client.connect();
  if (!first) return null;
  const host = (await client.request(first, client.hello())) as {
    pid: number;
    engine: NightjarDb["engine"];
  };
  client.hostPid = host.pid;
  client.give(first);
  options.logger?.debug(
    { component: "database", folder: options.folder, host: host.pid },
    "using the embedded database shared by another nightjar process",
  );
  return remoteDb(client, host.engine, host.pid);
}

/** The sockets to the host: opening them, asking over them, keeping the idle ones. */
class ShareClient {
  hostPid = 0;
  readonly #open = new Set<Wire>();
  readonly #idle: Wire[] = [];
  #interrupted = false;

  constructor(
    private readonly address: string,
    private readonly options: SharedDatabaseOptions,
  ) {}

  /** A new socket to the host, or null when nothing listens at the address. */
  connect(): Promise<Wire | null> {
    if (this.#interrupted) return Promise.reject(this.lost());
    return new Promise((resolve) => {
      const socket = net.connect(this.address);
      const refused = () => resolve(null);
      socket.once("error", refused);
      socket.once("connect", () => {
        socket.off("error", refused);
        const wire = new Wire(socket);
        this.#open.add(wire);
        void wire.closed.then(() => this.#open.delete(wire));
        resolve(wire);
      });
    });
  }

  /** A new socket that says who this process is; a host gone since the start is an error. */
  async open(): Promise<Wire> {
    const wire = await this.connect();
    if (!wire) throw this.lost();
    try {
      await this.request(wire, this.hello());
    } catch (error) {
      wire.destroy();
      throw error;
    }
    return wire;
  }

  hello(): Request {
    return { t: "hello", version: WIRE_VERSION, pid: process.pid, key: this.options.key };
  }

  /** An idle socket, or a new one. */
  take(): Promise<Wire> {
    for (let wire = this.#idle.pop(); wire; wire = this.#idle.pop())
      if (!wire.isClosed) return Promise.resolve(wire);
    return this.open();
  }

  /** Keeps a socket that is in step with the host for the next connection. */
  give(wire: Wire): void {
    if (wire.isClosed) return;
    if (this.#interrupted || this.#idle.length >= IDLE_SOCKETS) wire.end();
    else this.#idle.push(wire);
  }

  /** Sends `request`; the host's answer, or its error rebuilt here. */
  async request(wire: Wire, request: Request): Promise<unknown> {
    // Sent first (a value that cannot be serialized throws here, before anything waits for a
    // reply), then awaited in the same turn: replies come back in the order of the requests.
    void wire.send(request);
    return this.answer(await wire.receive());
  }

  answer(message: Message | null): unknown {
    if (!message) throw this.lost();
    if (message.t === "error") throw errorFromWire(message.error);
    if (message.t !== "ok") throw new Error(`unexpected message ${message.t} from the share`);
    return message.value;
  }

  lost(): Error {
    if (this.#interrupted) return new DatabaseUnavailableError("the database work was interrupted");
    const folder = this.options.folder ? ` in ${this.options.folder}` : "";
    const host = this.hostPid ? `nightjar (pid ${this.hostPid})` : "the nightjar process";
    return new DatabaseUnavailableError(
      `lost the connection to ${host}, which shares the embedded database${folder}`,
    );
  }

  /** Ends every socket at once: the host rolls back what they had open. */
  interrupt(): void {
    this.#interrupted = true;
    this.#idle.length = 0;
    for (const wire of this.#open) wire.destroy();
  }

  /** Ends every socket after what was sent, and waits until they are closed. */
  async close(): Promise<void> {
    this.#idle.length = 0;
    const open = [...this.#open];
    for (const wire of open) wire.end();
    await Promise.all(open.map((wire) => wire.closed));
  }
}

function remoteDb(client: ShareClient, engine: NightjarDb["engine"], hostPid: number): NightjarDb {
  const kysely = new Kysely<Database>({ dialect: new RemoteDialect(client) });
  const heldLocks = new Set<number>();
  return {
    engine,
    sharedBy: hostPid,
    kysely,
    exec: async (script) => {
      const wire = await client.take();
      await client.request(wire, { t: "exec", script });
      client.give(wire);
    },
    copyIn: (job) => copyIn(client, job),
    async *copyOut(copy) {
      const wire = await client.open();
      let finished = false;
      try {
        const copies = { "'/dev/blob'": copy("'/dev/blob'"), STDOUT: copy("STDOUT") };
        void wire.send({ t: "copyOut", copies });
        for (;;) {
          const message = await wire.receive();
          if (message?.t === "end") break;
          if (message?.t !== "chunk") client.answer(message);
          else yield Buffer.from(message.data.buffer, message.data.byteOffset, message.data.length);
        }
        finished = true;
      } finally {
        // A COPY abandoned half-way leaves chunks on their way: that socket is not reused.
        if (finished) wire.end();
        else wire.destroy();
      }
    },
    holdOwner: async (owner) => {
      // A socket of its own, like a PostgreSQL session: the host lets go of the owner when it
      // closes, so a process that dies leaves no owner alive.
      const wire = await client.open();
      try {
        await client.request(wire, { t: "holdOwner", owner });
      } catch (error) {
        wire.destroy();
        throw error;
      }
      return async () => {
        if (wire.isClosed) return;
        try {
          await client.request(wire, { t: "releaseOwner", owner });
        } finally {
          wire.end();
        }
      };
    },
    tryHoldLock: async (key) => {
      if (heldLocks.has(key)) return null;
      heldLocks.add(key);
      return async () => {
        heldLocks.delete(key);
      };
    },
    ownerAlive: async (owner) => {
      const wire = await client.take();
      const alive = (await client.request(wire, { t: "ownerAlive", owner })) as boolean;
      client.give(wire);
      return alive;
    },
    interrupt: async () => client.interrupt(),
    close: async () => {
      await kysely.destroy();
      await client.close();
    },
  };
}

/** Streams a COPY's chunks to the host, on a socket used for this COPY only. */
async function copyIn(
  client: ShareClient,
  job: Parameters<NightjarDb["copyIn"]>[0],
): Promise<void> {
  const wire = await client.open();
  try {
    // The host picks the statement for its own engine (PGlite reads '/dev/blob').
    const copies: Record<string, string> = {};
    for (const source of ["'/dev/blob'", "STDIN"])
      for (const freeze of [true, false]) copies[`${source} ${freeze}`] = job.copy(source, freeze);
    void wire.send({ t: "copyIn", createTable: job.createTable, copies, timeZone: job.timeZone });
    let replied = false;
    // Before the end, only a failure is answered (the host stops reading then).
    const reply = wire.receive().then((message) => {
      replied = true;
      return message;
    });
    try {
      for await (const chunk of job.chunks) {
        if (replied) break;
        await Promise.race([wire.send({ t: "chunk", data: chunk }), reply]);
      }
    } catch (error) {
      // Without its end the COPY is rolled back on the host.
      wire.destroy();
      throw error;
    }
    if (!replied) void wire.send({ t: "end" });
    client.answer(await reply);
  } finally {
    wire.end();
  }
}

class RemoteDialect implements Dialect {
  constructor(private readonly client: ShareClient) {}
  createAdapter() {
    return new PostgresAdapter();
  }
  createDriver(): Driver {
    return new RemoteDriver(this.client);
  }
  createIntrospector(db: Kysely<unknown>) {
    return new PostgresIntrospector(db);
  }
  createQueryCompiler() {
    return new PostgresQueryCompiler();
  }
}

class RemoteConnection implements DatabaseConnection {
  constructor(
    readonly wire: Wire,
    private readonly client: ShareClient,
  ) {}

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    const { sql, parameters } = query;
    return (await this.client.request(this.wire, {
      t: "query",
      sql,
      parameters,
    })) as QueryResult<R>;
  }

  // biome-ignore lint/correctness/useYield: PGlite has no cursors; Kysely requires the method.
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error("streaming queries are not supported on PGlite");
  }
}

class RemoteDriver implements Driver {
  constructor(private readonly client: ShareClient) {}

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    const wire = await this.client.take();
    try {
      await this.client.request(wire, { t: "lease" });
    } catch (error) {
      this.client.give(wire);
      throw error;
    }
    return new RemoteConnection(wire, this.client);
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    const { wire } = connection as RemoteConnection;
    // Not answered: the socket's next request waits behind it on the host anyway.
    void wire.send({ t: "release" });
    this.client.give(wire);
  }

  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await this.client.request((connection as RemoteConnection).wire, { t: "begin" });
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await this.client.request((connection as RemoteConnection).wire, { t: "commit" });
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await this.client.request((connection as RemoteConnection).wire, { t: "rollback" });
  }

  async destroy(): Promise<void> {}
}
