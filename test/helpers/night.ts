import type { RunningEmulator } from "../../emulator/server.ts";
import type { AppOptions } from "../../src/app.ts";
import type { Clock } from "../../src/clock.ts";
import { EXAMPLE_CONFIG } from "../../src/config/example.ts";
import type { NightjarConfig } from "../../src/config/schema.ts";
import type { NightjarDb } from "../../src/db/connect.ts";
import { type CampaignFixture, campaignFixture } from "./campaigns.ts";
import { IN_PROCESS_URL } from "./sfmc.ts";

/** The second SFMC account of the night tests: its own client, business unit 300 and app. */
export const SECOND_ACCOUNT = {
  clientId: "second-client",
  clientSecret: "second-secret",
  mid: 300,
  appId: "6f1c3a52-3000-4a6e-9b3d-0000000000c1",
  message: "NJC_Flash",
} as const;

/**
 * Nightjar's clock on the emulator's (frozen) clock: both read the same instant, and a wait of
 * Nightjar's moves both ahead at once.
 */
export function sharedClock(emulator: RunningEmulator): Clock & { set(at: string): void } {
  return {
    now: () => new Date(emulator.clock.now()),
    sleep: async (ms, signal) => {
      signal?.throwIfAborted();
      if (ms > 0) emulator.clock.advance(ms);
    },
    close: () => {},
    set: (at) => emulator.clock.set(Date.parse(at)),
  };
}

/** Adds the second account's client and business unit 300 to the emulator's tenant. */
export async function seedSecondAccount(
  emulator: RunningEmulator,
  budget?: { recipients: number; perMinutes: number },
): Promise<void> {
  const response = await fetch(new URL("_emulator/seed", emulator.url), {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      clients: [
        {
          clientId: SECOND_ACCOUNT.clientId,
          clientSecret: SECOND_ACCOUNT.clientSecret,
          homeMid: SECOND_ACCOUNT.mid,
          ...(budget ? { sendBudget: budget } : {}),
        },
      ],
      businessUnits: [
        {
          mid: SECOND_ACCOUNT.mid,
          name: "Third",
          apps: [{ id: SECOND_ACCOUNT.appId, name: "Third iOS" }],
          messages: [
            {
              name: SECOND_ACCOUNT.message,
              messageType: 1,
              contentType: 1,
              sendInitiator: 1,
              status: 2,
              application: { id: SECOND_ACCOUNT.appId },
              alert: "Flash sale",
            },
          ],
          contactRanges: [
            { prefix: "C", digits: 6, from: 0, to: 199_999, appIds: [SECOND_ACCOUNT.appId] },
          ],
        },
      ],
    }),
  });
  if (!response.ok) throw new Error(`seed: ${response.status} ${await response.text()}`);
}

/** The config of the second account (secret given literally: a test fixture). */
export function addSecondAccount(
  config: NightjarConfig,
  budget = { recipients: 250_000, perMinutes: 30, reservePercent: 0 },
): void {
  config.sfmc.accounts.push({
    name: "second",
    authBaseUrl: IN_PROCESS_URL,
    clientId: SECOND_ACCOUNT.clientId,
    clientSecret: SECOND_ACCOUNT.clientSecret,
    sendBudget: budget,
    maxInFlight: 4,
    businessUnits: [{ mid: String(SECOND_ACCOUNT.mid), name: "Third", templatePrefix: "NJC_" }],
  });
  config.sfmc.apps.push({ id: SECOND_ACCOUNT.appId, name: "Third iOS", businessUnit: "300" });
}

/** A campaign fixture whose clock is the emulator's, at `now`. */
export async function nightFixture(
  db: NightjarDb,
  emulator: RunningEmulator,
  options: {
    config?: (config: NightjarConfig) => void;
    now?: string;
    file?: string;
    fetch?: typeof fetch;
    sfmcClient?: AppOptions["sfmcClient"];
  } = {},
): Promise<CampaignFixture & { clock: ReturnType<typeof sharedClock> }> {
  const clock = sharedClock(emulator);
  clock.set(options.now ?? "2026-12-01T09:00:00Z");
  const fixture = await campaignFixture(db, emulator, {
    clock,
    ...(options.config ? { config: options.config } : {}),
    ...(options.file ? { file: options.file } : {}),
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...(options.sfmcClient ? { sfmcClient: options.sfmcClient } : {}),
  });
  return { ...fixture, clock };
}

/** Every send the emulator accepted, with its keys. */
export interface EmulatedSend {
  tokenId: string;
  clientId: string;
  mid: number;
  messageId: string;
  subscriberKeys: string[];
  sendTime: string | null;
  requestedAt: string;
  /** When the emulator took the call (its clock). */
  acceptedAt: string;
  executeAt: string;
  budgetDelaySeconds: number;
}

export async function emulatedSends(emulator: RunningEmulator): Promise<EmulatedSend[]> {
  const response = await fetch(new URL("_emulator/sends", emulator.url));
  return ((await response.json()) as { items: EmulatedSend[] }).items;
}

/**
 * The config the night tests' in-process CLI reads: the example's, on the in-process emulator,
 * changed by `change` as the fixture's app config was.
 */
export function cliConfig(change: (config: NightjarConfig) => void = () => {}): NightjarConfig {
  const config = structuredClone(EXAMPLE_CONFIG) as NightjarConfig;
  for (const account of config.sfmc.accounts) account.authBaseUrl = IN_PROCESS_URL;
  change(config);
  return config;
}
