// The nightly run killed (SIGKILL, through NIGHTJAR_TEST_CRASH) at chosen points of the freeze and
// the delivery, again and again, and restarted each time: whatever the kills, no key is ever
// received twice, every test-group key is received or in a batch reported unknown, and a batch is
// unknown only when a kill caught it in flight (its `sending` committed, its outcome not written)
// or when the emulator cut its connection after accepting it. A killed run is continued, not
// begun again: the same run id, its completed steps not redone, its frozen lists not rebuilt.
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from "vitest";
import { call, useEmulator } from "../emulator/test-helpers.ts";
import type { HookPoint } from "../src/delivery/hooks.ts";
import type { NightReport } from "../src/delivery/night-report.ts";
import { onlyJson } from "./helpers/cli.ts";
import {
  BUDGET,
  type CrashNight,
  crashNight,
  NIGHT_STARTS,
  type NightSetup,
  nightTemplate,
  setUpNight,
} from "./helpers/crash.ts";
import {
  faultHits,
  frozenLists,
  type NightState,
  nightState,
  received,
} from "./helpers/crash-state.ts";
import { describeEachEngine } from "./helpers/engines.ts";

const emulator = useEmulator();

/** A run killed by `crash` (NIGHTJAR_TEST_CRASH) at point `at` (the first of its points reached). */
interface Kill {
  crash: string;
  at: HookPoint;
}
const kill = (crash: string, at?: HookPoint): Kill => ({
  crash,
  at: at ?? (crash.split(":")[0] as HookPoint),
});

interface Scenario {
  name: string;
  /** The runs killed, in order; then one run without a kill. */
  kills: Kill[];
  maxInFlight: number;
  /** An emulator fault on sends. */
  fault?: Record<string, unknown>;
}

// The night has six batches (four of "Big", two of "Outlet DE"), handed over in that order; with
// one call in flight the comments say which batch each kill catches. 21 kills in all, on PGlite alone.
const SCENARIOS: Scenario[] = [
  {
    // Nothing frozen, twice; frozen; b1 in flight; b2–b6 sent, killed after the last result.
    name: "twice in the freeze's transaction, after its commit, then at batches",
    maxInFlight: 1,
    kills: [
      kill("freeze-write:1"),
      kill("freeze-write:1"),
      kill("frozen:1"),
      kill("batch-write:1"),
      kill("batch-result:5"),
    ],
  },
  {
    // b1 in flight; b2 answered; b3's result written; b4 sent and b5 in flight; b6 answered.
    name: "at each point of a batch in turn",
    maxInFlight: 1,
    kills: [
      kill("batch-write:1"),
      kill("send-answer:1"),
      kill("batch-result:1"),
      kill("batch-write:2"),
      kill("send-answer:1"),
    ],
  },
  {
    // b1; b2, b3; b4–b6: every batch sent, nothing unknown, the delivery step left running.
    name: "after batch results until every batch is sent",
    maxInFlight: 1,
    kills: [kill("batch-result:1"), kill("batch-result:2"), kill("batch-result:3")],
  },
  {
    // b2 in flight (b1 sent); b3 answered; b4, b5 sent and b6 in flight.
    name: "at the first reached of two points",
    maxInFlight: 1,
    kills: [
      kill("send-answer:3,batch-write:2", "batch-write"),
      kill("batch-result:3,send-answer:1", "send-answer"),
      kill("batch-write:3"),
    ],
  },
  {
    // Four workers commit their `sending` side by side, so when the second batch-write is reached
    // up to three more batches may be committed too (five in all): the next run still has one
    // batch left to answer. (A later kill by count could find nothing left to hand over.)
    name: "with four calls in flight",
    maxInFlight: 4,
    kills: [kill("batch-write:2"), kill("send-answer:1")],
  },
  {
    // b2's connection cut after the emulator accepted it and b3 in flight; b4 answered; b5 in
    // flight; b6 sent by the last run.
    name: "beside a connection the emulator cut after accepting the send",
    maxInFlight: 1,
    fault: { kind: "dropConnection", route: "send", every: 2, times: 1 },
    kills: [kill("batch-write:3"), kill("send-answer:1"), kill("batch-write:1")],
  },
];

