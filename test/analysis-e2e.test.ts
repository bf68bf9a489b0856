// Campaign analysis end to end: customers and a pre-period of purchases, a night against the
// emulator, purchases after the send (the test group of one campaign buys more, the other's does
// not), a week of metrics on the shared clock, and the analysis read through the use case, the
// API and the CLI. The figures are checked against momentsOf/compareGroups of arrays the test
// builds itself from what it imported, so that the SQL sums, the windows (in two time zones) and
// the net revenue with refunds are checked too.
import { createHash } from "node:crypto";
import { afterEach, beforeEach, expect, it } from "vitest";
import { DEMO_CLIENT } from "../emulator/demo-tenant.ts";
import { useEmulator } from "../emulator/test-helpers.ts";
import { cliActor } from "../src/audit/audit.ts";
import { createCampaign } from "../src/campaigns/campaigns.ts";
import { importCustomerSnapshot } from "../src/customers/import-customers.ts";
import { importTransactionsFile } from "../src/customers/import-transactions.ts";
import { runNight } from "../src/delivery/nightly-run.ts";
import { planNight } from "../src/delivery/plan.ts";
import { analyzeCampaign } from "../src/metrics/analysis.ts";
import { collectSendMetrics } from "../src/metrics/collect.ts";
import { compareGroups, minimumDetectableUplift, momentsOf } from "../src/metrics/stats.ts";
import { type CampaignFixture, SHOP_ANDROID } from "./helpers/campaigns.ts";
import { cli } from "./helpers/cli.ts";
import { describeEachEngine } from "./helpers/engines.ts";
import { tempFolder } from "./helpers/files.ts";
import { cliConfig, nightFixture, type sharedClock } from "./helpers/night.ts";

const emulator = useEmulator();
const files = tempFolder();
const cliFolder = tempFolder({ config: cliConfig() });
const CUSTOMERS = 8_000;

/** A uniform draw in [0, 1) that depends only on its labels. */
function draw(...labels: (string | number)[]): number {
  const hex = createHash("md5").update(labels.join(":")).digest("hex").slice(0, 12);
  return Number.parseInt(hex, 16) / 2 ** 48;
}

const key = (n: number) => `C${String(n).padStart(6, "0")}`;
const stamp = (at: Date) => at.toISOString().replace("T", " ").slice(0, 16);

interface Purchase {
  contactKey: string;
  at: Date;
  amount: number;
}

/** Each customer's spend level drives both periods, as a real customer base's does (CUPED). */
const level = (n: number) => draw("level", n);

/** Purchases from 2026-11-01 to 2026-12-01: some before the pre-period (2026-11-04 on). */
function earlierPurchases(): Purchase[] {
  const purchases: Purchase[] = [];
  for (let n = 1; n <= CUSTOMERS; n++) {
    // Big spenders buy more often and more: up to 5 purchases in the month.
    const times = Math.floor(draw("pre", n) * 2 + 4 * level(n));
    for (let i = 0; i < times; i++) {
      const day = Math.floor(draw("pre-day", n, i) * 31);
      purchases.push({
        contactKey: key(n),
        at: new Date(Date.UTC(2026, 10, 1 + day, 8 + (n % 12))),
        amount: Math.round((10 + 80 * level(n)) * 100) / 100,
      });
    }
  }
  return purchases;
}

/**
 * Purchases from the send on: a responder buys once in the week after the send; 1 in 10 of them
 * returns part of it the next day; some buy just after a window ends (2026-12-08 23:30 UTC is
 * already 2026-12-09 in Berlin), and one in 200 returns an earlier purchase (not a purchase).
 */
function laterPurchases(rateOf: (contactKey: string) => number): Purchase[] {
  const purchases: Purchase[] = [];
  for (let n = 1; n <= CUSTOMERS; n++) {
    const contactKey = key(n);
    const amount = Math.round((20 + 60 * level(n)) * 100) / 100;
    // Big spenders buy more often too (the mean rate stays rateOf).
    if (draw("buy", n) < rateOf(contactKey) * (0.2 + 1.6 * level(n))) {
      const day = 3 + Math.floor(draw("buy-day", n) * 5);
      const at = new Date(Date.UTC(2026, 11, day, 9 + (n % 10)));
      purchases.push({ contactKey, at, amount });
      if (draw("refund", n) < 0.1)
        purchases.push({ contactKey, at: new Date(at.getTime() + 86_400_000), amount: -10 });
    }
    if (draw("late", n) < 0.02)
      purchases.push({ contactKey, at: new Date(Date.UTC(2026, 11, 8, 23, 30)), amount });
    if (draw("return", n) < 0.005)
      purchases.push({ contactKey, at: new Date(Date.UTC(2026, 11, 4, 12)), amount: -15 });
  }
  return purchases;
}

