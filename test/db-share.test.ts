// Sharing the embedded database: a process holding the folder (as `nightjar serve` will) shares
// it, and another nightjar process that opens the folder works through it — a CLI import, its
// transactions exclusive against the host's queries, its errors, values and COPY as in-process —
// and one that dies mid-transaction leaves nothing behind and the host unblocked.
import { type ChildProcess, fork } from "node:child_process";
import { stat, writeFile } from "node:fs/promises";
import net from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { copyChunks, type NightjarDb } from "../src/db/connect.ts";
import { openPGlite } from "../src/db/pglite.ts";
import { openSharedDatabase } from "../src/db/remote.ts";
import { shareAddress, Wire } from "../src/db/share-wire.ts";
import { cli, onlyJson } from "./helpers/cli.ts";
import { seedDataFolder } from "./helpers/engines.ts";
import { tempFolder } from "./helpers/files.ts";
import type { HostAsk, HostReply, LoopReport } from "./helpers/share-child.ts";

const CHILD = fileURLToPath(new URL("./helpers/share-child.ts", import.meta.url));

const folder = tempFolder({
  config: {
    customers: { attributes: [{ name: "allow_push", type: "boolean", required: true }] },
  },
});

/** A child process of helpers/share-child.ts. */
function start(mode: "host" | "remote", dataDir: string): Promise<ChildProcess> {
  const child = fork(CHILD, [mode, dataDir], {
    execArgv: ["--import", "tsx"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
    serialization: "advanced",
  });
  return new Promise((resolve, reject) => {
    child.once("message", () => resolve(child));
    child.once("exit", (code) => reject(new Error(`the ${mode} process exited (${code})`)));
  });
}

let host: ChildProcess;
let dataDir = "";
let nextId = 0;

/** Asks the host process; its answer, or its error (message and code) rethrown here. */
function ask(request: HostAsk): Promise<unknown> {
  const id = ++nextId;
  return new Promise((resolve, reject) => {
    const onMessage = (reply: HostReply) => {
      if (reply.id !== id) return;
      host.off("message", onMessage);
      if (reply.error) reject(Object.assign(new Error(reply.error.message), reply.error));
      else resolve(reply.value);
    };
    host.on("message", onMessage);
    host.send({ ...request, id });
  });
}

const hostRows = (text: string) => ask({ t: "query", sql: text }) as Promise<unknown[]>;

/** Whether `promise` is still pending after `ms`. */
async function stillPending(promise: Promise<unknown>, ms: number): Promise<boolean> {
  const pending = Symbol("pending");
  const timer = new Promise((resolve) => setTimeout(() => resolve(pending), ms));
  return (await Promise.race([promise.then(() => null), timer])) === pending;
}

beforeAll(async () => {
  dataDir = path.join(folder.dir(), ".nightjar");
  await seedDataFolder(dataDir);
  host = await start("host", dataDir);
  await hostRows("create table share_probe (id int primary key, note text)");
  const lines = ["contact_key,allow_push"];
  for (let i = 0; i < 5_000; i++) lines.push(`C${String(i).padStart(5, "0")},${i % 2 === 0}`);
  await writeFile(path.join(folder.dir(), "customers.csv"), `${lines.join("\n")}\n`);
});
afterAll(async () => {
  if (host.exitCode === null) {
    const exited = new Promise((resolve) => host.once("exit", resolve));
    await ask({ t: "close" });
    await exited;
  }
});

describe("a shared embedded database", () => {
  it("runs a CLI import beside the host, which keeps answering its own queries", async () => {
    await ask({ t: "startLoop" });
    const run = await cli(
      folder.dir(),
      ["import", "customers", "customers.csv", "--date", "2026-11-01", "--json"],
      { env: { NIGHTJAR_LOG_LEVEL: "debug" } },
    );
    const loop = (await ask({ t: "stopLoop" })) as LoopReport;
    expect(run.code, run.stderr).toBe(0);
    expect(onlyJson(run)).toMatchObject({ rows: 5_000, inserted: 5_000 });
    expect(run.stderr).toContain("held by another nightjar process, which shares it");
    expect(await hostRows("select count(*)::int as n from customers where present")).toEqual([
      { n: 5_000 },
    ]);
    expect(loop.failures).toEqual([]);
    expect(loop.queries).toBeGreaterThan(0);
    // The import's work tables went with it.
    expect(
      await hostRows("select tablename from pg_tables where tablename like 'import\\_staging%'"),
    ).toEqual([]);
  });

  describe("opened in this process", () => {
    let remote: NightjarDb;
    beforeAll(async () => {
      remote = await openPGlite(dataDir);
    });
    afterAll(async () => {
      await remote.close();
    });

    it("holds the host's queries until a remote transaction commits", async () => {
      let open: () => void = () => {};
      const gate = new Promise<void>((resolve) => {
        open = resolve;
      });
      let inside: () => void = () => {};
      const entered = new Promise<void>((resolve) => {
        inside = resolve;
      });
      const transaction = remote.kysely.transaction().execute(async (trx) => {
        await sql`insert into share_probe (id, note) values (1, 'remote')`.execute(trx);
        inside();
        await gate;
      });
      await entered;
      const seen = hostRows("select id, note from share_probe order by id");
      expect(await stillPending(seen, 300)).toBe(true);
      open();
      await transaction;
      expect(await seen).toEqual([{ id: 1, note: "remote" }]);
    });

    it("runs concurrent remote connections one at a time, each on its own", async () => {
      const counts = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          remote.kysely.transaction().execute(async (trx) => {
            await sql`insert into share_probe (id, note) values (${100 + i}, 'many')`.execute(trx);
            const { rows } = await sql<{ n: number }>`
              select count(*)::int as n from share_probe where note = 'many'`.execute(trx);
            return rows[0]?.n;
          }),
        ),
      );
      expect([...counts].sort()).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    });

    it("keeps errors' SQLSTATE codes and values' JS types as in-process", async () => {
      const duplicate = sql`insert into share_probe (id, note) values (1, 'again')`.execute(
        remote.kysely,
      );
      await expect(duplicate).rejects.toMatchObject({
        code: "23505",
        message: expect.stringContaining("share_probe_pkey"),
      });
      const hostError = await hostRows(
        "insert into share_probe (id, note) values (1, 'again')",
      ).catch((error: unknown) => error);
      expect(await duplicate.catch((error: Error) => error.message)).toBe(
        (hostError as Error).message,
      );
      const values = `select 12345678901::int8 as big, 7::int as small, '2026-11-01'::date as day,
        1.50::numeric as amount, timestamptz '2026-11-01 10:00:00+00' as at, true as yes,
        null::text as nothing, '\\x0102'::bytea as bytes, array[1, 2] as list,
        '{"a": 1}'::jsonb as doc`;
      const remoteRows = (await sql.raw(values).execute(remote.kysely)).rows;
      expect(remoteRows).toEqual(await hostRows(values));
      expect(remoteRows).toEqual([
        {
          big: 12345678901,
          small: 7,
          day: "2026-11-01",
          amount: "1.50",
          at: new Date("2026-11-01T10:00:00Z"),
          yes: true,
          nothing: null,
          bytes: new Uint8Array([1, 2]),
          list: [1, 2],
          doc: { a: 1 },
        },
      ]);
      const updated = await remote.kysely
        .updateTable("share_probe" as never)
        .set({ note: "updated" } as never)
        .where("note" as never, "=", "many" as never)
        .executeTakeFirst();
      expect(updated.numUpdatedRows).toBe(8n);
    });

    it("copies in and out through the share; a failed COPY leaves no table", async () => {
      await remote.copyIn({
        createTable: "create table share_copy (id int, note text)",
        copy: (source, freeze) =>
          `copy share_copy from ${source} with (format csv${freeze ? ", freeze" : ""})`,
        chunks: copyChunks(Array.from({ length: 20_000 }, (_, i) => `${i},note ${i}`)),
        timeZone: "UTC",
      });
      expect(await hostRows("select count(*)::int as n from share_copy")).toEqual([{ n: 20_000 }]);
      const out: Buffer[] = [];
      for await (const chunk of remote.copyOut(
        (target) => `copy (select * from share_copy where id < 3 order by id) to ${target}`,
      ))
        out.push(chunk);
      expect(Buffer.concat(out).toString()).toBe("0\tnote 0\n1\tnote 1\n2\tnote 2\n");
      const failed = remote.copyIn({
        createTable: "create table share_bad (id int)",
        copy: (source) => `copy share_bad from ${source} with (format csv)`,
        chunks: copyChunks(["1", "not a number"]),
        timeZone: "UTC",
      });
      await expect(failed).rejects.toMatchObject({ code: "22P02" });
      expect(await hostRows("select to_regclass('share_bad') as t")).toEqual([{ t: null }]);
      await remote.exec("drop table share_copy");
    });

    it("holds work-table owners on the host until released", async () => {
      const release = await remote.holdOwner(4242);
      expect(await ask({ t: "ownerAlive", owner: 4242 })).toBe(true);
      expect(await remote.ownerAlive(4242)).toBe(true);
      await release();
      expect(await ask({ t: "ownerAlive", owner: 4242 })).toBe(false);
    });
  });

  it("answers only a client with the key from the owner-only key file", async () => {
    const { address, keyFile } = shareAddress(dataDir);
    expect((await stat(keyFile)).mode & 0o777).toBe(0o600);
    await expect(openSharedDatabase(address, { key: "not the key" })).rejects.toThrow(
      "the share's key does not match",
    );
    // A stranger's query, without a hello, is not answered: the socket is closed.
    const socket = net.connect(address);
    const wire = new Wire(socket);
    await wire.send({ t: "query", sql: "select 1", parameters: [] });
    expect(await wire.receive()).toBeNull();
    expect(await hostRows("select 1 as one")).toEqual([{ one: 1 }]);
  });

  it("rolls back an interrupted remote's transaction and lets go of its owners", async () => {
    const remote = await openPGlite(dataDir);
    await remote.holdOwner(77);
    let inside: () => void = () => {};
    const entered = new Promise<void>((resolve) => {
      inside = resolve;
    });
    const transaction = remote.kysely.transaction().execute(async (trx) => {
      await sql`insert into share_probe (id, note) values (2, 'interrupted')`.execute(trx);
      inside();
      await new Promise(() => {});
    });
    transaction.catch(() => {});
    await entered;
    await remote.interrupt();
    expect(await hostRows("select id from share_probe where id = 2")).toEqual([]);
    expect(await ask({ t: "ownerAlive", owner: 77 })).toBe(false);
    await remote.close();
  });

  it("rolls back the COPY of a remote interrupted half-way through it", async () => {
    const remote = await openPGlite(dataDir);
    let sent: () => void = () => {};
    const halfway = new Promise<void>((resolve) => {
      sent = resolve;
    });
    async function* chunks(): AsyncGenerator<Buffer> {
      yield Buffer.from("1\n2\n");
      sent();
      await new Promise(() => {});
    }
    const copy = remote.copyIn({
      createTable: "create table share_halfway (id int)",
      copy: (source) => `copy share_halfway from ${source} with (format csv)`,
      chunks: chunks(),
      timeZone: "UTC",
    });
    copy.catch(() => {});
    await halfway;
    await remote.interrupt();
    expect(await hostRows("select to_regclass('share_halfway') as t")).toEqual([{ t: null }]);
    await remote.close();
  });

  it("rolls back the transaction of a remote process that was killed", async () => {
    const remote = fork(CHILD, ["remote", dataDir], {
      execArgv: ["--import", "tsx"],
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    await new Promise((resolve) => remote.once("message", resolve));
    const exited = new Promise((resolve) => remote.once("exit", resolve));
    remote.kill("SIGKILL");
    await exited;
    expect(await hostRows("select id from share_probe where id = 999")).toEqual([]);
    expect(await hostRows("select count(*)::int as n from share_probe where id = 1")).toEqual([
      { n: 1 },
    ]);
  });

  it("stops sharing when the host closes: a remote mid-transaction is rolled back and told", async () => {
    const remote = await openPGlite(dataDir);
    let inside: () => void = () => {};
    const entered = new Promise<void>((resolve) => {
      inside = resolve;
    });
    let open: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    const transaction = remote.kysely.transaction().execute(async (trx) => {
      await sql`insert into share_probe (id, note) values (3, 'host closed')`.execute(trx);
      inside();
      await gate;
      await sql`select 1`.execute(trx);
    });
    await entered;
    const exited = new Promise((resolve) => host.once("exit", resolve));
    await ask({ t: "close" });
    await exited;
    open();
    await expect(transaction).rejects.toThrow(/lost the connection to nightjar \(pid \d+\)/);
    await remote.close();
    await expect(stat(shareAddress(dataDir).keyFile)).rejects.toMatchObject({ code: "ENOENT" });
    // The folder is free again, and the row was never committed.
    const db = await openPGlite(dataDir);
    try {
      expect((await sql`select id from share_probe where id = 3`.execute(db.kysely)).rows).toEqual(
        [],
      );
    } finally {
      await db.close();
    }
  });
});
