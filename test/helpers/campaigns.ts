import { sql } from "kysely";
import { injectFetch } from "../../emulator/inject-fetch.ts";
import type { RunningEmulator } from "../../emulator/server.ts";
import type { AppOptions } from "../../src/app.ts";
import { cliActor } from "../../src/audit/audit.ts";
import type { Clock } from "../../src/clock.ts";
import type { NightjarConfig } from "../../src/config/schema.ts";
import type { NightjarDb } from "../../src/db/connect.ts";
import { syncMessages, type UsableMessage, usableMessages } from "../../src/sfmc/sync.ts";
import { createTargetGroup } from "../../src/targeting/target-groups.ts";
import { startTestServer, type TestServer } from "./server.ts";

/** The demo config's apps: two of business unit 100, one of 200. */
export const SHOP_IOS = "6f1c3a52-1000-4a6e-9b3d-0000000000a1";
export const SHOP_ANDROID = "6f1c3a52-1000-4a6e-9b3d-0000000000a2";
export const OUTLET_IOS = "6f1c3a52-2000-4a6e-9b3d-0000000000b1";

/** An API server with the demo tenant's push messages synced, for campaign tests. */
export interface CampaignFixture {
  t: TestServer;
  /** The usable messages, by app. */
  messages: UsableMessage[];
  /** The first usable message of the app `appId`. */
  messageOf(appId: string): UsableMessage;
  /**
   * A campaign body for group `targetGroupId`: Shop iOS's first message, once on 2026-12-02 at
   * 10:00 UTC, with `extra` on top.
   */
  campaignBody(targetGroupId: number, extra?: Record<string, unknown>): Record<string, unknown>;
  /** Saves a target group and answers its id. */
  group(name: string, rule: unknown): Promise<number>;
  /** Saves the group "Everyone" (every contact key C…) and answers its id. */
  everyone(): Promise<number>;
  /**
   * Puts `n` present customers C000001… in (country DE for even numbers, FR for odd ones,
   * push consent for all), first seen on `on`.
   */
  customers(n: number, on?: string): Promise<void>;
}

/** Starts the fixture on `db`, at `now` (Default: 2026-12-01T09:00Z). */
export async function campaignFixture(
  db: NightjarDb,
  emulator: RunningEmulator,
  options: {
    config?: (config: NightjarConfig) => void;
    now?: string;
    clock?: Clock;
    /** The config's file (Default: one in a folder that does not exist). */
    file?: string;
    /** SFMC is reached through this `fetch` (Default: the emulator's, in-process). */
    fetch?: typeof fetch;
    sfmcClient?: AppOptions["sfmcClient"];
  } = {},
): Promise<CampaignFixture> {
  const t = await startTestServer(db, {
    sfmc: options.fetch ?? injectFetch(emulator.app),
    ...(options.file ? { file: options.file } : {}),
    ...(options.config ? { config: options.config } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.sfmcClient ? { sfmcClient: options.sfmcClient } : {}),
  });
  if (options.now) t.clock.set(options.now);
  await syncMessages(t.app, cliActor());
  const messages = await usableMessages(t.app);
  const fixture: CampaignFixture = {
    t,
    messages,
    messageOf(appId) {
      const message = messages.find((m) => m.appId === appId);
      if (!message) throw new Error(`no usable message of app ${appId}`);
      return message;
    },
    campaignBody(targetGroupId, extra = {}) {
      return {
        name: "Winback DE",
        targetGroupId,
        businessUnit: "100",
        appId: SHOP_IOS,
        messageId: fixture.messageOf(SHOP_IOS).id,
        schedule: { type: "once", date: "2026-12-02" },
        sendTime: "10:00",
        timeZone: "UTC",
        ...extra,
      };
    },
    group: async (name, rule) => (await createTargetGroup(t.app, cliActor(), { name, rule })).id,
    everyone: () =>
      fixture.group("Everyone", { field: "contact_key", op: "starts_with", value: "C" }),
    async customers(n, on = "2026-11-01") {
      await sql`
        insert into customers (contact_key, present, first_seen_on, valid_from, last_import_id, country, allow_push)
        select 'C' || lpad(g::text, 6, '0'), true, ${on}::date, ${on}::date, 0,
          case when g % 2 = 0 then 'DE' else 'FR' end, true
        from generate_series(1, ${n}::integer) g`.execute(db.kysely);
    },
  };
  return fixture;
}
