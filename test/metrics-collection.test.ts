// The daily collection of send metrics against the emulator, on one clock: a night sends three
// batches, then the nights of the next nine days ask SFMC for each batch's delivery report once
// a day for days 1 … 7 and never after; a faulty day leaves failed rows and the night completes;
// a second collection the same day asks only what failed; `now` refreshes.
import { afterEach, beforeEach, expect, it } from "vitest";
import { DEMO_CLIENT } from "../emulator/demo-tenant.ts";
import { injectFetch } from "../emulator/inject-fetch.ts";
import { call, useEmulator } from "../emulator/test-helpers.ts";
import { cliActor } from "../src/audit/audit.ts";
import { createCampaign } from "../src/campaigns/campaigns.ts";
import { EXIT_CODES } from "../src/cli/main.ts";
import type { NightReport } from "../src/delivery/night-report.ts";
import { runNight } from "../src/delivery/nightly-run.ts";
import { collectSendMetrics, type MetricsCollection } from "../src/metrics/collect.ts";
import { campaignMetrics, occurrenceMetrics } from "../src/metrics/send-metrics.ts";
import { addDays } from "../src/time/zones.ts";
import type { CampaignFixture } from "./helpers/campaigns.ts";
import { cli, onlyJson } from "./helpers/cli.ts";
import { describeEachEngine } from "./helpers/engines.ts";
import { tempFolder } from "./helpers/files.ts";
import { cliConfig, nightFixture, type sharedClock } from "./helpers/night.ts";

const emulator = useEmulator();
const folder = tempFolder({ config: cliConfig() });
const SEND_DATE = "2026-12-02";

/** Every call the app made to a deliveries route, by URL. */
function countingFetch(inner: typeof fetch, calls: string[]): typeof fetch {
  return (input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    if (url.includes("/deliveries/")) calls.push(url);
    return inner(input, init);
  };
}

