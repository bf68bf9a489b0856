import { sql } from "kysely";
import type { RunningEmulator } from "../../emulator/server.ts";
import { call } from "../../emulator/test-helpers.ts";
import type { AppOptions } from "../../src/app.ts";
import { cliActor } from "../../src/audit/audit.ts";
import { createCampaign } from "../../src/campaigns/campaigns.ts";
import type { NightjarConfig } from "../../src/config/schema.ts";
import type { NightjarDb } from "../../src/db/connect.ts";
import type { RunHooks } from "../../src/delivery/hooks.ts";
import type { NightReport } from "../../src/delivery/night-report.ts";
import { runNight } from "../../src/delivery/nightly-run.ts";
import type { CampaignFixture } from "./campaigns.ts";
import { type EmulatedSend, nightFixture } from "./night.ts";

/** The night of the delivery fault and lateness tests; its campaign sends at 10:00 UTC. */
export const NIGHT = "2026-12-02";

/** A night with one campaign to everyone (no control group), on the emulator's clock. */
export interface OneCampaignNight {
  f: CampaignFixture & { clock: { set(at: string): void; now(): Date } };
  campaignId: number;
  messageId: string;
  /** Runs the night of `NIGHT`. */
  run(hooks?: RunHooks): Promise<NightReport>;
  close(): Promise<void>;
}

/**
 * `customers` customers, all in the campaign; the demo account's send budget `budget` per 30
 * minutes in Nightjar and in the emulator alike (so the emulator delays nothing Nightjar planned).
 */
export async function oneCampaignNight(
  db: NightjarDb,
  emulator: RunningEmulator,
  options: {
    customers: number;
    budget: number;
    /** When the night runs (Default: 02:00 UTC); the campaign is made at 02:00. */
    runAt?: string;
    maxInFlight?: number;
    config?: (config: NightjarConfig) => void;
    sfmcClient?: AppOptions["sfmcClient"];
  },
): Promise<OneCampaignNight> {
  await call(emulator, "PATCH", "_emulator/behaviour", {
    body: { budget: { recipients: options.budget, perMinutes: 30 } },
  });
  const f = await nightFixture(db, emulator, {
    now: `${NIGHT}T02:00:00Z`,
    config: (c) => {
      for (const account of c.sfmc.accounts) {
        account.sendBudget = { recipients: options.budget, perMinutes: 30, reservePercent: 0 };
        account.maxInFlight = options.maxInFlight ?? 1;
      }
      options.config?.(c);
    },
    ...(options.sfmcClient ? { sfmcClient: options.sfmcClient } : {}),
  });
  await f.customers(options.customers, "2026-11-01");
  const everyone = await f.everyone();
  const { campaign } = await createCampaign(
    f.t.app,
    cliActor(),
    f.campaignBody(everyone, { name: "Everyone", controlGroupPercent: 0 }),
  );
  if (options.runAt) f.clock.set(options.runAt);
  return {
    f,
    campaignId: campaign.id,
    messageId: campaign.messageId,
    run: (hooks) =>
      runNight(f.t.app, {
        date: NIGHT,
        trigger: "cli",
        actor: cliActor(),
        ...(hooks ? { hooks } : {}),
      }),
    close: () => f.t.close(),
  };
}

/** A send batch as the tests check it. */
export interface BatchRow {
  id: number;
  seq: number;
  state: string;
  retryable: boolean;
  error: string | null;
  send_at: Date;
  late_minutes: number;
  token_id: string | null;
  attempts: number;
  size: number;
  contact_keys: string[];
}

/** Every send batch, in order. */
export async function batches(db: NightjarDb): Promise<BatchRow[]> {
  const rows = await sql<BatchRow>`
    select id, seq, state, retryable, error, send_at, late_minutes, token_id, attempts, size, contact_keys
    from send_batches order by seq`.execute(db.kysely);
  return rows.rows;
}

/** Adds a fault rule to the emulator. */
export async function addFault(emulator: RunningEmulator, rule: Record<string, unknown>) {
  const answer = await call(emulator, "POST", "_emulator/faults", { body: rule });
  if (answer.status >= 300) throw new Error(`fault: ${answer.status} ${answer.text}`);
}

/** The emulator's fault rules with how often each hit. */
export async function faults(
  emulator: RunningEmulator,
): Promise<{ calls: number; hits: number }[]> {
  const answer = await call(emulator, "GET", "_emulator/faults");
  return (answer.body as { rules: { calls: number; hits: number }[] }).rules;
}

/**
 * The most recipients any rolling window of `perMinutes` holds of one client's executions (the
 * windows that start at an execution are enough: every other one holds no more than one of them).
 */
export function fullestWindow(sends: EmulatedSend[], perMinutes = 30): number {
  let most = 0;
  for (const start of sends) {
    const from = Date.parse(start.executeAt);
    const to = from + perMinutes * 60_000;
    const sum = sends
      .filter((s) => s.clientId === start.clientId)
      .filter((s) => Date.parse(s.executeAt) >= from && Date.parse(s.executeAt) < to)
      .reduce((n, s) => n + s.subscriberKeys.length, 0);
    most = Math.max(most, sum);
  }
  return most;
}
