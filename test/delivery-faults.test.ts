// The nightly delivery against SFMC faults, in-process on one clock: throttling, blocking and
// unavailability are waited out (or, when they last, leave the batch failed and retryable, re-sent
// by the next run); a refusal fails for good; a 500, a cut connection or a timeout leave the batch
// unknown and it is never sent again; an expired token is renewed once. Whatever happens, the
// night completes, no rolling window exceeds the send budget and no key is received twice.
import { afterEach, expect, it } from "vitest";
import { call, useEmulator } from "../emulator/test-helpers.ts";
import type { NightReport } from "../src/delivery/night-report.ts";
import {
  addFault,
  batches,
  faults,
  fullestWindow,
  NIGHT,
  type OneCampaignNight,
  oneCampaignNight,
} from "./helpers/delivery.ts";
import { describeEachEngine } from "./helpers/engines.ts";
import { type EmulatedSend, emulatedSends } from "./helpers/night.ts";

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
/** How the emulator waits out a `slow` fault; a test may hold it instead. */
let emulatorSleep = realSleep;
/** Lets a held `slow` call go on (so a failed test leaves no call hanging in the emulator). */
let release = () => {};
const emulator = useEmulator({ sleep: (ms) => emulatorSleep(ms) });

/** 12,000 keys: batches of 5,000 and 5,000 at 10:00 and 2,000 at 10:30 in a 10,000 budget. */
const CUSTOMERS = 12_000;
const BUDGET = 10_000;
/** A send timeout short enough for a test to outlast. */
const SEND_TIMEOUT_MS = 2000;
const START = Date.parse(`${NIGHT}T02:00:00Z`);

