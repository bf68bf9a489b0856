import type { SeedInput } from "./seed.ts";

/** The demo client's credentials: public on purpose, printed on start and in the README. */
export const DEMO_CLIENT = { clientId: "demo-client", clientSecret: "demo-secret" } as const;

/** The demo apps; `nightjar init` writes a config listing exactly these ids. */
export const DEMO_APPS = {
  shopIos: "6f1c3a52-1000-4a6e-9b3d-0000000000a1",
  shopAndroid: "6f1c3a52-1000-4a6e-9b3d-0000000000a2",
  outletIos: "6f1c3a52-2000-4a6e-9b3d-0000000000b1",
  outletAndroid: "6f1c3a52-2000-4a6e-9b3d-0000000000b2",
} as const;

/** The demo contact keys: C000000–C199999, registered in both BUs. */
export const DEMO_CONTACTS = { prefix: "C", digits: 6, from: 0, to: 199_999 } as const;

const CREATED = "2026-01-05T09:00:00Z";

function message(
  id: number,
  name: string,
  appId: string,
  alert: string,
  extra: { status?: number; sendInitiator?: number } = {},
) {
  return {
    id: Buffer.from(`${id}:114:0`).toString("base64url"),
    name,
    messageType: 1,
    contentType: 1,
    application: { id: appId },
    alert,
    title: name.replace(/^NJ[AB]_/, ""),
    sendInitiator: extra.sendInitiator ?? 1,
    status: extra.status ?? 2,
    createdDate: CREATED,
    lastUpdated: CREATED,
  };
}

/**
 * The tenant the emulator holds when started without a seed: client demo-client (home MID 100, also
 * MID 200), two apps per BU, API-triggered `NJA_`/`NJB_` messages plus, per BU, one inactive, one
 * UI-initiated and one unprefixed message, and contacts C000000–C199999 (opted in; even numbers
 * on each BU's first app, odd on its second).
 */
export function demoSeed(): SeedInput {
  const contacts = (appIds: string[]) => [
    { ...DEMO_CONTACTS, appIds, optedIn: true, tags: [] as string[] },
  ];
  return {
    enterpriseId: 100,
    clients: [
      {
        ...DEMO_CLIENT,
        homeMid: 100,
        mids: [200],
        scopes: ["push_read", "push_write", "push_send"],
        userId: 700_001,
      },
    ],
    businessUnits: [
      {
        mid: 100,
        name: "Demo Main",
        apps: [
          { id: DEMO_APPS.shopIos, name: "Demo Shop iOS", createdDate: CREATED },
          { id: DEMO_APPS.shopAndroid, name: "Demo Shop Android", createdDate: CREATED },
        ],
        messages: [
          message(1, "NJA_Welcome", DEMO_APPS.shopIos, "Welcome to the Demo Shop!"),
          message(2, "NJA_SummerSale", DEMO_APPS.shopIos, "Summer sale: 20% off today."),
          message(3, "NJA_WinBack", DEMO_APPS.shopAndroid, "We miss you: here is 10% off."),
          message(4, "NJA_NewArrivals", DEMO_APPS.shopAndroid, "New arrivals are in."),
          message(5, "NJA_Retired", DEMO_APPS.shopIos, "An old campaign.", { status: 3 }),
          message(6, "NJA_UiNewsletter", DEMO_APPS.shopAndroid, "Sent from the UI.", {
            sendInitiator: 0,
          }),
          message(7, "Weekly_Digest", DEMO_APPS.shopIos, "Your weekly digest."),
        ],
        contactRanges: contacts([DEMO_APPS.shopIos, DEMO_APPS.shopAndroid]),
        tags: [],
      },
      {
        mid: 200,
        name: "Demo Second",
        apps: [
          { id: DEMO_APPS.outletIos, name: "Demo Outlet iOS", createdDate: CREATED },
          { id: DEMO_APPS.outletAndroid, name: "Demo Outlet Android", createdDate: CREATED },
        ],
        messages: [
          message(8, "NJB_Welcome", DEMO_APPS.outletIos, "Welcome to the Demo Outlet!"),
          message(9, "NJB_Clearance", DEMO_APPS.outletIos, "Clearance: up to 50% off."),
          message(10, "NJB_Restock", DEMO_APPS.outletAndroid, "Back in stock."),
          message(11, "NJB_Retired", DEMO_APPS.outletAndroid, "An old campaign.", { status: 3 }),
          message(12, "NJB_UiFlash", DEMO_APPS.outletIos, "Sent from the UI.", {
            sendInitiator: 0,
          }),
          message(13, "Outlet_Digest", DEMO_APPS.outletAndroid, "Your outlet digest."),
        ],
        contactRanges: contacts([DEMO_APPS.outletIos, DEMO_APPS.outletAndroid]),
        tags: [],
      },
    ],
  };
}
