import { afterAll, beforeAll, beforeEach } from "vitest";
import { DEMO_CLIENT } from "./demo-tenant.ts";
import { type EmulatorOptions, type RunningEmulator, startEmulator } from "./server.ts";

/** The documentation URL every SFMC REST error body carries (sfmc-mobilepush-api.md §1.1). */
export const DOC_URL =
  "https://developer.salesforce.com/docs/atlas.en-us.mc-apis.meta/mc-apis/error-handling.htm";

/** Demo message ids (base64url of `n:114:0`). */
export const DEMO_MESSAGES = {
  welcome: "MToxMTQ6MA", // 1:114:0 NJA_Welcome, app a1
  summerSale: "MjoxMTQ6MA", // 2:114:0 NJA_SummerSale, app a1
  winBack: "MzoxMTQ6MA", // 3:114:0 NJA_WinBack, app a2
  retired: "NToxMTQ6MA", // 5:114:0 NJA_Retired, inactive
  outletWelcome: "ODoxMTQ6MA", // 8:114:0 NJB_Welcome, MID 200
} as const;

export interface Answer {
  status: number;
  headers: Headers;
  body: unknown;
  text: string;
}

/** A started emulator per test file, reset to the demo tenant (frozen clock) before each test. */
export function useEmulator(options: EmulatorOptions = {}): () => RunningEmulator {
  let emulator: RunningEmulator | undefined;
  beforeAll(async () => {
    emulator = await startEmulator({ port: 0, ...options });
  });
  afterAll(async () => {
    await emulator?.close();
  });
  beforeEach(async () => {
    await call(current(), "POST", "_emulator/reset", { body: {} });
    await call(current(), "POST", "_emulator/clock", {
      body: { mode: "frozen", set: "2026-06-01T08:00:00Z" },
    });
  });
  const current = () => {
    if (!emulator) throw new Error("the emulator has not started");
    return emulator;
  };
  return current;
}

/** One HTTP call over the socket; `body` is sent as JSON unless `form` is set. */
export async function call(
  emulator: RunningEmulator,
  method: string,
  path: string,
  options: {
    token?: string;
    body?: unknown;
    form?: Record<string, string>;
    /** Sent as it is (with the headers given). */
    rawBody?: string;
    headers?: Record<string, string>;
  } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  let body: string | undefined = options.rawBody;
  if (options.form) {
    headers["content-type"] = "application/x-www-form-urlencoded";
    body = new URLSearchParams(options.form).toString();
  } else if (options.body !== undefined) {
    headers["content-type"] = "application/json";
    body = JSON.stringify(options.body);
  }
  const response = await fetch(new URL(path, emulator.url), { method, headers, body });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text === "" ? undefined : JSON.parse(text);
  } catch {
    // Not JSON: the text is the body.
  }
  return { status: response.status, headers: response.headers, body: parsed, text };
}

/** A token of the demo client (or of `clientId`/`secret`) for `accountId`, with `scope` when given. */
export async function token(
  emulator: RunningEmulator,
  options: { accountId?: number; scope?: string; clientId?: string; secret?: string } = {},
): Promise<string> {
  const answer = await call(emulator, "POST", "v2/token", {
    body: {
      grant_type: "client_credentials",
      client_id: options.clientId ?? DEMO_CLIENT.clientId,
      client_secret: options.secret ?? DEMO_CLIENT.clientSecret,
      ...(options.accountId !== undefined ? { account_id: options.accountId } : {}),
      ...(options.scope !== undefined ? { scope: options.scope } : {}),
    },
  });
  if (answer.status !== 200) throw new Error(`token: ${answer.status} ${answer.text}`);
  return (answer.body as { access_token: string }).access_token;
}

/** Contact keys C000000…, `count` of them, from `start`, in the demo's shape. */
export function demoKeys(start: number, count: number, step = 1): string[] {
  return Array.from({ length: count }, (_, i) => `C${String(start + i * step).padStart(6, "0")}`);
}

/** Moves the emulator's clock ahead. */
export async function advance(emulator: RunningEmulator, seconds: number): Promise<void> {
  await call(emulator, "POST", "_emulator/clock", { body: { advanceSeconds: seconds } });
}

/**
 * A `sleep` for `startEmulator` that holds each `slow` fault until the test releases it, so a test
 * sees the delay as an event (the call is held at the fault) rather than as elapsed time.
 */
export class HeldSleep {
  readonly #held: { ms: number; release: () => void }[] = [];
  readonly #arrivals: (() => void)[] = [];

  readonly sleep = (ms: number): Promise<void> =>
    new Promise((release) => {
      this.#held.push({ ms, release });
      for (const arrived of this.#arrivals.splice(0)) arrived();
    });

  /** The delays of the calls held now, once at least one is. */
  async held(): Promise<number[]> {
    while (this.#held.length === 0)
      await new Promise<void>((arrived) => this.#arrivals.push(arrived));
    return this.#held.map((wait) => wait.ms);
  }

  /** Lets every held call go on. */
  releaseAll(): void {
    for (const wait of this.#held.splice(0)) wait.release();
  }
}
