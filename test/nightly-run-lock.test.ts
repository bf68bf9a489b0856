// One nightly run at a time: a second run while one runs is refused with the run that holds the
// lock (id, date, holder), in-process on both engines; on PGlite across processes (a real
// `nightjar run` beside a process that shares the folder, as `serve` does, and a killed holder of
// the lock beside the folder); on PostgreSQL across sessions, the advisory lock freed when its
// session dies.
import { type ChildProcess, fork } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os, { hostname } from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { injectFetch } from "../emulator/inject-fetch.ts";
import { useEmulator } from "../emulator/test-helpers.ts";
import { type App, createApp } from "../src/app.ts";
import { cliActor } from "../src/audit/audit.ts";
import { EXIT_CODES } from "../src/cli/main.ts";
import { TestClock } from "../src/clock.ts";
import { EXAMPLE_CONFIG } from "../src/config/example.ts";
import { configFromObject } from "../src/config/load.ts";
import type { NightjarConfig } from "../src/config/schema.ts";
import { openDatabase } from "../src/db/connect.ts";
import { folderHolder } from "../src/db/folder-lock.ts";
import { openPostgres } from "../src/db/postgres.ts";
import { shareDatabase } from "../src/db/share.ts";
import { runNight } from "../src/delivery/nightly-run.ts";
import { NightlyRunBusyError, takeRunLock } from "../src/delivery/run-lock.ts";
import { bundleChild } from "./helpers/bundle.ts";
import { nightjar, onlyJson } from "./helpers/cli.ts";
import { describeEachEngine, describePostgres, seedDataFolder } from "./helpers/engines.ts";
import type { LockTrial } from "./helpers/lock-child.ts";
import { nightFixture } from "./helpers/night.ts";

const emulator = useEmulator();

/** What a rejected promise rejected with (fails the test if it resolved). */
async function rejection(promise: Promise<unknown>): Promise<Error> {
  const outcome = await promise.then(
    () => new Error("expected a rejection"),
    (error: unknown) => error as Error,
  );
  expect(outcome).toBeInstanceOf(NightlyRunBusyError);
  return outcome;
}

/** An app on `db` with the example config (its file `file`). */
function appOn(db: App["db"], file = "/nonexistent/nightjar.config.json"): Promise<App> {
  const config = structuredClone(EXAMPLE_CONFIG) as NightjarConfig;
  return createApp({
    config: configFromObject(config, { file, env: {} }),
    db,
    upgrade: true,
    clock: new TestClock("2026-12-02T02:00:00Z"),
  });
}

describeEachEngine("the nightly run's lock", (test) => {
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await close?.();
    close = undefined;
  });

  it("refuses a second run while one runs, naming the run that holds it", async () => {
    // The first run's SFMC calls wait at this gate, once it is armed: the run holds the lock there.
    let armed = false;
    let open: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    let inside: () => void = () => {};
    const reached = new Promise<void>((resolve) => {
      inside = resolve;
    });
    const inner = injectFetch(emulator().app);
    const gated: typeof fetch = async (input, init) => {
      if (armed) {
        inside();
        await gate;
      }
      return inner(input, init);
    };
    const f = await nightFixture(test().db, emulator(), {
      now: "2026-12-02T02:00:00Z",
      fetch: gated,
    });
    close = () => f.t.close();
    const app = f.t.app;
    armed = true;
    const first = runNight(app, { date: "2026-12-02", trigger: "cli", actor: cliActor() });
    await reached;
    const held = await app.db.kysely.selectFrom("nightly_runs").selectAll().execute();
    expect(held).toHaveLength(1);
    const error = await rejection(
      runNight(app, { date: "2026-12-03", trigger: "api", actor: cliActor() }),
    );
    expect(error.message).toBe(
      `another nightly run holds the run lock: run #${held[0]?.id} of 2026-12-02, started 2026-12-02T02:00:00.000Z by nightjar cli (pid ${process.pid} on ${hostname()}). Wait for it to finish; it hands over what is due, and a second run would find nothing left to send.`,
    );
    // The refused run left no trace.
    expect(await app.db.kysely.selectFrom("nightly_runs").select("id").execute()).toHaveLength(1);
    armed = false;
    open();
    expect((await first).status).toBe("completed");
    // Released: the next run takes the lock.
    const next = await runNight(app, { date: "2026-12-03", trigger: "cli", actor: cliActor() });
    expect(next.status).toBe("completed");
  });

  it("releases the lock when a run fails", async () => {
    const f = await nightFixture(test().db, emulator(), {
      now: "2026-12-02T02:00:00Z",
      config: (c) => {
        c.imports.dropFolder = "drop";
        c.schedule.requireFreshData = true;
      },
    });
    close = () => f.t.close();
    const failed = await runNight(f.t.app, {
      date: "2026-12-02",
      trigger: "cli",
      actor: cliActor(),
    });
    expect(failed.status).toBe("failed");
    const lock = await takeRunLock(f.t.app, "test");
    await lock.release();
  });
});

