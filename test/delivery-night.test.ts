// The nightly run end to end against the bundled emulator, on one clock: several campaigns on
// two business units of one account and a second account; a campaign larger than the budget
// spread over three windows exactly as the plan predicted; every test-group key received once,
// no control-group key ever; the right SendTime on every batch; a token per business unit.
import { sql } from "kysely";
import { afterEach, beforeEach, expect, it } from "vitest";
import { call, useEmulator } from "../emulator/test-helpers.ts";
import { cliActor } from "../src/audit/audit.ts";
import { createCampaign } from "../src/campaigns/campaigns.ts";
import { runNight } from "../src/delivery/nightly-run.ts";
import { planNight } from "../src/delivery/plan.ts";
import { formatSendTime } from "../src/time/sfmc-time.ts";
import { type CampaignFixture, OUTLET_IOS } from "./helpers/campaigns.ts";
import { describeEachEngine } from "./helpers/engines.ts";
import {
  addSecondAccount,
  emulatedSends,
  nightFixture,
  SECOND_ACCOUNT,
  seedSecondAccount,
} from "./helpers/night.ts";

const emulator = useEmulator();

describeEachEngine("the nightly run", (test) => {
  let f: CampaignFixture;
  beforeEach(async () => {
    await seedSecondAccount(emulator(), { recipients: 250_000, perMinutes: 30 });
    // The demo account's budget, scaled for CI, in Nightjar and in the emulator alike.
    await call(emulator(), "PATCH", "_emulator/behaviour", {
      body: { budget: { recipients: 25_000, perMinutes: 30 } },
    });
    f = await nightFixture(test().db, emulator(), {
      now: "2026-12-02T02:00:00Z",
      config: (c) => {
        for (const account of c.sfmc.accounts)
          account.sendBudget = { recipients: 25_000, perMinutes: 30, reservePercent: 0 };
        addSecondAccount(c);
      },
    });
    await f.customers(70_000, "2026-11-01");
  });
  afterEach(async () => {
    await f.t.close();
  });

  it("hands every batch over once, within the budget, at the SendTimes the plan predicted", async () => {
    const app = f.t.app;
    const everyone = await f.everyone();
    const de = await f.group("DE", { field: "country", op: "eq", value: "DE" });
    const fr = await f.group("FR", { field: "country", op: "eq", value: "FR" });
    const body = (name: string, group: number, extra: Record<string, unknown>) =>
      f.campaignBody(group, { name, exclusive: false, ...extra });
    const big = (
      await createCampaign(
        app,
        cliActor(),
        body("Big", everyone, { controlGroupPercent: 10, priority: 1 }),
      )
    ).campaign;
    const outlet = (
      await createCampaign(
        app,
        cliActor(),
        body("Outlet DE", de, {
          controlGroupPercent: 5,
          priority: 2,
          businessUnit: "200",
          appId: OUTLET_IOS,
          messageId: f.messageOf(OUTLET_IOS).id,
          sendTime: "12:00",
        }),
      )
    ).campaign;
    const third = (
      await createCampaign(
        app,
        cliActor(),
        body("Third FR", fr, {
          controlGroupPercent: 20,
          priority: 3,
          businessUnit: "300",
          appId: SECOND_ACCOUNT.appId,
          messageId: f.messageOf(SECOND_ACCOUNT.appId).id,
        }),
      )
    ).campaign;
    const plan = await planNight(app, { date: "2026-12-02" });
    const report = await runNight(app, { date: "2026-12-02", trigger: "cli", actor: cliActor() });
    expect(report.status).toBe("completed");
    expect(report.steps.map((s) => [s.step, s.status])).toEqual([
      ["sync", "completed"],
      ["import-customers", "skipped"],
      ["import-transactions", "skipped"],
      ["model", "skipped"],
      ["group-sizes", "completed"],
      ["plan", "completed"],
      ["freeze", "completed"],
      ["deliver", "completed"],
      ["metrics", "skipped"],
      ["retention", "skipped"],
    ]);
    expect(report.unknownBatches).toBe(0);
    const byId = new Map(report.campaigns.map((c) => [c.id, c]));
    for (const planned of plan.occurrences) {
      const ran = byId.get(planned.campaignId);
      expect(ran).toMatchObject({
        recipients: planned.test,
        control: planned.control,
        batches: planned.batches,
        sent: planned.batches,
        failed: 0,
        unknownBatches: 0,
        expired: 0,
        firstSendTime: planned.firstBatchAt,
        lastSendTime: planned.lastBatchAt,
        state: "delivered",
      });
    }
    // The hand-over per SFMC account: every batch of the night done, the third campaign's on
    // the second account.
    const progress = (account: string, occurrences: typeof plan.occurrences) => {
      const batches = occurrences.reduce((n, o) => n + o.batches, 0);
      const recipients = occurrences.reduce((n, o) => n + o.test, 0);
      return { account, batches, batchesDone: batches, recipients, recipientsDone: recipients };
    };
    expect(report.accounts).toEqual([
      progress(
        "demo",
        plan.occurrences.filter((o) => o.campaignId !== third.id),
      ),
      progress(
        "second",
        plan.occurrences.filter((o) => o.campaignId === third.id),
      ),
    ]);
    // 70,000 keys less a 10% control: more than two windows' 25,000, so three windows.
    const bigRun = byId.get(big.id);
    expect(bigRun?.recipients).toBeGreaterThan(50_000);
    expect(bigRun?.firstSendTime).toBe("2026-12-02T10:00:00.000Z");
    expect(bigRun?.lastSendTime).toBe("2026-12-02T11:00:00.000Z");
    expect(bigRun?.late).toBe((bigRun?.batches ?? 0) - 5);

    const sends = await emulatedSends(emulator());
    const batches = await sql<{
      campaign_id: number;
      business_unit: string;
      message_id: string;
      token_id: string;
      send_at: Date;
      contact_keys: string[];
      late_minutes: number;
      occurrence_send_at: Date;
    }>`
      select o.campaign_id, o.business_unit, o.message_id, b.token_id, b.send_at, b.contact_keys, b.late_minutes,
        o.send_at as occurrence_send_at
      from send_batches b join campaign_occurrences o on o.id = b.occurrence_id`.execute(
      test().db.kysely,
    );
    expect(sends).toHaveLength(batches.rows.length);
    const sendOf = new Map(sends.map((s) => [s.tokenId, s]));
    for (const batch of batches.rows) {
      const send = sendOf.get(batch.token_id);
      // The right SendTime, the business unit's own token, and executed at its slot.
      expect(send?.sendTime).toBe(formatSendTime(batch.send_at));
      expect(String(send?.mid)).toBe(batch.business_unit);
      expect(send?.messageId).toBe(batch.message_id);
      expect(send?.subscriberKeys).toEqual(batch.contact_keys);
      expect(send?.executeAt).toBe(batch.send_at.toISOString());
      expect(send?.budgetDelaySeconds).toBe(0);
      // A batch the budget put after its campaign's send time is late by that much.
      expect(batch.late_minutes).toBe(
        (batch.send_at.getTime() - batch.occurrence_send_at.getTime()) / 60_000,
      );
    }
    expect(new Set(sends.map((s) => s.clientId))).toEqual(
      new Set(["demo-client", SECOND_ACCOUNT.clientId]),
    );
    // Every test-group key received exactly once per campaign, no control key ever.
    for (const campaign of [big, outlet, third]) {
      const list = await sql<{ contact_key: string; control: boolean }>`
        select r.contact_key, r.control from occurrence_recipients r
        join campaign_occurrences o on o.id = r.occurrence_id where o.campaign_id = ${campaign.id}`.execute(
        test().db.kysely,
      );
      const received = sends
        .filter((s) => s.messageId === campaign.messageId)
        .flatMap((s) => s.subscriberKeys);
      const test_ = list.rows.filter((r) => !r.control).map((r) => r.contact_key);
      const control = new Set(list.rows.filter((r) => r.control).map((r) => r.contact_key));
      expect(control.size).toBeGreaterThan(0);
      expect(received).toHaveLength(new Set(received).size);
      expect(new Set(received)).toEqual(new Set(test_));
      expect(received.some((key) => control.has(key))).toBe(false);
    }
    // A second run of the night sends nothing again.
    const again = await runNight(app, { date: "2026-12-02", trigger: "cli", actor: cliActor() });
    expect(again.status).toBe("completed");
    expect(await emulatedSends(emulator())).toHaveLength(sends.length);
    const campaigns = await app.db.kysely
      .selectFrom("campaigns")
      .select(["id", "status"])
      .orderBy("id")
      .execute();
    expect(campaigns.map((c) => c.status)).toEqual(["completed", "completed", "completed"]);
  });
});
