// Late batches, in-process on one clock. A batch whose slot passed before it could be handed over
// gets the earliest whole minute at least one minute ahead that the budget allows, goes out with
// that SendTime and counts late by its minutes; past delivery.maxLatenessMinutes (from the
// campaign's send time, whatever the cause) it expires instead, with the reason. With
// delivery.handOverLeadMinutes a batch is handed over only that long before its SendTime, so a
// campaign paused meanwhile stops the batches not yet handed over.
import { afterEach, expect, it } from "vitest";
import { useEmulator } from "../emulator/test-helpers.ts";
import { cliActor } from "../src/audit/audit.ts";
import { changeCampaignStatus } from "../src/campaigns/campaigns.ts";
import { formatSendTime } from "../src/time/sfmc-time.ts";
import {
  addFault,
  batches,
  fullestWindow,
  NIGHT,
  type OneCampaignNight,
  oneCampaignNight,
} from "./helpers/delivery.ts";
import { describeEachEngine } from "./helpers/engines.ts";
import { type EmulatedSend, emulatedSends } from "./helpers/night.ts";

const emulator = useEmulator();

/** 12,000 keys in batches of 5,000, 5,000 and 2,000; the campaign sends at 10:00 UTC. */
const CUSTOMERS = 12_000;
const at = (time: string) => new Date(`${NIGHT}T${time}Z`);