async function importPurchases(f: CampaignFixture, name: string, purchases: Purchase[]) {
  const lines = [
    "contact_key,occurred_at,amount",
    ...purchases.map((p) => `${p.contactKey},${stamp(p.at)},${p.amount.toFixed(2)}`),
  ];
  await importTransactionsFile(f.t.app, { path: await files.file(name, lines) });
}

/** The figures the analysis should show, computed here from the purchases themselves. */
function expected(
  purchases: Purchase[],
  groups: { test: string[]; control: string[] },
  window: { from: Date; to: Date },
  preperiod: { from: Date; to: Date },
) {
  const customer = (contactKey: string) => {
    const own = purchases.filter((p) => p.contactKey === contactKey);
    const within = (p: Purchase, w: { from: Date; to: Date }) => p.at >= w.from && p.at < w.to;
    const inWindow = own.filter((p) => within(p, window));
    return {
      revenue: inWindow.reduce((s, p) => s + p.amount, 0),
      preRevenue: own.filter((p) => within(p, preperiod)).reduce((s, p) => s + p.amount, 0),
      responded: inWindow.some((p) => p.amount >= 0),
    };
  };
  return compareGroups(
    momentsOf(groups.test.map(customer)),
    momentsOf(groups.control.map(customer)),
  );
}

/** Per day of the window, the share of each group whose first purchase in it is by that day. */
function expectedCumulative(
  purchases: Purchase[],
  groups: { test: string[]; control: string[] },
  window: { from: Date; to: Date },
  firstDay: string,
  offsetHours: number,
) {
  const firstDate = (contactKey: string) => {
    const times = purchases
      .filter((p) => p.contactKey === contactKey && p.amount >= 0)
      .filter((p) => p.at >= window.from && p.at < window.to)
      .map((p) => p.at.getTime());
    if (times.length === 0) return null;
    return new Date(Math.min(...times) + offsetHours * 3_600_000).toISOString().slice(0, 10);
  };
  const test = groups.test.map(firstDate);
  const control = groups.control.map(firstDate);
  return [1, 2, 3, 4, 5, 6, 7].map((day) => {
    const date = new Date(Date.parse(`${firstDay}T00:00:00Z`) + (day - 1) * 86_400_000)
      .toISOString()
      .slice(0, 10);
    const share = (firsts: (string | null)[]) =>
      firsts.filter((d) => d !== null && d <= date).length / firsts.length;
    return { day, date, test: share(test), control: share(control) };
  });
}

