import { describe, expect, it } from "vitest";
import { DEMO_APPS } from "../emulator/demo-tenant.ts";
import { call, useEmulator } from "../emulator/test-helpers.ts";
import type { SfmcAccount, SfmcApp } from "../src/config/schema.ts";
import { checkAccount } from "../src/sfmc/check.ts";
import { DEMO_APP_CONFIG, demoAccount, harness, IN_PROCESS_URL } from "./helpers/sfmc.ts";

const emulator = useEmulator();

function check(
  options: { apps?: SfmcApp[]; account?: Partial<SfmcAccount>; secret?: string } = {},
) {
  const { client } = harness(emulator(), "in-process", {
    account: options.account ?? {},
    ...(options.secret ? { secret: () => options.secret as string } : {}),
  });
  return checkAccount(
    client,
    demoAccount(IN_PROCESS_URL, options.account),
    options.apps ?? DEMO_APP_CONFIG,
  );
}

describe("sfmc check", () => {
  it("reports every business unit's token and every app as working on the demo tenant", async () => {
    const report = await check();
    expect(report.ok).toBe(true);
    expect(report.problem).toBeUndefined();
    expect(report.businessUnits.map((bu) => [bu.mid, bu.ok, bu.scopes])).toEqual([
      ["100", true, ["push_read", "push_write", "push_send"]],
      ["200", true, ["push_read", "push_write", "push_send"]],
    ]);
    expect(report.businessUnits.flatMap((bu) => bu.apps.map((app) => app.ok))).toEqual([
      true,
      true,
      true,
      true,
    ]);
  });

  it("a wrong secret is the account's problem, named with where the secret comes from", async () => {
    const report = await check({ secret: "wrong-secret" });
    expect(report.ok).toBe(false);
    expect(report.problem).toContain('SFMC refused the client secret of client id "demo-client"');
    expect(report.problem).toContain("check the environment variable SFMC_CLIENT_SECRET");
    expect(report.problem).not.toContain("wrong-secret");
    expect(
      report.businessUnits.every((bu) => !bu.checked && bu.apps.every((app) => !app.checked)),
    ).toBe(true);
  });

  it("an unknown client id is the account's problem", async () => {
    const report = await check({ account: { clientId: "typo-client" } });
    expect(report.problem).toContain('SFMC does not know the client id "typo-client"');
  });

  it("a business unit not enabled for the package, an unknown app, an app of another BU, a missing scope", async () => {
    await call(emulator(), "POST", "_emulator/seed", {
      body: {
        businessUnits: [{ mid: 300, name: "Elsewhere" }],
        clients: [
          {
            clientId: "reader",
            clientSecret: "reader-secret",
            homeMid: 100,
            mids: [200],
            scopes: ["push_read"],
          },
        ],
      },
    });
    const unknownApp = "0a1b2c3d-0000-4000-8000-00000000dead";
    const report = await check({
      account: {
        clientId: "reader",
        businessUnits: [
          { mid: "100", name: "Demo Main", templatePrefix: "NJA_" },
          { mid: "200", name: "Demo Second", templatePrefix: "NJB_" },
          { mid: "300", name: "Elsewhere", templatePrefix: "NJC_" },
        ],
      },
      secret: "reader-secret",
      apps: [
        { id: DEMO_APPS.shopIos, name: "Shop (renamed here)", businessUnit: "100" },
        { id: unknownApp, name: "Ghost", businessUnit: "100" },
        { id: DEMO_APPS.shopAndroid, name: "Demo Shop Android", businessUnit: "200" },
        { id: DEMO_APPS.outletIos, name: "Demo Outlet iOS", businessUnit: "300" },
      ],
    });
    expect(report.ok).toBe(false);
    expect(report.problem).toBeUndefined();
    const [main, second, elsewhere] = report.businessUnits;
    expect(main?.problem).toBe(
      "the token lacks push_send (sends will fail: grant MobilePush Send) on the installed package",
    );
    expect(main?.apps).toEqual([
      {
        id: DEMO_APPS.shopIos,
        name: "Shop (renamed here)",
        ok: true,
        checked: true,
        note: 'SFMC names it "Demo Shop iOS"',
      },
      {
        id: unknownApp,
        name: "Ghost",
        ok: false,
        checked: true,
        problem: `SFMC has no app ${unknownApp} in business unit 100 (Demo Main): check the app id on the MobilePush Administration page, and that the app belongs to this business unit`,
      },
    ]);
    expect(second?.apps[0]?.problem).toBe(
      `SFMC has no app ${DEMO_APPS.shopAndroid} in business unit 200 (Demo Second): it is an app of business unit 100 (Demo Main); set its businessUnit to "100" in sfmc.apps`,
    );
    expect(elsewhere).toMatchObject({ ok: false, checked: true, scopes: null });
    expect(elsewhere?.problem).toContain(
      'business unit 300 is not enabled for the installed package of client id "reader": enable it on the package\'s Access tab',
    );
    expect(elsewhere?.apps[0]).toMatchObject({ ok: false, checked: false });
  });
});
