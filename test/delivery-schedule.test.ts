// serve's nightly schedule, in-process on a clock the test moves: at start-up the night missed
// while serve was down, then every day at schedule.nightlyAt in schedule.timeZone; another run
// holding the lock is logged and the schedule goes on; a restart catches up the night it lost;
// closing ends the wait at once.
import { afterEach, beforeEach, expect, it } from "vitest";
import { useEmulator } from "../emulator/test-helpers.ts";
import { cliActor } from "../src/audit/audit.ts";
import { createCampaign } from "../src/campaigns/campaigns.ts";
import type { Clock } from "../src/clock.ts";
import { takeRunLock } from "../src/delivery/run-lock.ts";
import { latestDueRunDate, startNightlySchedule } from "../src/delivery/scheduler.ts";
import { type CampaignFixture, campaignFixture } from "./helpers/campaigns.ts";
import { describeEachEngine } from "./helpers/engines.ts";
import { emulatedSends } from "./helpers/night.ts";

const emulator = useEmulator();

/**
 * The emulator's clock, whose waits last until the test moves it past their end (a test clock
 * would jump ahead by itself, and the schedule would run night after night at once).
 */
function heldClock(at: () => number, set: (ms: number) => void) {
  const waiters: { until: number; resolve: () => void }[] = [];
  const clock: Clock = {
    now: () => new Date(at()),
    sleep: (ms, signal) =>
      new Promise<void>((resolve, reject) => {
        signal?.throwIfAborted();
        const waiter = { until: at() + ms, resolve };
        waiters.push(waiter);
        signal?.addEventListener(
          "abort",
          () => {
            waiters.splice(waiters.indexOf(waiter), 1);
            reject(signal.reason);
          },
          { once: true },
        );
      }),
    close: () => {},
  };
  return {
    clock,
    /** Sets the time and ends every wait that is over by then. */
    set(iso: string) {
      set(Date.parse(iso));
      for (const w of waiters.splice(0))
        if (w.until <= at()) w.resolve();
        else waiters.push(w);
    },
    waiting: () => waiters.length,
  };
}

async function until(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 2000; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describeEachEngine("serve's nightly schedule", (test) => {
  let f: CampaignFixture;
  let held: ReturnType<typeof heldClock>;
  beforeEach(async () => {
    const e = emulator();
    held = heldClock(
      () => e.clock.now(),
      (ms) => e.clock.set(ms),
    );
    held.set("2026-12-02T00:30:00Z");
    f = await campaignFixture(test().db, e, {
      clock: held.clock,
      config: (c) => {
        c.schedule.nightlyAt = "01:30";
        c.schedule.timeZone = "Europe/Berlin";
      },
    });
    await f.customers(100);
    const everyone = await f.everyone();
    await createCampaign(
      f.t.app,
      cliActor(),
      f.campaignBody(everyone, { schedule: { type: "daily", start: "2026-12-01" } }),
    );
  });
  afterEach(async () => {
    await f.t.close();
  });
  const runs = () =>
    test()
      .db.kysely.selectFrom("nightly_runs")
      .select(["id", "run_date", "status", "trigger"])
      .orderBy("id")
      .execute();

  it("catches up the missed night, runs every day at nightlyAt in its zone, logs a busy lock, and stops at once", async () => {
    // 01:30 in Berlin is 00:30 UTC: the night of 2026-12-02 is due, and never ran.
    expect(latestDueRunDate(f.t.app)).toBe("2026-12-02");
    const schedule = startNightlySchedule(f.t.app);
    await until(() => schedule.nextAt !== null, "the catch-up run");
    expect(await runs()).toEqual([
      expect.objectContaining({ run_date: "2026-12-02", status: "completed", trigger: "schedule" }),
    ]);
    expect(schedule.nextAt?.toISOString()).toBe("2026-12-03T00:30:00.000Z");
    const sends = (await emulatedSends(emulator())).length;
    expect(sends).toBe(1);
    // Not yet: nothing runs a minute early.
    held.set("2026-12-03T00:29:00Z");
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await runs()).toHaveLength(1);
    held.set("2026-12-03T00:30:00Z");
    await until(
      async () => (await runs()).length === 2 && schedule.nextAt !== null,
      "the night of 12-03",
    );
    expect((await runs())[1]).toMatchObject({
      run_date: "2026-12-03",
      status: "completed",
      trigger: "schedule",
    });
    expect(await emulatedSends(emulator())).toHaveLength(sends + 1);
    expect(schedule.nextAt?.toISOString()).toBe("2026-12-04T00:30:00.000Z");

    // Someone else's run holds the lock: logged, and the next night is scheduled all the same.
    const lock = await takeRunLock(f.t.app, "nightjar run");
    held.set("2026-12-04T00:30:00Z");
    await until(
      () => schedule.nextAt?.toISOString() === "2026-12-05T00:30:00.000Z",
      "the next night",
    );
    await lock.release();
    expect(await runs()).toHaveLength(2);
    expect(f.t.logLines.some((l) => l.includes("another nightly run holds the run lock"))).toBe(
      true,
    );
    const closing = schedule.close();
    await closing;
    expect(schedule.nextAt).toBe(null);

    // Started again later the same day, it catches up the night the busy lock cost.
    held.set("2026-12-04T09:00:00Z");
    const again = startNightlySchedule(f.t.app);
    await until(() => again.nextAt !== null, "the second catch-up");
    expect((await runs()).map((r) => r.run_date)).toEqual([
      "2026-12-02",
      "2026-12-03",
      "2026-12-04",
    ]);
    await again.close();
    // A completed night is not run again at start-up.
    const third = startNightlySchedule(f.t.app);
    await until(() => third.nextAt !== null, "the third start");
    expect(await runs()).toHaveLength(3);
    await third.close();
    expect(held.waiting()).toBe(0);
  });
});