const STEPS = [
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
];

const RECOVERED = "the run handing it over stopped during its call";

describeEachEngine("the nightly run killed and restarted", (test) => {
  let template: Awaited<ReturnType<typeof nightTemplate>> | undefined;
  let setup: NightSetup;
  let night: CrashNight | undefined;
  let killed = 0;
  beforeAll(async () => {
    if (test().engine === "pglite") {
      template = await nightTemplate(emulator());
      setup = template.setup;
    }
  }, 120_000);
  afterAll(async () => {
    await template?.dispose();
  });
  beforeEach(async () => {
    await call(emulator(), "PATCH", "_emulator/behaviour", { body: { budget: BUDGET } });
  });
  afterEach(async () => {
    await night?.dispose();
    night = undefined;
  });

  it.each(SCENARIOS)(
    "killed $name: nothing twice, nothing lost unseen",
    async (scenario) => {
      if (test().engine === "postgres") setup = await setUpNight(test().db, emulator());
      emulator().clock.set(Date.parse(NIGHT_STARTS));
      const n = await crashNight(test(), emulator(), {
        template: template?.folder,
        maxInFlight: scenario.maxInFlight,
      });
      night = n;
      if (scenario.fault)
        await call(emulator(), "POST", "_emulator/faults", { body: scenario.fault });
      const single = scenario.maxInFlight === 1;
      /** Batches found `sending` after a kill, with the point of the kill. */
      const inFlight = new Map<number, HookPoint>();
      /** Steps finished before a kill, as the database held them then. */
      const finished = new Map<number, NightState["steps"][number]>();
      let runId: number | undefined;
      let frozen: NightState["occurrences"] | undefined;
      for (const { crash, at } of scenario.kills) {
        const run = await n.run(crash);
        expect(run.signal, run.stderr).toBe("SIGKILL");
        expect(run.code).toBe(null);
        killed += 1;
        const state = await n.look(nightState);
        const sends = await received(emulator());
        // One run, left `running` by each kill and continued by the next run.
        runId ??= state.runs[0]?.id;
        expect(state.runs).toEqual([{ id: runId, status: "running" }]);
        const running = state.steps.filter((s) => s.status === "running").map((s) => s.step);
        expect(running).toEqual([at === "freeze-write" || at === "frozen" ? "freeze" : "deliver"]);
        for (const step of state.steps.filter((s) => s.status !== "running")) {
          const before = finished.get(step.position);
          if (before) expect(step).toEqual(before);
          finished.set(step.position, step);
        }
        // What earlier kills caught in flight was found `sending` and marked unknown, nothing else.
        for (const id of inFlight.keys())
          expect(state.batches.find((b) => b.id === id)?.state).toBe("unknown");
        const sending = state.batches.filter((b) => b.state === "sending");
        if (at === "freeze-write") {
          // The freeze's transaction died with the process: nothing of it is stored.
          expect(state.occurrences).toEqual([]);
          expect(state.batches).toEqual([]);
          expect(state.recipients).toBe(0);
        } else {
          frozen ??= state.occurrences;
          expect(state.occurrences).toHaveLength(setup.campaigns.length);
          expect(state.occurrences).toEqual(frozen);
        }
        if (at === "frozen") {
          expect(state.batches.map((b) => b.state)).toEqual(state.batches.map(() => "planned"));
          expect(sends.sends).toEqual([]);
        }
        if (at === "batch-write" || at === "send-answer") {
          expect(sending.length).toBeGreaterThanOrEqual(1);
          expect(sending.length).toBeLessThanOrEqual(scenario.maxInFlight);
        } else if (single) expect(sending).toEqual([]);
        if (single)
          // Killed before the call: SFMC has nothing of it; after the answer: it has it once.
          for (const batch of sending)
            expect(sends.sendsOf(batch.contact_keys)).toHaveLength(at === "batch-write" ? 0 : 1);
        for (const batch of sending) inFlight.set(batch.id, at);
        // The restart comes a minute later, so a step done again would show a new start.
        emulator().clock.advance(60_000);
      }

      const last = await n.run();
      expect(last.signal).toBe(null);
      expect(last.code, last.stderr).toBe(0);
      const report = onlyJson(last) as NightReport;
      const [state, lists] = await n.look(
        async (db) => [await nightState(db), await frozenLists(db)] as const,
      );
      const sends = await received(emulator());
      expect(report.status).toBe("completed");
      expect(state.runs).toEqual([{ id: report.runId, status: "completed" }]);
      if (runId !== undefined) {
        expect(report.runId).toBe(runId);
        expect(last.stderr).toContain(`Continuing nightly run #${runId} of`);
      }
      expect(report.steps.map((s) => [s.step, s.status])).toEqual(STEPS);
      for (const [position, step] of finished) expect(state.steps[position]).toEqual(step);
      if (frozen) expect(state.occurrences).toEqual(frozen);
      // The lists a clean freeze stores, whatever the freeze went through.
      expect(lists).toEqual(setup.reference);

      // Unknown: exactly the batches caught in flight, and those whose connection was cut.
      const unknown = state.batches.filter((b) => b.state === "unknown");
      const recovered = unknown.filter((b) => b.error?.startsWith(RECOVERED));
      expect(new Set(recovered.map((b) => b.id))).toEqual(new Set(inFlight.keys()));
      const cut = scenario.fault ? await faultHits(emulator()) : 0;
      if (scenario.fault) expect(cut).toBe(1);
      expect(unknown).toHaveLength(recovered.length + cut);
      expect(report.unknownBatches).toBe(unknown.length);
      expect(report.campaigns.reduce((sum, c) => sum + c.unknownBatches, 0)).toBe(unknown.length);
      expect(state.batches).toHaveLength(6);
      let unknownReceived = 0;
      for (const batch of state.batches) {
        const got = sends.sendsOf(batch.contact_keys);
        if (batch.state !== "unknown") {
          expect(batch.state).toBe("sent");
          expect(got.map((s) => s.tokenId)).toEqual([batch.token_id]);
          continue;
        }
        // An unknown batch is never handed over again: SFMC has it once or not at all.
        expect(got.length).toBeLessThanOrEqual(1);
        unknownReceived += got.length;
        const point = inFlight.get(batch.id);
        if (point === undefined)
          expect(got).toHaveLength(1); // the cut connection: accepted
        else if (single) expect(got).toHaveLength(point === "batch-write" ? 0 : 1);
      }
      expect(sends.sends).toHaveLength(
        state.batches.filter((b) => b.state === "sent").length + unknownReceived,
      );
      // Per campaign: no key twice, no control key, every test key received or in an unknown batch.
      for (const campaign of setup.campaigns) {
        const times = sends.times.get(campaign.messageId) ?? new Map<string, number>();
        expect([...times.values()].filter((t) => t !== 1)).toEqual([]);
        const list = setup.reference.get(campaign.id);
        expect(list?.test.size).toBeGreaterThan(0);
        expect([...times.keys()].filter((key) => !list?.test.has(key))).toEqual([]);
        const unseen = new Set(
          unknown
            .filter(
              (b) => b.campaign_id === campaign.id && sends.sendsOf(b.contact_keys).length === 0,
            )
            .flatMap((b) => b.contact_keys),
        );
        const missing = [...(list?.test ?? [])].filter((key) => !times.has(key));
        expect(new Set(missing)).toEqual(unseen);
        const ran = report.campaigns.find((c) => c.id === campaign.id);
        expect(ran?.state).toBe(
          (ran?.unknownBatches ?? 0) > 0 ? "delivered_with_problems" : "delivered",
        );
      }
      // A process costs a second or two to start (PGlite's start-up): several per scenario.
    },
    180_000,
  );

  it("killed the run at least 20 times", () => {
    expect(killed).toBeGreaterThanOrEqual(20);
  });
});