describeEachEngine("late batches", (test) => {
  let night: OneCampaignNight | undefined;
  afterEach(async () => {
    await night?.close();
    night = undefined;
  });

  async function setUp(options: Omit<Parameters<typeof oneCampaignNight>[2], "customers">) {
    night = await oneCampaignNight(test().db, emulator(), { customers: CUSTOMERS, ...options });
    return night;
  }

  /** Each send the emulator took carries its batch's slot as SendTime and ran at it. */
  async function expectSentAtSlots(budget: number): Promise<EmulatedSend[]> {
    const sends = await emulatedSends(emulator());
    const byToken = new Map(sends.map((s) => [s.tokenId, s]));
    const sent = (await batches(test().db)).filter((b) => b.state === "sent");
    expect(sends).toHaveLength(sent.length);
    for (const batch of sent) {
      const send = byToken.get(batch.token_id ?? "");
      expect(send?.sendTime).toBe(formatSendTime(batch.send_at));
      expect(send?.executeAt).toBe(batch.send_at.toISOString());
      expect(send?.budgetDelaySeconds).toBe(0);
      expect(send?.subscriberKeys).toEqual(batch.contact_keys);
    }
    expect(fullestWindow(sends)).toBeLessThanOrEqual(budget);
    return sends;
  }

  it("a night that starts after the send time: the earliest minutes ahead within the budget, late by their minutes", async () => {
    const { run } = await setUp({ budget: 10_000, runAt: `${NIGHT}T10:20:30Z` });
    const report = await run();
    expect(report.status).toBe("completed");
    const rows = await batches(test().db);
    // 10:22 is the first whole minute at least a minute ahead; the second 5,000 no longer fit in
    // a window with it and the 2,000 (still at its slot, 10:30), so 10:52.
    expect(rows.map((b) => [b.state, b.size, b.send_at, b.late_minutes])).toEqual([
      ["sent", 5000, at("10:22:00"), 22],
      ["sent", 5000, at("10:52:00"), 52],
      ["sent", 2000, at("10:30:00"), 30],
    ]);
    await expectSentAtSlots(10_000);
    expect(report.campaigns[0]).toMatchObject({
      sent: 3,
      late: 3,
      expired: 0,
      firstSendTime: at("10:22:00").toISOString(),
      lastSendTime: at("10:52:00").toISOString(),
      state: "delivered",
    });
    expect(report.steps.find((s) => s.step === "deliver")?.counts).toMatchObject({
      sent: 3,
      late: 3,
    });
  });

  it("past delivery.maxLatenessMinutes (360) nothing is sent: every batch expires with the reason", async () => {
    const { run } = await setUp({ budget: 10_000, runAt: `${NIGHT}T16:01:00Z` });
    const report = await run();
    expect(report.status).toBe("completed");
    for (const batch of await batches(test().db)) {
      expect(batch.state).toBe("expired");
      expect(batch.token_id).toBeNull();
      expect(batch.error).toContain("past delivery.maxLatenessMinutes (360)");
    }
    expect((await batches(test().db))[0]?.error).toBe(
      "it could only go out at 2026-12-02T16:02:00.000Z, 362 minutes after its send time, past delivery.maxLatenessMinutes (360)",
    );
    expect(await emulatedSends(emulator())).toEqual([]);
    expect(report.campaigns[0]).toMatchObject({
      expired: 3,
      sent: 0,
      late: 0,
      firstSendTime: null,
      state: "delivered_with_problems",
    });
    expect(report.steps.find((s) => s.step === "deliver")?.counts).toMatchObject({ expired: 3 });
    // The next run does not try them again.
    await run();
    expect(await emulatedSends(emulator())).toEqual([]);
  });

  it("the limit counts from the send time whatever the cause: a batch the budget pushes past it expires", async () => {
    const { run } = await setUp({ budget: 10_000, runAt: `${NIGHT}T15:59:00Z` });
    const report = await run();
    const rows = await batches(test().db);
    // 16:00 is exactly 360 minutes late and holds the whole budget; the 2,000 would need 16:30.
    expect(rows.map((b) => [b.state, b.send_at, b.late_minutes])).toEqual([
      ["sent", at("16:00:00"), 360],
      ["sent", at("16:00:00"), 360],
      ["expired", at("10:30:00"), 0],
    ]);
    expect(rows[2]?.error).toBe(
      "it could only go out at 2026-12-02T16:30:00.000Z, 390 minutes after its send time, past delivery.maxLatenessMinutes (360)",
    );
    await expectSentAtSlots(10_000);
    expect(report.campaigns[0]).toMatchObject({
      sent: 2,
      late: 2,
      expired: 1,
      state: "delivered_with_problems",
    });
  });

  it("a late batch that SFMC did not take gives its minute back to the batches after it", async () => {
    const { run } = await setUp({ budget: 10_000, runAt: `${NIGHT}T10:20:30Z` });
    // The first batch's five attempts are throttled; the others go through.
    await addFault(emulator(), {
      kind: "rateLimited",
      route: "send",
      times: 5,
      retryAfterSeconds: 1,
    });
    const report = await run();
    expect(report.status).toBe("completed");
    const rows = await batches(test().db);
    expect(rows.map((b) => [b.state, b.send_at, b.late_minutes])).toEqual([
      ["failed", at("10:22:00"), 22],
      ["sent", at("10:22:00"), 22],
      ["sent", at("10:30:00"), 30],
    ]);
    await expectSentAtSlots(10_000);
  });

  it("handOverLeadMinutes: each batch is handed over that long before its SendTime", async () => {
    const { run } = await setUp({
      budget: 5000,
      config: (c) => {
        c.delivery.handOverLeadMinutes = 10;
      },
    });
    const report = await run();
    expect(report.status).toBe("completed");
    const sends = await expectSentAtSlots(5000);
    expect(sends.map((s) => [s.acceptedAt, s.requestedAt])).toEqual([
      [at("09:50:00").toISOString(), at("10:00:00").toISOString()],
      [at("10:20:00").toISOString(), at("10:30:00").toISOString()],
      [at("10:50:00").toISOString(), at("11:00:00").toISOString()],
    ]);
    // The budget put the second and third batch after the send time: late, but not by the lead.
    expect((await batches(test().db)).map((b) => b.late_minutes)).toEqual([0, 30, 60]);
    expect(report.campaigns[0]).toMatchObject({ sent: 3, late: 2, state: "delivered" });
  });

  it("a campaign paused between hand-overs: the batches not handed over yet expire, naming the pause", async () => {
    const n = await setUp({
      budget: 5000,
      config: (c) => {
        c.delivery.handOverLeadMinutes = 10;
      },
    });
    const app = n.f.t.app;
    // The operator pauses the campaign once the first batch is out, while the run waits for the
    // next hand-over: the run's wait holds until the pause is committed.
    let pausing: Promise<unknown> | null = null;
    const sleep = app.clock.sleep.bind(app.clock);
    (app.clock as { sleep: typeof sleep }).sleep = async (ms, signal) => {
      await pausing;
      await sleep(ms, signal);
    };
    const report = await n.run({
      reached: (point) => {
        if (point === "batch-result" && pausing === null)
          pausing = changeCampaignStatus(app, cliActor(), n.campaignId, "pause");
      },
    });
    expect(report.status).toBe("completed");
    const rows = await batches(test().db);
    expect(rows.map((b) => [b.state, b.error])).toEqual([
      ["sent", null],
      ["expired", "the campaign was paused before this batch was handed over"],
      ["expired", "the campaign was paused before this batch was handed over"],
    ]);
    const sends = await expectSentAtSlots(5000);
    expect(sends.map((s) => s.acceptedAt)).toEqual([at("09:50:00").toISOString()]);
    expect(report.campaigns[0]).toMatchObject({
      sent: 1,
      expired: 2,
      state: "delivered_with_problems",
    });
  });
});
