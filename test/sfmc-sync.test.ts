import { expect, it } from "vitest";
import { DEMO_APPS } from "../emulator/demo-tenant.ts";
import { call, DEMO_MESSAGES, useEmulator } from "../emulator/test-helpers.ts";
import type { SfmcApp } from "../src/config/schema.ts";
import { listUsableMessages, readAccountMessages, storeMessages } from "../src/sfmc/sync.ts";
import { describeEachEngine } from "./helpers/engines.ts";
import {
  DEMO_APP_CONFIG,
  demoAccount,
  harness,
  IN_PROCESS_URL,
  USABLE_DEMO_MESSAGES,
} from "./helpers/sfmc.ts";

const emulator = useEmulator();

const T1 = new Date("2026-06-01T08:00:00Z");
const T2 = new Date("2026-06-02T08:00:00Z");
const T3 = new Date("2026-06-03T08:00:00Z");

/** Messages besides the demo's: another BU's prefix, an inbox message, a location message. */
async function seedExtras(): Promise<void> {
  const message = (name: string, extra: Record<string, unknown> = {}) => ({
    name,
    messageType: 1,
    contentType: 1,
    sendInitiator: 1,
    status: 2,
    application: { id: DEMO_APPS.shopIos },
    alert: name,
    ...extra,
  });
  const answer = await call(emulator(), "POST", "_emulator/seed", {
    body: {
      businessUnits: [
        {
          mid: 100,
          messages: [
            message("NJB_Stray"),
            message("NJA_InboxOnly", { contentType: 2 }),
            message("NJA_GeoEntry", { messageType: 3 }),
          ],
        },
      ],
    },
  });
  expect(answer.status, answer.text).toBe(200);
}

/** Changes a demo message in place (as an SFMC user would in the UI). */
function edit(
  mid: number,
  id: string,
  change: { status?: number; name?: string; sendInitiator?: number },
) {
  const message = emulator().store.tenant.businessUnit(mid).messages.get(id);
  if (!message) throw new Error(`no message ${id} in ${mid}`);
  Object.assign(message.definition, change);
}

const byName = (id: string) => {
  for (const bu of emulator().store.tenant.businessUnits.values())
    for (const message of bu.messages.values())
      if (message.definition.name === id) return message.id;
  throw new Error(`no message ${id}`);
};