describeEachEngine("campaign analysis end to end", (test) => {
  let f: CampaignFixture & { clock: ReturnType<typeof sharedClock> };
  beforeEach(async () => {
    f = await nightFixture(test().db, emulator(), { now: "2026-12-02T01:00:00Z" });
    const rows = Array.from({ length: CUSTOMERS }, (_, i) => {
      const n = i + 1;
      return `${key(n)},${n % 2 === 0 ? "DE" : "FR"},true`;
    });
    const snapshot = await importCustomerSnapshot(f.t.app, {
      path: await files.file("customers.csv", ["contact_key,country,allow_push", ...rows]),
      date: "2026-12-01",
    });
    expect(snapshot.inserted).toBe(CUSTOMERS);
  });
  afterEach(async () => {
    await f.t.close();
  });

  it("finds the uplift of a push that works significant, and none where there is none", async () => {
    const app = f.t.app;
    const before = earlierPurchases();
    await importPurchases(f, "earlier.csv", before);
    const de = await f.group("DE", { field: "country", op: "eq", value: "DE" });
    const fr = await f.group("FR", { field: "country", op: "eq", value: "FR" });
    const works = (
      await createCampaign(
        app,
        cliActor(),
        f.campaignBody(de, { name: "Works", controlGroupPercent: 20, exclusive: false }),
      )
    ).campaign;
    const flat = (
      await createCampaign(
        app,
        cliActor(),
        f.campaignBody(fr, {
          name: "Flat",
          // Odd contact keys are registered on the Android app of the demo tenant.
          appId: SHOP_ANDROID,
          messageId: f.messageOf(SHOP_ANDROID).id,
          controlGroupPercent: 20,
          exclusive: false,
          timeZone: "Europe/Berlin",
          sendTime: "11:00",
        }),
      )
    ).campaign;

    // Before the night: the minimum detectable uplift from the group's last 7 days of purchases.
    const plan = await planNight(app, { date: "2026-12-02" });
    const planned = plan.occurrences.find((o) => o.campaignId === works.id);
    const lastWeek = before.filter(
      (p) =>
        Number(p.contactKey.slice(1)) % 2 === 0 &&
        p.at >= new Date("2026-11-25T00:00:00Z") &&
        p.at < new Date("2026-12-02T00:00:00Z"),
    );
    const baseline = new Set(lastWeek.map((p) => p.contactKey)).size / (CUSTOMERS / 2);
    expect(planned?.baselineResponseRate).toBeCloseTo(baseline, 10);
    expect(planned?.minimumDetectableUplift).toBeCloseTo(
      minimumDetectableUplift(baseline, planned?.test ?? 0, planned?.control ?? 0) ?? Number.NaN,
      10,
    );

    const night = await runNight(app, { date: "2026-12-02", trigger: "cli", actor: cliActor() });
    expect(night.status).toBe("completed");
    const members = async (campaignId: number) => {
      const rows = await app.db.kysely
        .selectFrom("occurrence_recipients as r")
        .innerJoin("campaign_occurrences as o", "o.id", "r.occurrence_id")
        .select(["r.contact_key", "r.control"])
        .where("o.campaign_id", "=", campaignId)
        .orderBy("r.contact_key")
        .execute();
      return {
        test: rows.filter((r) => !r.control).map((r) => r.contact_key),
        control: rows.filter((r) => r.control).map((r) => r.contact_key),
      };
    };
    const worksGroups = await members(works.id);
    const flatGroups = await members(flat.id);
    const inControl = new Set([...worksGroups.control, ...flatGroups.control]);
    const isDe = (contactKey: string) => Number(contactKey.slice(1)) % 2 === 0;
    // The push works on DE's test group (24% against 14%); FR buys at 14% either way.
    const after = laterPurchases((k) => (isDe(k) && !inControl.has(k) ? 0.24 : 0.14));

    // A week on the shared clock: purchases arrive daily, metrics are collected daily.
    for (let day = 3; day <= 10; day++) {
      const date = `2026-12-${String(day).padStart(2, "0")}`;
      f.clock.set(`${date}T03:00:00Z`);
      const arrived = after.filter(
        (p) =>
          p.at < new Date(`${date}T00:00:00Z`) &&
          p.at >= new Date(`2026-12-${String(day - 1).padStart(2, "0")}T00:00:00Z`),
      );
      if (arrived.length > 0) await importPurchases(f, `after-${date}.csv`, arrived);
      await collectSendMetrics(app, { date });
      if (day === 5) {
        const sofar = await analyzeCampaign(app, works.id);
        expect(sofar).toMatchObject({
          complete: false,
          window: { from: "2026-12-02", to: "2026-12-08" },
        });
      }
    }
    const all = [...before, ...after];

    const worksAnalysis = await analyzeCampaign(app, works.id);
    expect(worksAnalysis).toMatchObject({
      campaignId: works.id,
      occurrence: "2026-12-02",
      complete: true,
      window: { from: "2026-12-02", to: "2026-12-08" },
      preperiod: { from: "2026-11-04", to: "2026-12-01" },
      significance: "significant",
      groups: {
        test: { customers: worksGroups.test.length },
        control: { customers: worksGroups.control.length },
      },
    });
    expect(worksAnalysis.verdict).toMatch(
      /^Response rate \+\d+\.\d pts \(95% CI \+\d+\.\d to \+\d+\.\d\), significant at 95%$/,
    );
    const utcWeek = {
      from: new Date("2026-12-02T00:00:00Z"),
      to: new Date("2026-12-09T00:00:00Z"),
    };
    const utcPre = { from: new Date("2026-11-04T00:00:00Z"), to: new Date("2026-12-02T00:00:00Z") };
    const worksExpected = expected(all, worksGroups, utcWeek, utcPre);
    expectSameFigures(worksAnalysis, worksExpected);
    // The pre-period's spend predicts the window's: CUPED narrows the interval.
    expect(worksAnalysis.cuped.varianceReduction).toBeGreaterThan(0.02);
    const width = (ci: [number, number] | null) => (ci ? ci[1] - ci[0] : Number.NaN);
    expect(width(worksAnalysis.cuped.ci95)).toBeLessThan(
      width(worksAnalysis.revenuePerCustomer.ci95),
    );

    const flatAnalysis = await analyzeCampaign(app, flat.id);
    expect(flatAnalysis.significance).toBe("not_significant");
    expect(flatAnalysis.verdict).toMatch(/, not significant$/);
    // Berlin's calendar days: the window and the pre-period start an hour before UTC's.
    const berlinWeek = {
      from: new Date("2026-12-01T23:00:00Z"),
      to: new Date("2026-12-08T23:00:00Z"),
    };
    const berlinPre = {
      from: new Date("2026-11-03T23:00:00Z"),
      to: new Date("2026-12-01T23:00:00Z"),
    };
    expectSameFigures(flatAnalysis, expected(all, flatGroups, berlinWeek, berlinPre));

    // The cumulative response per day of the window, from each member's first purchase in it.
    expect(worksAnalysis.cumulative).toEqual(
      expectedCumulative(all, worksGroups, utcWeek, "2026-12-02", 0),
    );
    expect(flatAnalysis.cumulative).toEqual(
      expectedCumulative(all, flatGroups, berlinWeek, "2026-12-02", 1),
    );
    expect(worksAnalysis.cumulative.at(-1)?.test).toBeCloseTo(
      worksAnalysis.responseRate.test ?? Number.NaN,
      12,
    );

    // The metrics of the week: every batch's count on each of its 7 days.
    const pushed = worksGroups.test.length;
    expect(worksAnalysis.metrics).toMatchObject({ pushed, count: pushed, sendRate: 1 });
    expect(worksAnalysis.metrics.days.map((d) => [d.day, d.date, d.count])).toEqual(
      [1, 2, 3, 4, 5, 6, 7].map((d) => [d, `2026-12-${String(2 + d).padStart(2, "0")}`, pushed]),
    );

    // The API and the CLI answer the same document.
    await f.t.addUser("viewer@example.com", "viewer");
    const viewer = await f.t.signIn("viewer@example.com");
    const response = await f.t.server.http.inject({
      method: "GET",
      url: `/api/campaigns/${works.id}/analysis`,
      headers: f.t.as(viewer),
    });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toEqual(JSON.parse(JSON.stringify(worksAnalysis)));
    const missing = await f.t.server.http.inject({
      method: "GET",
      url: `/api/campaigns/${works.id}/analysis?occurrence=2026-12-03`,
      headers: f.t.as(viewer),
    });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().detail).toContain("no occurrence on 2026-12-03");

    const run = (args: string[]) =>
      cli(cliFolder.dir(), ["analysis", ...args], {
        db: test().db,
        clock: f.clock,
        env: { SFMC_CLIENT_SECRET: DEMO_CLIENT.clientSecret },
      });
    const json = await run([String(works.id), "--json"]);
    expect(json.code, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual(response.json());
    const text = await run([String(flat.id), "--occurrence", "2026-12-02"]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain(flatAnalysis.verdict);
    const flatPushed = flatGroups.test.length.toLocaleString("en-US");
    expect(text.stdout).toContain(
      `pushed ${flatPushed} · SFMC count ${flatPushed} · send rate 100.0%`,
    );
    const unknown = await run(["9999"]);
    expect(unknown.code).toBe(6);
  });
});

/** The analysis shows the figures computed independently, to 9 decimals. */
function expectSameFigures(
  actual: ReturnType<typeof compareGroups>,
  wanted: ReturnType<typeof compareGroups>,
) {
  const numbers = (value: unknown, path = ""): [string, number | null][] => {
    if (typeof value === "number" || value === null) return [[path, value as number | null]];
    if (typeof value !== "object") return [];
    return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) =>
      numbers(v, `${path}.${k}`),
    );
  };
  const pick = (c: ReturnType<typeof compareGroups>) =>
    numbers({
      groups: c.groups,
      responseRate: c.responseRate,
      revenuePerCustomer: c.revenuePerCustomer,
      cuped: c.cuped,
      incremental: c.incremental,
    });
  const want = new Map(pick(wanted));
  for (const [path, value] of pick(actual)) {
    const expectedValue = want.get(path);
    if (expectedValue === null || value === null) expect(value, path).toBe(expectedValue);
    else expect(value, path).toBeCloseTo(expectedValue as number, 6);
  }
  expect(actual.significance).toBe(wanted.significance);
  expect(actual.verdict).toBe(wanted.verdict);
}
