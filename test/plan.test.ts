// The nightly plan: which occurrences the night hands over, who gets which campaign after the
// priorities, the control split, the batches on the account's send budget, the overlaps and the
// warnings; through the use case, the API and the CLI, on both engines.
import { createHash } from "node:crypto";
import { sql } from "kysely";
import { afterEach, beforeEach, expect, it } from "vitest";
import { useEmulator } from "../emulator/test-helpers.ts";
import { cliActor } from "../src/audit/audit.ts";
import { createCampaign } from "../src/campaigns/campaigns.ts";
import { inTransaction } from "../src/db/transaction.ts";
import { planNight } from "../src/delivery/plan.ts";
import { selectRecipients } from "../src/delivery/selection.ts";
import {
  type CampaignFixture,
  campaignFixture,
  OUTLET_IOS,
  SHOP_ANDROID,
  SHOP_IOS,
} from "./helpers/campaigns.ts";
import { describeEachEngine } from "./helpers/engines.ts";

const emulator = useEmulator();

describeEachEngine("the nightly plan", (test) => {
  let f: CampaignFixture;
  beforeEach(async () => {
    f = await campaignFixture(test().db, emulator(), {
      // One batch per rolling 30 minutes on the demo account (both business units share it).
      config: (c) => {
        for (const account of c.sfmc.accounts)
          account.sendBudget = { recipients: 5000, perMinutes: 30, reservePercent: 0 };
      },
    });
    await f.customers(12_000);
  });
  afterEach(async () => {
    await f.t.close();
  });
  const campaign = async (name: string, targetGroupId: number, extra: Record<string, unknown>) =>
    (await createCampaign(f.t.app, cliActor(), f.campaignBody(targetGroupId, { name, ...extra })))
      .campaign;

  it("assigns exclusive campaigns by priority, splits control stably, batches within the budget and counts overlaps", async () => {
    const de = await f.group("DE", { all: [{ field: "country", op: "eq", value: "DE" }] });
    const everyone = await f.group("Everyone", {
      field: "contact_key",
      op: "starts_with",
      value: "c",
    });
    const first = await campaign("DE winback", de, { priority: 1, controlGroupPercent: 10 });
    const second = await campaign("Outlet for all", everyone, {
      priority: 2,
      controlGroupPercent: 0,
      businessUnit: "200",
      appId: OUTLET_IOS,
      messageId: f.messageOf(OUTLET_IOS).id,
    });
    const third = await campaign("DE news", de, {
      priority: 3,
      exclusive: false,
      controlGroupPercent: 50,
      appId: SHOP_ANDROID,
      messageId: f.messageOf(SHOP_ANDROID).id,
    });
    // Due another night: not in this plan.
    await campaign("Tomorrow", de, {
      schedule: { type: "once", date: "2026-12-03" },
      sendTime: "10:00",
    });

    const plan = await planNight(f.t.app, { date: "2026-12-02" });
    expect(plan.window).toEqual({
      from: "2026-12-02T02:00:00.000Z",
      to: "2026-12-03T02:00:00.000Z",
    });
    expect(plan.occurrences.map((o) => o.campaignId)).toEqual([first.id, second.id, third.id]);
    const [a, b, c] = plan.occurrences;
    if (!a || !b || !c) throw new Error("three occurrences expected");
    expect(a).toMatchObject({
      targetGroup: { total: 6000, reachable: 6000 },
      afterPriorities: 6000,
      lostToHigherPriority: 0,
    });
    expect(a.control + a.test).toBe(6000);
    expect(a.control).toBeGreaterThan(450);
    expect(a.control).toBeLessThan(750);
    // Every DE customer went to the first campaign (its control group too): the outlet gets the FR half.
    expect(b).toMatchObject({
      targetGroup: { total: 12_000, reachable: 12_000 },
      afterPriorities: 6000,
      lostToHigherPriority: 6000,
      control: 0,
      test: 6000,
    });
    // Not exclusive: it takes nobody from the others and loses nobody.
    expect(c).toMatchObject({ afterPriorities: 6000, lostToHigherPriority: 0 });
    expect(c.control + c.test).toBe(6000);
    expect(plan.overlaps.customersInSeveral).toBe(6000);
    expect(plan.overlaps.pairs).toEqual([
      { campaignA: first.id, campaignB: second.id, customers: 6000 },
      { campaignA: first.id, campaignB: third.id, customers: 6000 },
      { campaignA: second.id, campaignB: third.id, customers: 6000 },
    ]);
    expect(a.sendTime).toEqual({
      local: "2026-12-02 10:00",
      timeZone: "UTC",
      utc: "2026-12-02T10:00:00.000Z",
      sfmc: "2026-12-02 04:00",
    });
    // 5,000 per 30 minutes, shared by both business units of the account, in priority order.
    expect(a.batches).toBe(Math.ceil(a.test / 5000));
    expect(a.firstBatchAt).toBe("2026-12-02T10:00:00.000Z");
    expect(b.firstBatchAt).not.toBe("2026-12-02T10:00:00.000Z");
    const lastOfAll =
      [a, b, c]
        .map((o) => Date.parse(o.lastBatchAt ?? ""))
        .sort((x, y) => x - y)
        .at(-1) ?? 0;
    // At most 5,000 recipients in any 30 minutes: the night's last batch goes out no sooner than that allows.
    const recipients = a.test + b.test + c.test;
    expect(lastOfAll - Date.parse("2026-12-02T10:00:00Z")).toBeGreaterThanOrEqual(
      30 * 60_000 * (Math.ceil(recipients / 5000) - 1),
    );
    // The timeline sums the same batches per 30-minute window, each within the budget.
    expect(plan.timeline).toHaveLength(1);
    const [timeline] = plan.timeline;
    expect(timeline?.budget).toMatchObject({ limit: 5000, windowMinutes: 30 });
    expect(timeline?.windows[0]?.from).toBe("2026-12-02T10:00:00.000Z");
    expect(timeline?.windows.reduce((sum, w) => sum + w.recipients, 0)).toBe(recipients);
    expect(timeline?.windows.reduce((sum, w) => sum + w.batches, 0)).toBe(
      a.batches + b.batches + c.batches,
    );
    expect(Math.max(...(timeline?.windows.map((w) => w.recipients) ?? []))).toBeLessThanOrEqual(
      5000,
    );
    expect(
      b.warnings.some((w) =>
        /^Its last batch goes out at 20\d\d-\d\d-\d\dT\S+ \(UTC\), \d+ minutes after its send time/.test(
          w,
        ),
      ),
    ).toBe(true);
    expect(b.warnings.join(" ")).toMatch(/20\d\d-\d\d-\d\dT/);

    // The same night planned again: the same people in the same groups.
    const again = await planNight(f.t.app, { date: "2026-12-02" });
    expect(again.occurrences.map((o) => [o.control, o.test])).toEqual(
      plan.occurrences.map((o) => [o.control, o.test]),
    );
  });

  it("puts in the control group exactly the keys an auditor computes from md5('<campaign id>:<key>')", async () => {
    const de = await f.group("DE", { all: [{ field: "country", op: "eq", value: "DE" }] });
    const only = await campaign("Audit me", de, { controlGroupPercent: 25 });
    const control = await inTransaction(test().db.kysely, {}, async (trx) => {
      await selectRecipients(
        trx,
        f.t.app.config,
        [
          {
            campaignId: only.id,
            rule: { field: "country", op: "eq", value: "DE" },
            priority: 1,
            exclusive: true,
            controlGroupPercent: 25,
          },
        ],
        { asOf: "2026-12-02" },
      );
      const rows = await sql<{
        contact_key: string;
      }>`select contact_key from selection where control order by contact_key`.execute(trx);
      return rows.rows.map((r) => r.contact_key);
    });
    const audited = [];
    for (let i = 2; i <= 12_000; i += 2) {
      const key = `C${String(i).padStart(6, "0")}`;
      const hex = createHash("md5").update(`${only.id}:${key}`).digest("hex").slice(0, 8);
      if (Number.parseInt(hex, 16) % 10_000 < 2500) audited.push(key);
    }
    expect(control).toEqual(audited);
    expect(control.length).toBeGreaterThan(1300);
    expect(control.length).toBeLessThan(1700);
  });

  it("hands a Tokyo morning over to the UTC night before, and answers the API and the CLI alike", async () => {
    const de = await f.group("DE", { all: [{ field: "country", op: "eq", value: "DE" }] });
    const tokyo = await campaign("Tokyo morning", de, {
      schedule: { type: "daily", start: "2026-12-02" },
      sendTime: "08:00",
      timeZone: "Asia/Tokyo",
    });
    // 08:00 in Tokyo on 12-03 is 23:00 UTC on 12-02: the run of 12-02 hands it over.
    const plan = await planNight(f.t.app, { date: "2026-12-02" });
    expect(plan.occurrences.map((o) => [o.campaignId, o.localDate, o.sendTime.utc])).toEqual([
      [tokyo.id, "2026-12-03", "2026-12-02T23:00:00.000Z"],
    ]);
    await f.t.addUser("vic@example.com", "viewer");
    const vic = await f.t.signIn("vic@example.com");
    const api = await f.t.server.http.inject({
      url: "/api/plan?date=2026-12-02",
      headers: f.t.as(vic),
    });
    expect(api.statusCode).toBe(200);
    expect(api.json()).toEqual(JSON.parse(JSON.stringify(plan)));
    const calendar = await f.t.server.http.inject({
      url: "/api/occurrences?from=2026-12-02&to=2026-12-04",
      headers: f.t.as(vic),
    });
    expect(
      calendar.json().map((o: { runDate: string; localDate: string }) => [o.runDate, o.localDate]),
    ).toEqual([
      ["2026-12-02", "2026-12-03"],
      ["2026-12-03", "2026-12-04"],
      ["2026-12-04", "2026-12-05"],
    ]);
  });

  it("previews an unsaved campaign for the builder", async () => {
    const de = await f.group("DE", { all: [{ field: "country", op: "eq", value: "DE" }] });
    await f.t.addUser("ann@example.com", "marketer");
    const ann = await f.t.signIn("ann@example.com");
    // The week before the next occurrence (Berlin's days: 2026-11-27 to 2026-12-03): 600 of the
    // 6,000 DE customers bought on 2026-12-01, one just after Berlin's 2026-11-27 began, and
    // one buys just after the week, on Berlin's 2026-12-04.
    await sql`
      insert into transactions (contact_key, occurred_at, amount, import_id)
      select 'C' || lpad((g * 2)::text, 6, '0'), '2026-12-01T12:00:00Z'::timestamptz, 20, 0
      from generate_series(1, 600) g
      union all select 'C002000', '2026-11-26T23:30:00Z'::timestamptz, 20, 0
      union all select 'C002002', '2026-12-03T23:30:00Z'::timestamptz, 20, 0
      union all select 'C002004', '2026-12-01T12:00:00Z'::timestamptz, -5, 0`.execute(
      f.t.app.db.kysely,
    );
    const baseline = 601 / 6000;
    const preview = await f.t.server.http.inject({
      method: "POST",
      url: "/api/campaigns/preview",
      headers: f.t.as(ann),
      payload: {
        name: "Draft",
        targetGroupId: de,
        businessUnit: "100",
        appId: SHOP_IOS,
        messageId: f.messageOf(SHOP_IOS).id,
        schedule: { type: "weekly", days: ["fri"], start: "2026-12-01" },
        sendTime: "18:00",
        timeZone: "Europe/Berlin",
        controlGroupPercent: 20,
      },
    });
    expect(preview.json()).toMatchObject({
      valid: true,
      problems: [],
      nextOccurrence: {
        date: "2026-12-04",
        sendAt: "2026-12-04T17:00:00.000Z",
        sfmcSendTime: "2026-12-04 11:00",
      },
      targetGroup: { total: 6000, reachable: 6000 },
      control: 1200,
      test: 4800,
      batches: 1,
    });
    expect(preview.json().baselineResponseRate).toBeCloseTo(baseline, 12);
    expect(preview.json().minimumDetectableUplift).toBeCloseTo(
      (1.959964 + 0.841621) * Math.sqrt(baseline * (1 - baseline) * (1 / 4800 + 1 / 1200)),
      6,
    );
    const bad = await f.t.server.http.inject({
      method: "POST",
      url: "/api/campaigns/preview",
      headers: f.t.as(ann),
      payload: { name: "" },
    });
    expect(bad.json().valid).toBe(false);
    expect(bad.json().problems.map((p: { path: string }) => p.path)).toEqual(
      expect.arrayContaining(["name", "targetGroupId", "schedule"]),
    );
  });
});
