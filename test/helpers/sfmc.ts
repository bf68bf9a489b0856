import { Writable } from "node:stream";
import pino, { type Logger } from "pino";
import { DEMO_CLIENT } from "../../emulator/demo-tenant.ts";
import { injectFetch } from "../../emulator/inject-fetch.ts";
import type { RunningEmulator } from "../../emulator/server.ts";
import type { Clock } from "../../src/clock.ts";
import { EXAMPLE_CONFIG } from "../../src/config/example.ts";
import type { SfmcAccount, SfmcApp } from "../../src/config/schema.ts";
import {
  createSfmcClient,
  type SfmcClient,
  type SfmcClientOptions,
} from "../../src/sfmc/client.ts";

/** How the client reaches the emulator: `app.inject` (no socket) or HTTP over a real socket. */
export type Transport = "in-process" | "socket";
export const TRANSPORTS: Transport[] = ["in-process", "socket"];

/** The base URL the in-process client uses; only the Host header sees it. */
export const IN_PROCESS_URL = "http://in-process.emulator/";

/** A pino logger writing every line (debug and up) into `lines`. */
export function captureLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...String(chunk).split("\n").filter(Boolean));
      done();
    },
  });
  return { logger: pino({ level: "debug" }, stream), lines };
}

/** One HTTP attempt the client made, with the status it got (null: no answer). */
export interface Attempt {
  method: string;
  url: string;
  path: string;
  status: number | null;
}

/** The demo account, as `nightjar init` configures it, at `authBaseUrl`. */
export function demoAccount(
  authBaseUrl: string,
  overrides: Partial<SfmcAccount> = {},
): SfmcAccount {
  const [account] = EXAMPLE_CONFIG.sfmc.accounts;
  return { ...(account as SfmcAccount), authBaseUrl, ...overrides };
}

/** The four demo apps, two in each BU, as `nightjar init` configures them. */
export const DEMO_APP_CONFIG: SfmcApp[] = EXAMPLE_CONFIG.sfmc.apps;

/**
 * The demo tenant's usable push messages (API-triggered, active, outbound alerts with their BU's
 * prefix), in the order the usable messages are listed.
 */
export const USABLE_DEMO_MESSAGES = [
  "NJA_SummerSale",
  "NJA_Welcome",
  "NJA_NewArrivals",
  "NJA_WinBack",
  "NJB_Clearance",
  "NJB_Welcome",
  "NJB_Restock",
];

export interface Harness {
  client: SfmcClient;
  /** Every delay the client waited for (the sleep returns at once). */
  delays: number[];
  attempts: Attempt[];
  lines: string[];
  /** Attempts on paths that end with `path` (or match it). */
  on(path: string | RegExp): Attempt[];
}

/**
 * A real client against the emulator over `transport`, recording attempts and delays; `wrap`
 * may put a fault of its own between the recording and the emulator.
 */
export function harness(
  emulator: RunningEmulator,
  transport: Transport,
  options: Partial<Omit<SfmcClientOptions, "account">> & {
    account?: Partial<SfmcAccount>;
    wrap?: (inner: typeof fetch) => typeof fetch;
    /** The client's time (Default: real time); its waits are recorded and return at once. */
    now?: () => number;
  } = {},
): Harness {
  const { account, wrap, now, ...rest } = options;
  const base = transport === "socket" ? emulator.url : IN_PROCESS_URL;
  const direct = transport === "socket" ? globalThis.fetch : injectFetch(emulator.app);
  const inner = wrap ? wrap(direct) : direct;
  const attempts: Attempt[] = [];
  const recording: typeof fetch = async (input, init) => {
    const url = String(input instanceof Request ? input.url : input);
    const attempt: Attempt = {
      method: init?.method ?? "GET",
      url,
      path: new URL(url).pathname,
      status: null,
    };
    attempts.push(attempt);
    const response = await inner(input, init);
    attempt.status = response.status;
    return response;
  };
  const delays: number[] = [];
  const { logger, lines } = captureLogger();
  const clock: Clock = {
    now: () => (now ? new Date(now()) : new Date()),
    sleep: async (ms) => {
      delays.push(ms);
    },
    close: () => {},
  };
  const client = createSfmcClient({
    account: demoAccount(base, account),
    secret: () => DEMO_CLIENT.clientSecret,
    fetch: recording,
    logger,
    clock,
    random: () => 0,
    ...rest,
  });
  return {
    client,
    delays,
    attempts,
    lines,
    on: (path) =>
      attempts.filter((attempt) =>
        typeof path === "string" ? attempt.path.endsWith(path) : path.test(attempt.path),
      ),
  };
}
