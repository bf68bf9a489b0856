/**
 * Starts the demo: a fresh demo folder, the bundled SFMC emulator (the demo tenant, its clock
 * stopped at the first night) in this process, the embedded PGlite database, and the web app and
 * API listening at once — `GET /api/health` says `"ready": false` — while the demo's data is made
 * through the use cases (demo/setup.ts); then the clock runs with real time again and health says
 * `"ready": true`.
 */
import { createWriteStream } from "node:fs";
import { mkdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { startEmulator } from "../emulator/server.ts";
import { createApp } from "../src/app.ts";
import { configFromObject } from "../src/config/load.ts";
import { openDatabase } from "../src/db/connect.ts";
import { lockFolder } from "../src/db/folder-lock.ts";
import { NightjarError } from "../src/errors.ts";
import { createLogger } from "../src/logger.ts";
import { type RunningServer, serveApi } from "../src/server/serve.ts";
import { addDays } from "../src/time/zones.ts";
import { sharedClock } from "./clock.ts";
import { demoConfig, demoTenant, type SendBudget } from "./config.ts";
import { type DemoEvent, type DemoSummary, setUpDemo } from "./setup.ts";

/** Another demo has the folder's database open. */
export class DemoRunningError extends NightjarError {
  override name = "DemoRunningError";
  override readonly kind = "busy";
}

export interface DemoStartOptions {
  /** The demo folder, emptied first (Default: `.demo` in the working directory). */
  folder: string;
  port: number;
  host?: string;
  /** Customers who signed up before the first night (Default: 100,000). */
  customers?: number;
  /**
   * The demo account's send budget, in the config and the emulator alike (Default: 25,000
   * recipients per 30 minutes); a scaled-down demo scales it down too.
   */
  sendBudget?: SendBudget;
  /** The version `/api/health` reports. */
  version: string;
  onEvent?: (event: DemoEvent) => void;
}

/** A started demo. */
export interface RunningDemo {
  /** The web app's address, e.g. `http://127.0.0.1:3000`. */
  url: string;
  /** The config file the demo wrote (for `nightjar` commands beside it). */
  configFile: string;
  /** Settles when the demo's data is in place (or its set-up failed). */
  ready: Promise<DemoSummary>;
  /** Stops the set-up if it is still running, then the server, the database and the emulator. */
  close(): Promise<void>;
}

/** Starts the demo (see the file's comment). */
export async function startDemo(options: DemoStartOptions): Promise<RunningDemo> {
  const folder = path.resolve(options.folder);
  const dataDir = path.join(folder, "data");
  await mkdir(folder, { recursive: true });
  try {
    const lock = await lockFolder(dataDir);
    await lock.release();
  } catch (cause) {
    throw new DemoRunningError(
      `another demo is using ${folder}: stop it (Ctrl-C) or give this one another --folder`,
      { cause },
    );
  }
  await rm(folder, { recursive: true, force: true });
  await mkdir(folder, { recursive: true });

  const today = new Date().toISOString().slice(0, 10);
  const firstNight = addDays(today, -15);
  const emulator = await startEmulator({
    port: 0,
    seed: demoTenant(options.sendBudget),
    clock: { mode: "frozen", frozenAt: Date.parse(`${firstNight}T01:00:00Z`) },
  });
  const configFile = path.join(folder, "nightjar.config.json");
  const config = demoConfig(emulator.url, options.sendBudget);
  await writeFile(configFile, `${JSON.stringify(config, null, 2)}\n`);
  const loaded = configFromObject(config, {
    file: configFile,
    env: { SFMC_CLIENT_SECRET: "demo-secret" },
  });
  // Nightjar's log goes to the demo folder, for engineers to read beside the UI.
  const log = createWriteStream(path.join(folder, "nightjar.log"));
  const logger = createLogger({
    vault: loaded.vault,
    destination: log,
    level: process.env.NIGHTJAR_LOG_LEVEL ?? "info",
  });
  const closers: (() => Promise<void>)[] = [
    () => new Promise<void>((done) => log.end(done)),
    () => emulator.close(),
  ];
  const closeAll = async () => {
    for (const close of closers.splice(0).reverse()) await close().catch(() => {});
  };
  let server: RunningServer;
  const setup = new AbortController();
  let ready = false;
  let app: Awaited<ReturnType<typeof createApp>>;
  try {
    const db = await openDatabase(loaded.database);
    closers.push(() => db.close());
    app = await createApp({
      config: loaded,
      db,
      upgrade: true,
      clock: sharedClock(emulator.clock),
      logger,
    });
    server = await serveApi(app, {
      host: options.host ?? "127.0.0.1",
      port: options.port,
      version: options.version,
      dataReady: () => ready,
    });
    closers.push(() => server.close());
  } catch (error) {
    await closeAll();
    throw error;
  }
  const made = setUpDemo(app, {
    folder,
    customers: options.customers ?? 100_000,
    today,
    setTime: (at) => emulator.clock.set(at.getTime()),
    now: () => new Date(),
    signal: setup.signal,
    ...(options.onEvent ? { onEvent: options.onEvent } : {}),
  }).then((summary) => {
    // From here on the demo lives in real time, like a real tenant.
    emulator.clock.reset();
    ready = true;
    return summary;
  });
  // The caller learns of a failure through `ready`; a demo stopped meanwhile has nothing to say.
  made.catch(() => {});
  return {
    url: server.url,
    configFile,
    ready: made,
    close: async () => {
      setup.abort();
      await made.catch(() => {});
      await closeAll();
    },
  };
}
