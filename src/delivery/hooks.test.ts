// NIGHTJAR_TEST_CRASH: which points kill the run, on which visit, and what a bad spec says.
import { describe, expect, it } from "vitest";
import { CrashHookError, crashHooksFromEnv, type HOOK_POINTS, NO_HOOKS } from "./hooks.ts";

/** Hooks from `spec` with a kill that records the point it was reached at. */
function hooks(spec: string | undefined) {
  const kills: string[] = [];
  const visits = new Map<string, number>();
  let current = "";
  const made = crashHooksFromEnv(spec === undefined ? {} : { NIGHTJAR_TEST_CRASH: spec }, () =>
    kills.push(current),
  );
  return {
    made,
    kills,
    reach(point: (typeof HOOK_POINTS)[number], times = 1) {
      for (let i = 0; i < times; i++) {
        const n = (visits.get(point) ?? 0) + 1;
        visits.set(point, n);
        current = `${point}#${n}`;
        made.reached(point);
      }
    },
  };
}

describe("crashHooksFromEnv", () => {
  it("without the variable (or with only blanks) there are no hooks", () => {
    expect(hooks(undefined).made).toBe(NO_HOOKS);
    expect(hooks("  ").made).toBe(NO_HOOKS);
  });

  it("kills the Nth time a point is reached, and only then", () => {
    const h = hooks("batch-write:3");
    h.reach("batch-write", 5);
    h.reach("send-answer", 4);
    expect(h.kills).toEqual(["batch-write#3"]);
  });

  it("counts each point of a list on its own", () => {
    const h = hooks(" frozen:1 , send-answer:2,batch-result:1");
    h.reach("send-answer", 1);
    h.reach("frozen", 2);
    h.reach("send-answer", 2);
    h.reach("batch-result", 1);
    expect(h.kills).toEqual(["frozen#1", "send-answer#2", "batch-result#1"]);
  });

  it.each([
    ["batch-write", "batch-write"],
    ["batch-write:0", "batch-write:0"],
    ["batch-write:-1", "batch-write:-1"],
    ["batch-write:1.5", "batch-write:1.5"],
    ["nowhere:1", "nowhere:1"],
    ["frozen:1, frozen:x", " frozen:x"],
    ["frozen:1,", ""],
  ])("refuses %j, naming the part %j and the points", (spec, part) => {
    const make = () => crashHooksFromEnv({ NIGHTJAR_TEST_CRASH: spec }, () => {});
    expect(make).toThrow(CrashHookError);
    expect(make).toThrow(
      new CrashHookError(
        `NIGHTJAR_TEST_CRASH: "${part}" is not point:N with a point of freeze-write, frozen, batch-write, send-answer, batch-result and N ≥ 1`,
      ),
    );
  });

  it("is a config error (the CLI says what to fix, exit code of a config problem)", () => {
    try {
      crashHooksFromEnv({ NIGHTJAR_TEST_CRASH: "x" }, () => {});
      expect.unreachable();
    } catch (error) {
      expect((error as CrashHookError).kind).toBe("config");
    }
  });
});