describeEachEngine("sfmc message sync", (test) => {
  const sync = async (
    apps: SfmcApp[] = DEMO_APP_CONFIG,
    wrap?: (inner: typeof fetch) => typeof fetch,
  ) => {
    const { client } = harness(emulator(), "in-process", wrap ? { wrap } : {});
    return readAccountMessages(client, demoAccount(IN_PROCESS_URL), apps);
  };
  const usableNames = async (appId?: string) =>
    (await listUsableMessages(test().db.kysely, appId ? { appId } : {})).map((m) => m.name);
  const rows = async () =>
    Object.fromEntries(
      (await test().db.kysely.selectFrom("sfmc_messages").selectAll().execute()).map((row) => [
        row.name,
        row,
      ]),
    );

  it("keeps each BU's API-triggered, active outbound alerts named with its own prefix", async () => {
    await seedExtras();
    const found = await sync();
    expect(found.problems).toEqual([]);
    const counts = await storeMessages(test().db.kysely, [found], T1);
    expect(counts).toEqual({ added: 7, updated: 0, removed: 0, kept: 0 });
    expect(await usableNames()).toEqual(USABLE_DEMO_MESSAGES);
    // Not kept: NJA_Retired/NJB_Retired (inactive), NJA_UiNewsletter/NJB_UiFlash (UI-initiated),
    // Weekly_Digest/Outlet_Digest (no prefix), NJB_Stray (the other BU's prefix), NJA_InboxOnly
    // (not an alert), NJA_GeoEntry (not outbound).
    expect(Object.keys(await rows())).toHaveLength(7);
    expect(await usableNames(DEMO_APPS.outletAndroid)).toEqual(["NJB_Restock"]);
    const welcome = (await listUsableMessages(test().db.kysely, { appId: DEMO_APPS.shopIos }))[1];
    expect(welcome).toEqual({
      id: DEMO_MESSAGES.welcome,
      name: "NJA_Welcome",
      appId: DEMO_APPS.shopIos,
      businessUnit: "100",
      status: "active",
    });
    expect((await rows()).NJA_Welcome).toMatchObject({
      first_seen_at: T1,
      last_seen_at: T1,
      removed_at: null,
    });
  });

  it("does not trust the server's $filter: the same messages when the server ignores it", async () => {
    await seedExtras();
    const unfiltered: string[] = [];
    const found = await sync(DEMO_APP_CONFIG, (inner) => (input, init) => {
      const url = new URL(String(input));
      if (url.searchParams.has("$filter")) {
        url.searchParams.delete("$filter");
        unfiltered.push(url.pathname);
      }
      return inner(url, init);
    });
    expect(unfiltered).toEqual(["/push/v1/message", "/push/v1/message"]);
    expect(found.messages.map((m) => m.name).sort()).toEqual(
      (await sync()).messages.map((m) => m.name).sort(),
    );
    expect(found.messages.map((m) => m.name)).not.toContain("NJA_GeoEntry");
  });

  it("marks messages that vanished or stopped qualifying as removed, inactive ones as inactive; counts each change", async () => {
    const db = test().db.kysely;
    await storeMessages(db, [await sync()], T1);
    emulator().store.tenant.businessUnit(100).messages.delete(DEMO_MESSAGES.winBack);
    edit(100, DEMO_MESSAGES.summerSale, { status: 3 });
    edit(200, byName("NJB_Clearance"), { name: "NJB_ClearanceXL" });
    edit(100, byName("NJA_NewArrivals"), { sendInitiator: 0 });
    edit(100, DEMO_MESSAGES.retired, { status: 2 });
    expect(await storeMessages(db, [await sync()], T2)).toEqual({
      added: 1,
      updated: 1,
      removed: 3,
      kept: 3,
    });
    const second = await rows();
    expect(second.NJA_WinBack).toMatchObject({
      status: "removed",
      last_seen_at: T1,
      removed_at: T2,
    });
    expect(second.NJA_NewArrivals).toMatchObject({ status: "removed", removed_at: T2 });
    expect(second.NJA_SummerSale).toMatchObject({
      status: "inactive",
      last_seen_at: T2,
      removed_at: T2,
    });
    expect(second.NJB_ClearanceXL).toMatchObject({
      status: "active",
      first_seen_at: T1,
      last_seen_at: T2,
    });
    expect(second.NJA_Retired).toMatchObject({ status: "active", first_seen_at: T2 });
    expect(second.NJA_Welcome).toMatchObject({
      status: "active",
      first_seen_at: T1,
      last_seen_at: T2,
    });
    expect(await usableNames(DEMO_APPS.shopIos)).toEqual(["NJA_Retired", "NJA_Welcome"]);

    // Active again: added back; the vanished one stays removed (and is not counted again).
    edit(100, DEMO_MESSAGES.summerSale, { status: 2 });
    expect(await storeMessages(db, [await sync()], T3)).toEqual({
      added: 1,
      updated: 0,
      removed: 0,
      kept: 5,
    });
    const third = await rows();
    expect(third.NJA_SummerSale).toMatchObject({
      status: "active",
      removed_at: null,
      first_seen_at: T1,
    });
    expect(third.NJA_WinBack).toMatchObject({ status: "removed", removed_at: T2 });
  });

  it("an app configured for the wrong BU: its messages are not imported and the sync says so", async () => {
    const apps = DEMO_APP_CONFIG.map((app) =>
      app.id === DEMO_APPS.shopIos ? { ...app, businessUnit: "200" } : app,
    );
    const found = await sync(apps);
    expect(found.problems).toEqual([
      {
        businessUnit: "200",
        appId: DEMO_APPS.shopIos,
        message: expect.stringContaining(
          `app ${DEMO_APPS.shopIos} (Demo Shop iOS) is not an app of business unit 200 (Demo Second) in SFMC`,
        ),
      },
    ]);
    await storeMessages(test().db.kysely, [found], T1);
    expect(await usableNames(DEMO_APPS.shopIos)).toEqual([]);
    expect(await usableNames()).toEqual([
      "NJA_NewArrivals",
      "NJA_WinBack",
      "NJB_Clearance",
      "NJB_Welcome",
      "NJB_Restock",
    ]);
  });

  it("messages of an app that is no longer configured are removed", async () => {
    const db = test().db.kysely;
    await storeMessages(db, [await sync()], T1);
    const withoutAndroid = DEMO_APP_CONFIG.filter((app) => app.id !== DEMO_APPS.shopAndroid);
    expect(await storeMessages(db, [await sync(withoutAndroid)], T2)).toEqual({
      added: 0,
      updated: 0,
      removed: 2,
      kept: 5,
    });
    expect(await usableNames(DEMO_APPS.shopAndroid)).toEqual([]);
  });
});