describeEachEngine("delivery faults", (test) => {
  let night: OneCampaignNight | undefined;
  afterEach(async () => {
    emulatorSleep = realSleep;
    release();
    await night?.close();
    night = undefined;
  });

  async function setUp(): Promise<OneCampaignNight> {
    night = await oneCampaignNight(test().db, emulator(), {
      customers: CUSTOMERS,
      budget: BUDGET,
      sfmcClient: { timeouts: { sendMs: SEND_TIMEOUT_MS } },
    });
    return night;
  }

  /** The night completed within the budget, and no key reached SFMC twice. */
  async function expectWholeNight(report: NightReport): Promise<EmulatedSend[]> {
    expect(report.status).toBe("completed");
    expect(report.steps.find((s) => s.step === "deliver")?.status).toBe("completed");
    const sends = await emulatedSends(emulator());
    for (const send of sends) expect(send.budgetDelaySeconds).toBe(0);
    expect(fullestWindow(sends)).toBeLessThanOrEqual(BUDGET);
    const keys = sends.flatMap((s) => s.subscriberKeys);
    expect(keys).toHaveLength(new Set(keys).size);
    return sends;
  }

  const everyKey = () =>
    Array.from({ length: CUSTOMERS }, (_, i) => `C${String(i + 1).padStart(6, "0")}`).sort();
  const received = (sends: EmulatedSend[]) => sends.flatMap((s) => s.subscriberKeys).sort();

  it.each([
    ["429 with Retry-After", { kind: "rateLimited", retryAfterSeconds: 7 }, 14],
    [
      "429 50100 without Retry-After (backs off 0.5 s, then 1 s)",
      { kind: "rateLimited", retryAfterSeconds: null },
      1.5,
    ],
    ["429 50200 without Retry-After (the account pauses 30 s, then 60 s)", { kind: "blocked" }, 90],
    ["503", { kind: "unavailable", retryAfterSeconds: 4 }, 8],
  ])(
    "%s twice, then accepted: every batch sent once, after the waits",
    async (_, fault, waited) => {
      const { run } = await setUp();
      await addFault(emulator(), { ...fault, route: "send", times: 2 });
      const report = await run();
      const sends = await expectWholeNight(report);
      expect((await faults(emulator()))[0]?.hits).toBe(2);
      expect((await batches(test().db)).map((b) => [b.state, b.attempts])).toEqual([
        ["sent", 1],
        ["sent", 1],
        ["sent", 1],
      ]);
      expect(received(sends)).toEqual(everyKey());
      // The first batch went out only once the waits SFMC asked for (plus up to 20% jitter) were over.
      const first = Math.min(...sends.map((s) => Date.parse(s.acceptedAt)));
      expect(first - START).toBeGreaterThanOrEqual(waited * 1000);
      expect(first - START).toBeLessThanOrEqual(waited * 1200 + 1000);
    },
  );

  it.each([
    ["429 with Retry-After", { kind: "rateLimited", retryAfterSeconds: 2 }, "429"],
    ["429 without Retry-After", { kind: "rateLimited", retryAfterSeconds: null }, "429 (50100)"],
    ["429 50200", { kind: "blocked" }, "429 (50200)"],
    ["503", { kind: "unavailable", retryAfterSeconds: 2 }, "503"],
  ])(
    "%s on every call: the batches fail retryable, and the next run sends them once",
    async (_, fault, status) => {
      const { run } = await setUp();
      await addFault(emulator(), { ...fault, route: "send" });
      const first = await run();
      expect(await expectWholeNight(first)).toEqual([]);
      const failed = await batches(test().db);
      for (const batch of failed) {
        expect(batch).toMatchObject({ state: "failed", retryable: true, token_id: null });
        expect(batch.error).toContain(`SFMC answered ${status}`);
      }
      expect(first.campaigns[0]).toMatchObject({
        failed: 3,
        sent: 0,
        state: "delivered_with_problems",
      });
      // Five attempts per batch.
      expect((await faults(emulator()))[0]?.hits).toBe(15);

      await call(emulator(), "DELETE", "_emulator/faults");
      const second = await run();
      const sends = await expectWholeNight(second);
      expect(received(sends)).toEqual(everyKey());
      const after = await batches(test().db);
      expect(after.map((b) => [b.state, b.attempts, b.error])).toEqual([
        ["sent", 2, null],
        ["sent", 2, null],
        ["sent", 2, null],
      ]);
      expect(second.campaigns[0]).toMatchObject({ sent: 3, failed: 0, state: "delivered" });
    },
  );

  it("a refusal (the message is no longer active) fails for good: not sent by the next run", async () => {
    const { run, messageId } = await setUp();
    const message = () => {
      const found = emulator().store.tenant.businessUnit(100).messages.get(messageId);
      if (!found) throw new Error(`no message ${messageId} in the emulator`);
      return found;
    };
    // After the night's sync and freeze, so that only the sends meet it.
    const report = await run({
      reached: (point) => {
        if (point === "frozen") message().definition.status = 1;
      },
    });
    expect(await expectWholeNight(report)).toEqual([]);
    for (const batch of await batches(test().db)) {
      expect(batch).toMatchObject({ state: "failed", retryable: false });
      expect(batch.error).toContain("is not set to Active");
    }
    expect(report.campaigns[0]).toMatchObject({ failed: 3, state: "delivered_with_problems" });
    message().definition.status = 2;
    const again = await run();
    expect(await expectWholeNight(again)).toEqual([]);
    expect((await batches(test().db)).map((b) => [b.state, b.attempts])).toEqual([
      ["failed", 1],
      ["failed", 1],
      ["failed", 1],
    ]);
  });

  it("a 500 leaves the batch unknown, never sent again; SFMC did not take it", async () => {
    const { run } = await setUp();
    await addFault(emulator(), { kind: "serverError", route: "send", times: 1 });
    const report = await run();
    const sends = await expectWholeNight(report);
    const [unknown, ...rest] = await batches(test().db);
    expect(unknown).toMatchObject({ state: "unknown", token_id: null });
    expect(unknown?.error).toContain("SFMC answered 500");
    expect(rest.map((b) => b.state)).toEqual(["sent", "sent"]);
    expect(report.unknownBatches).toBe(1);
    expect(report.campaigns[0]).toMatchObject({
      unknownBatches: 1,
      sent: 2,
      state: "delivered_with_problems",
    });
    const unknownKeys = new Set(unknown?.contact_keys);
    expect(sends).toHaveLength(2);
    expect(received(sends).some((key) => unknownKeys.has(key))).toBe(false);

    const again = await run();
    expect(await expectWholeNight(again)).toHaveLength(2);
    expect(again.unknownBatches).toBe(1);
    expect((await batches(test().db))[0]).toMatchObject({ state: "unknown", attempts: 1 });
  });

  it("a connection cut after SFMC took the send: unknown, and its keys are received once", async () => {
    const { run } = await setUp();
    await addFault(emulator(), { kind: "dropConnection", route: "send", times: 1 });
    const report = await run();
    const sends = await expectWholeNight(report);
    const rows = await batches(test().db);
    expect(rows.map((b) => b.state)).toEqual(["unknown", "sent", "sent"]);
    expect(rows[0]?.error).toContain("may have reached SFMC");
    expect(report.unknownBatches).toBe(1);
    // The emulator took all three, the one without an answer too.
    expect(received(sends)).toEqual(everyKey());

    const again = await run();
    expect(received(await expectWholeNight(again))).toEqual(everyKey());
    expect(again.unknownBatches).toBe(1);
  });

  it("a token that expires mid-run is renewed once and every batch is sent", async () => {
    const { run } = await setUp();
    const tokens = () => [...emulator().store.tokens.values()].filter((t) => t.mid === 100).length;
    const before = tokens();
    await addFault(emulator(), { kind: "expireToken", route: "send", every: 2, times: 1 });
    const report = await run();
    const sends = await expectWholeNight(report);
    expect((await faults(emulator()))[0]?.hits).toBe(1);
    expect(tokens() - before).toBe(1);
    expect((await batches(test().db)).map((b) => b.state)).toEqual(["sent", "sent", "sent"]);
    expect(received(sends)).toEqual(everyKey());
  });

  it("slow answers within the send timeout are waited for", async () => {
    const { run } = await setUp();
    await addFault(emulator(), { kind: "slow", route: "send", delayMs: 150 });
    const report = await run();
    expect(received(await expectWholeNight(report))).toEqual(everyKey());
    expect((await batches(test().db)).map((b) => b.state)).toEqual(["sent", "sent", "sent"]);
  });

  it("an answer later than the send timeout leaves the batch unknown, never sent again", async () => {
    const { run } = await setUp();
    emulatorSleep = () => new Promise<void>((resolve) => (release = resolve));
    await addFault(emulator(), { kind: "slow", route: "send", times: 1 });
    const report = await run();
    await expectWholeNight(report);
    const rows = await batches(test().db);
    expect(rows.map((b) => b.state)).toEqual(["unknown", "sent", "sent"]);
    expect(rows[0]?.error).toContain("no answer before the timeout");
    expect(report.unknownBatches).toBe(1);
    // SFMC gets to it late, and takes it.
    release();
    while ((await emulatedSends(emulator())).length < 3) await realSleep(10);
    const again = await run();
    expect(received(await expectWholeNight(again))).toEqual(everyKey());
    expect((await batches(test().db))[0]).toMatchObject({ state: "unknown", attempts: 1 });
  });
});