describeEachEngine("the collection of send metrics", (test) => {
  let f: CampaignFixture & { clock: ReturnType<typeof sharedClock> };
  let campaignId: number;
  let calls: string[];
  beforeEach(async () => {
    calls = [];
    f = await nightFixture(test().db, emulator(), {
      now: `${SEND_DATE}T02:00:00Z`,
      fetch: countingFetch(injectFetch(emulator().app), calls),
    });
    // 12,000 customers less a 10% control: three batches of at most 5,000.
    await f.customers(12_000);
    const everyone = await f.everyone();
    campaignId = (
      await createCampaign(
        f.t.app,
        cliActor(),
        f.campaignBody(everyone, { name: "Big", controlGroupPercent: 10 }),
      )
    ).campaign.id;
    const report = await runNight(f.t.app, { date: SEND_DATE, trigger: "cli", actor: cliActor() });
    expect(report.status).toBe("completed");
    expect(report.steps.find((s) => s.step === "metrics")).toMatchObject({ status: "skipped" });
  });
  afterEach(async () => {
    await f.t.close();
  });

  const night = async (day: number): Promise<NightReport> => {
    const date = addDays(SEND_DATE, day);
    f.clock.set(`${date}T02:30:00Z`);
    const report = await runNight(f.t.app, { date, trigger: "cli", actor: cliActor() });
    expect(report.status).toBe("completed");
    return report;
  };
  const metricsStep = (report: NightReport) => report.steps.find((s) => s.step === "metrics");
  const rows = (day: number) =>
    test()
      .db.kysely.selectFrom("batch_deliveries")
      .selectAll()
      .where("day", "=", day)
      .orderBy("batch_id")
      .execute();
  const fault = () =>
    call(emulator(), "POST", "_emulator/faults", {
      body: { kind: "serverError", route: "deliveries" },
    });
  const noFaults = () => call(emulator(), "DELETE", "_emulator/faults");

  it("asks for each batch's report once a day on days 1 … 7, keeps failures, and then stops", async () => {
    const app = f.t.app;
    const batches = await test()
      .db.kysely.selectFrom("send_batches")
      .select(["id", "token_id", "size", "occurrence_id"])
      .where("state", "=", "sent")
      .orderBy("id")
      .execute();
    expect(batches).toHaveLength(3);
    const ids = batches.map((b) => b.id);
    const sends = (await call(emulator(), "GET", "_emulator/sends?keys=false")).body as {
      items: { tokenId: string; count: number }[];
    };
    const countOf = new Map(sends.items.map((s) => [s.tokenId, s.count]));
    const sfmcCounts = batches.map((b) => countOf.get(b.token_id as string));
    expect(sfmcCounts.every((n) => typeof n === "number" && n > 0)).toBe(true);
    const occurrenceId = batches[0]?.occurrence_id as number;

    // Before any answer: pushed is known, SFMC's count is not.
    const before = await occurrenceMetrics(test().db.kysely, occurrenceId);
    const pushed = batches.reduce((n, b) => n + b.size, 0);
    expect(before).toMatchObject({
      targeted: 12_000,
      pushed,
      count: null,
      sendRate: null,
      sentBatches: 3,
      late: 0,
      expired: 0,
      unknown: 0,
    });
    expect(before.control).toBe(12_000 - pushed);
    expect(before.days.map((d) => [d.day, d.date, d.count])).toEqual(
      [1, 2, 3, 4, 5, 6, 7].map((day) => [day, addDays(SEND_DATE, day), null]),
    );

    // An early refresh on the send date is day 0.
    const early = await collectSendMetrics(app, { now: true });
    expect(early).toMatchObject({ date: SEND_DATE, due: 3, collected: 3, failed: 0 });
    expect((await rows(0)).map((r) => r.ok)).toEqual([true, true, true]);
    expect(calls).toHaveLength(3);

    for (const day of [1, 2]) {
      calls.length = 0;
      const report = await night(day);
      expect(metricsStep(report)).toMatchObject({
        status: "completed",
        counts: { due: 3, collected: 3, failed: 0 },
      });
      expect(calls).toHaveLength(3);
      const stored = await rows(day);
      expect(stored.map((r) => [r.batch_id, r.ok, r.sfmc_status, r.count, r.attempts])).toEqual(
        batches.map((b, i) => [b.id, true, "Finished", sfmcCounts[i], 1]),
      );
      for (const r of stored) {
        expect(r.collected_at.toISOString().slice(0, 10)).toBe(addDays(SEND_DATE, day));
        // SFMC's dates: created when the send was taken, scheduled at its SendTime.
        expect(r.sfmc_created_at).toBeInstanceOf(Date);
        expect(r.sfmc_scheduled_at?.toISOString()).toBe(`${SEND_DATE}T10:00:00.000Z`);
      }
      // A second collection the same day asks nothing.
      calls.length = 0;
      expect(await collectSendMetrics(app)).toMatchObject({ due: 0, collected: 0, failed: 0 });
      expect(calls).toHaveLength(0);
    }

    // `now` asks again whatever was collected today, and overwrites the day's rows.
    const refresh = await collectSendMetrics(app, { now: true, campaignId });
    expect(refresh).toMatchObject({
      due: 3,
      collected: 3,
      byDay: [{ day: 2, due: 3, collected: 3, failed: 0 }],
    });
    expect((await rows(2)).map((r) => r.attempts)).toEqual([2, 2, 2]);

    // Day 3: SFMC fails every deliveries call; the night completes with the failures recorded.
    await fault();
    const faulty = await night(3);
    await noFaults();
    expect(metricsStep(faulty)).toMatchObject({
      status: "completed",
      counts: { due: 3, collected: 0, failed: 3 },
    });
    expect(metricsStep(faulty)?.note).toContain("asked again at the next collection");
    const failed = await rows(3);
    expect(failed.map((r) => [r.batch_id, r.ok, r.count, r.attempts])).toEqual(
      ids.map((id) => [id, false, null, 1]),
    );
    for (const r of failed) expect(r.error).toContain("SFMC answered 500");

    // Day 4 is answered again; day 3 stays as it was (its day is over).
    await night(4);
    expect((await rows(4)).map((r) => r.ok)).toEqual([true, true, true]);
    expect((await rows(3)).map((r) => r.ok)).toEqual([false, false, false]);

    // A refresh that fails keeps the day's answer.
    await night(5);
    await fault();
    const lost = await collectSendMetrics(app, { now: true });
    await noFaults();
    expect(lost).toMatchObject({ due: 3, collected: 0, failed: 3 });
    expect(lost.failures.map((x) => [x.batchId, x.campaignId, x.day])).toEqual(
      ids.map((id) => [id, campaignId, 5]),
    );
    expect((await rows(5)).map((r) => [r.ok, r.count, r.attempts])).toEqual(
      sfmcCounts.map((n) => [true, n, 1]),
    );

    // Day 6 fails at night; the next collection the same day asks only those again.
    await fault();
    await night(6);
    await noFaults();
    calls.length = 0;
    const retried = await collectSendMetrics(app);
    expect(retried).toMatchObject({ due: 3, collected: 3, failed: 0, failures: [] });
    expect(calls).toHaveLength(3);
    expect((await rows(6)).map((r) => [r.ok, r.error, r.count, r.attempts])).toEqual(
      sfmcCounts.map((n) => [true, null, n, 2]),
    );

    await night(7);
    expect((await rows(7)).map((r) => r.ok)).toEqual([true, true, true]);

    // Past day 7 nothing is asked again, not even by a refresh.
    for (const day of [8, 9]) {
      calls.length = 0;
      const report = await night(day);
      expect(metricsStep(report)).toMatchObject({ status: "skipped" });
      expect(await collectSendMetrics(app, { now: true })).toMatchObject({ due: 0 });
      expect(calls).toHaveLength(0);
    }

    const rowCount = await test()
      .db.kysely.selectFrom("batch_deliveries")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow();
    expect(Number(rowCount.n)).toBe(3 * 8);

    const total = sfmcCounts.reduce((n: number, c) => n + (c ?? 0), 0);
    const metrics = await occurrenceMetrics(test().db.kysely, occurrenceId);
    expect(metrics).toMatchObject({ pushed, count: total, sendRate: total / pushed });
    // Day 3 failed: its figure is the latest answer by then (day 2's).
    expect(metrics.days.map((d) => [d.day, d.count, d.sendRate, d.batchesAnswered])).toEqual(
      [1, 2, 3, 4, 5, 6, 7].map((day) => [day, total, total / pushed, 3]),
    );
    expect(await campaignMetrics(test().db.kysely, campaignId)).toEqual([metrics]);
  });

  it("`metrics collect` collects what is due, reports failures with exit code 0, and refreshes with --now", async () => {
    const run = (args: string[], tty = false) =>
      cli(folder.dir(), ["metrics", "collect", ...args], {
        tty,
        db: test().db,
        clock: f.clock,
        fetch: countingFetch(injectFetch(emulator().app), calls),
        env: { SFMC_CLIENT_SECRET: DEMO_CLIENT.clientSecret },
      });
    const sendDay = await run([]);
    expect(sendDay.code, sendDay.stderr).toBe(0);
    expect(sendDay.stdout).toBe(`No delivery report is due on ${SEND_DATE}.\n`);

    f.clock.set(`${addDays(SEND_DATE, 1)}T02:30:00Z`);
    await fault();
    const faulty = await run(["--json"]);
    await noFaults();
    expect(faulty.code, faulty.stderr).toBe(0);
    const failed = onlyJson(faulty) as MetricsCollection;
    expect(failed).toMatchObject({ date: addDays(SEND_DATE, 1), due: 3, collected: 0, failed: 3 });
    expect(failed.failures[0]?.error).toContain("SFMC answered 500");

    calls.length = 0;
    const retried = await run(["--campaign", String(campaignId)]);
    expect(retried.code, retried.stderr).toBe(0);
    expect(retried.stdout).toContain(
      `Collected 3 of 3 delivery reports due on ${addDays(SEND_DATE, 1)}.`,
    );
    expect(calls).toHaveLength(3);
    expect(onlyJson(await run(["--json"]))).toMatchObject({ due: 0 });
    expect(onlyJson(await run(["--now", "--json"]))).toMatchObject({ due: 3, collected: 3 });
    // On a terminal, a progress bar on stderr; the summary on stdout.
    const bar = await run(["--now"], true);
    expect(bar.code, bar.stderr).toBe(0);
    expect(bar.stderr).toContain("delivery reports");
    expect(bar.stdout).toContain("Collected 3 of 3 delivery reports asked again now.");
    // An earlier date: the send date itself is day 0, which only --now asks.
    expect(onlyJson(await run(["--date", SEND_DATE, "--now", "--json"]))).toMatchObject({
      date: SEND_DATE,
      byDay: [{ day: 0, due: 3, collected: 3, failed: 0 }],
    });

    const unknown = await run(["--campaign", "999"]);
    expect(unknown.code).toBe(EXIT_CODES.not_found);
    expect(unknown.stderr).toContain("no campaign #999");

    // Day k is collected on day k: not ahead, neither by hand nor by a run of a future night.
    const ahead = await run(["--date", addDays(SEND_DATE, 3)]);
    expect(ahead.code).toBe(EXIT_CODES.refused);
    expect(ahead.stderr).toContain("it is after today");
    calls.length = 0;
    const future = await runNight(f.t.app, {
      date: addDays(SEND_DATE, 3),
      trigger: "cli",
      actor: cliActor(),
    });
    expect(future.steps.find((s) => s.step === "metrics")).toMatchObject({
      status: "skipped",
      note: `${addDays(SEND_DATE, 3)} is after today: no delivery report is collected`,
    });
    expect(calls).toHaveLength(0);
  });
});
