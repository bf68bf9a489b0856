import { describe, expect, it } from "vitest";
import { clockRangeProblem, EmulatorClock } from "./clock.ts";
import { ClockRangeError } from "./errors.ts";

const JUNE = Date.parse("2026-06-01T08:00:00Z");
const LATEST = Date.parse("9999-12-31T23:59:59.999Z");

describe("EmulatorClock", () => {
  it("refuses a move that would leave 1970–9999 or land on no time, and stays where it was", () => {
    for (const mode of ["real", "frozen"] as const) {
      const clock = new EmulatorClock({ mode, frozenAt: JUNE }, () => JUNE);
      const before = clock.state();
      for (const ms of [1e12 * 86_400_000, Number.NaN, Number.POSITIVE_INFINITY, -JUNE - 1])
        expect(() => clock.advance(ms), `${mode} advance ${ms}`).toThrow(ClockRangeError);
      for (const at of [LATEST + 1, -1, Number.NaN, 8.64e15 + 1])
        expect(() => clock.set(at), `${mode} set ${at}`).toThrow(ClockRangeError);
      expect(clock.state()).toEqual(before);
      expect(clock.now()).toBe(JUNE);
      clock.set(LATEST);
      expect(new Date(clock.now()).toISOString()).toBe("9999-12-31T23:59:59.999Z");
      clock.set(0);
      expect(new Date(clock.now()).toISOString()).toBe("1970-01-01T00:00:00.000Z");
    }
  });

  it("refuses a state outside 1970–9999, from the constructor or restore, changing nothing", () => {
    expect(() => new EmulatorClock({ mode: "frozen", frozenAt: 1e17 })).toThrow(ClockRangeError);
    expect(() => new EmulatorClock({ offsetMs: Number.NaN })).toThrow(ClockRangeError);
    const clock = new EmulatorClock({ mode: "frozen", frozenAt: JUNE });
    expect(() => clock.restore({ mode: "real", offsetMs: 1e17 })).toThrow(ClockRangeError);
    expect(clock.state()).toEqual({ mode: "frozen", offsetMs: 0, frozenAt: JUNE });
  });

  it("undoes every step of an atomic change that throws", () => {
    const clock = new EmulatorClock({ mode: "frozen", frozenAt: JUNE }, () => JUNE + 5_000);
    expect(() =>
      clock.atomically(() => {
        clock.resume();
        clock.advance(60_000);
        clock.advance(1e20);
      }),
    ).toThrow(ClockRangeError);
    expect(clock.state()).toEqual({ mode: "frozen", offsetMs: 0, frozenAt: JUNE });
  });
});

describe("clockRangeProblem", () => {
  it("names the year the move would reach, or says there is none", () => {
    expect(clockRangeProblem(JUNE)).toBeNull();
    expect(clockRangeProblem(LATEST + 1)).toBe("would move the clock to year 10000, beyond 9999");
    expect(clockRangeProblem(Date.parse("1969-12-31T23:59:59.999Z"))).toBe(
      "would move the clock to year 1969, before 1970",
    );
    // Beyond what a Date holds, an estimate from the average Gregorian year.
    expect(clockRangeProblem(JUNE + 1e12 * 86_400_000)).toBe(
      "would move the clock to year 2737909033, beyond 9999",
    );
    expect(clockRangeProblem(Number.NEGATIVE_INFINITY)).toBe(
      "would move the clock infinitely far, before 1970",
    );
    expect(clockRangeProblem(Number.NaN)).toBe("would leave the clock at no valid time");
  });
});