describe("the nightly run's lock across processes [pglite]", () => {
  let dir = "";
  let lockChild = "";
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "nightjar-run-lock-"));
    lockChild = path.join(dir, "lock-child.mjs");
    await bundleChild(new URL("./helpers/lock-child.ts", import.meta.url), lockChild);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("refuses a `nightjar run` beside a process that shares the folder and holds the lock", async () => {
    const folder = path.join(dir, "shared");
    const dataDir = path.join(folder, "data");
    await mkdir(folder);
    await seedDataFolder(dataDir);
    const config = structuredClone(EXAMPLE_CONFIG) as NightjarConfig;
    config.database.dataDir = "data";
    for (const account of config.sfmc.accounts) account.authBaseUrl = emulator().url;
    const file = path.join(folder, "nightjar.config.json");
    await writeFile(file, JSON.stringify(config));
    const loaded = configFromObject(config, { file, env: {} });
    const db = await openDatabase(loaded.database);
    const share = await shareDatabase(db, dataDir);
    try {
      const app = await createApp({ config: loaded, db, upgrade: true });
      const lock = await takeRunLock(app, "nightjar serve");
      const env = { SFMC_CLIENT_SECRET: "demo-secret" };
      const args = ["run", "--date", "2026-06-01", "--json"];
      const refused = await nightjar(folder, args, env);
      expect(refused.code, refused.stderr).toBe(EXIT_CODES.busy);
      const answer = onlyJson(refused) as { error: { type: string; message: string } };
      expect(answer.error.type).toBe("NightlyRunBusyError");
      expect(answer.error.message).toContain(
        `another nightly run holds the run lock: nightjar serve (pid ${process.pid} on ${hostname()}), since`,
      );
      expect(await app.db.kysely.selectFrom("nightly_runs").select("id").execute()).toEqual([]);
      await lock.release();
      const ran = await nightjar(folder, args, env);
      expect(ran.code, ran.stderr).toBe(0);
      expect(onlyJson(ran)).toMatchObject({ date: "2026-06-01", status: "completed" });
    } finally {
      await share.close();
      await db.close();
    }
  }, 60_000);

  it("frees the lock beside the folder when its holder is killed", async () => {
    const folder = path.join(dir, "killed");
    const dataDir = path.join(folder, "data");
    await mkdir(folder);
    await seedDataFolder(dataDir);
    const config = structuredClone(EXAMPLE_CONFIG) as NightjarConfig;
    config.database.dataDir = "data";
    // No environment: DATABASE_URL of the test run must not turn this into a PostgreSQL app.
    const loaded = configFromObject(config, {
      file: path.join(folder, "nightjar.config.json"),
      env: {},
    });
    const db = await openDatabase(loaded.database);
    let holder: ChildProcess | undefined;
    try {
      const app = await createApp({ config: loaded, db, upgrade: true });
      // Another process holds `<folder>.nightly-run`, as a `nightjar run` on the shared folder does.
      holder = fork(lockChild, [], { stdio: ["ignore", "ignore", "inherit", "ipc"] });
      await new Promise((resolve) => holder?.once("message", resolve));
      holder.send({ folder: `${dataDir}.nightly-run`, holdMs: 60_000 } satisfies LockTrial);
      const pid = holder.pid;
      for (let i = 0; (await folderHolder(`${dataDir}.nightly-run`))?.pid !== pid; i++) {
        if (i > 200) throw new Error("the holder never took the lock");
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      const error = await rejection(takeRunLock(app, "nightjar run"));
      expect(error.message).toContain("another nightly run holds the run lock: lock trial, since");
      // The refusal gave the in-process lock back: only the folder's lock was in the way.
      const exited = new Promise((resolve) => holder?.once("exit", resolve));
      holder.kill("SIGKILL");
      await exited;
      const lock = await takeRunLock(app, "nightjar run");
      await lock.release();
    } finally {
      holder?.kill("SIGKILL");
      await db.close();
    }
  }, 60_000);
});

describePostgres("the nightly run's lock across sessions", (test) => {
  it("is refused to a second handle, and freed when the holder's session dies", async () => {
    const url = test().url as string;
    const first = await openPostgres(url);
    const second = await openPostgres(url);
    try {
      const a = await appOn(first);
      const b = await appOn(second);
      // Released is free at once, for another session too (not when the server gets round to it).
      for (let i = 0; i < 20; i++) {
        const lock = await takeRunLock(i % 2 === 0 ? a : b, "nightjar run");
        await lock.release();
      }
      const held = await takeRunLock(a, "nightjar run");
      const error = await rejection(takeRunLock(b, "nightjar run"));
      expect(error.message).toContain(
        "another nightly run holds the run lock: a run that is just starting",
      );
      // The holder dies: its session ends (killed, not released), and the lock with it.
      const admin = new pg.Client({ connectionString: url });
      await admin.connect();
      const killed = await admin.query<{ done: boolean }>(
        `select pg_terminate_backend(pid) as done from pg_locks
         where locktype = 'advisory' and granted and database = (select oid from pg_database where datname = current_database())`,
      );
      await admin.end();
      expect(killed.rows.map((r) => r.done)).toEqual([true]);
      let lock: Awaited<ReturnType<typeof takeRunLock>> | undefined;
      for (let i = 0; !lock && i < 100; i++) {
        lock = await takeRunLock(b, "nightjar run").catch(async (thrown) => {
          if (!(thrown instanceof NightlyRunBusyError)) throw thrown;
          await new Promise((resolve) => setTimeout(resolve, 20));
          return undefined;
        });
      }
      expect(lock).toBeDefined();
      await lock?.release();
      // The dead holder's release discards its (broken) connection, and nothing fails.
      await held.release();
    } finally {
      await first.close().catch(() => {});
      await second.close();
    }
  });
});
