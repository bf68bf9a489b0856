import { describe, expect, it } from "vitest";
import type { NightjarConfig } from "../config/schema.ts";
import { nextRunAfter } from "./scheduler.ts";

const at = (nightlyAt: string, timeZone: string) => ({
  config: { schedule: { nightlyAt, timeZone, requireFreshData: false } } as NightjarConfig,
});

describe("nextRunAfter", () => {
  it("is today's nightlyAt in the zone while it is ahead, else tomorrow's", () => {
    const app = at("02:00", "America/New_York");
    expect(nextRunAfter(app, new Date("2026-12-01T06:59:00Z"))).toEqual({
      date: "2026-12-01",
      at: new Date("2026-12-01T07:00:00Z"),
    });
    expect(nextRunAfter(app, new Date("2026-12-01T07:00:00Z"))).toEqual({
      date: "2026-12-02",
      at: new Date("2026-12-02T07:00:00Z"),
    });
  });

  it("starts a night whose nightlyAt falls in a DST gap where the night's window begins", () => {
    // 02:30 does not exist in Berlin on 2027-03-28; the night's window (occurrences.ts) starts
    // at 03:30 CEST, the same shift forward as a send time in the gap.
    const app = at("02:30", "Europe/Berlin");
    expect(nextRunAfter(app, new Date("2027-03-27T12:00:00Z"))).toEqual({
      date: "2027-03-28",
      at: new Date("2027-03-28T01:30:00Z"),
    });
    expect(nextRunAfter(app, new Date("2027-03-28T01:30:00Z"))).toEqual({
      date: "2027-03-29",
      at: new Date("2027-03-29T00:30:00Z"),
    });
    // The repeated hour in October: once, at the first 02:30 (CEST).
    expect(nextRunAfter(app, new Date("2027-10-30T12:00:00Z"))).toEqual({
      date: "2027-10-31",
      at: new Date("2027-10-31T00:30:00Z"),
    });
  });
});
