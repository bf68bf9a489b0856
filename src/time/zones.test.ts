import { describe, expect, it } from "vitest";
import { TestClock } from "../clock.ts";
import {
  addDays,
  daysBetween,
  isCalendarDate,
  isTimeZone,
  localDate,
  localTimeToInstant,
  startOfLocalDay,
  todayIn,
} from "./zones.ts";

describe("time zones", () => {
  it("tells real calendar days and known zones", () => {
    expect(isCalendarDate("2028-02-29")).toBe(true);
    for (const bad of ["2027-02-29", "2026-13-01", "2026-1-01", "yesterday", "2026-06-01T00:00"])
      expect(isCalendarDate(bad), bad).toBe(false);
    expect(isTimeZone("Europe/Berlin")).toBe(true);
    expect(isTimeZone("UTC")).toBe(true);
    expect(isTimeZone("Mars/Olympus")).toBe(false);
  });

  it("gives today's date in a zone by the clock, across the date line", () => {
    const clock = new TestClock("2026-12-31T23:30:00Z");
    expect(todayIn("UTC", clock)).toBe("2026-12-31");
    expect(todayIn("Pacific/Auckland", clock)).toBe("2027-01-01");
    expect(todayIn("America/Los_Angeles", clock)).toBe("2026-12-31");
    expect(localDate(new Date("2026-06-01T03:59:00Z"), "America/New_York")).toBe("2026-05-31");
  });

  it("turns a local date and time into an instant, through daylight-saving changes", () => {
    expect(localTimeToInstant("2026-06-01", "18:00", "Europe/Berlin").toISOString()).toBe(
      "2026-06-01T16:00:00.000Z",
    );
    expect(localTimeToInstant("2026-12-01", "18:00", "Europe/Berlin").toISOString()).toBe(
      "2026-12-01T17:00:00.000Z",
    );
    // 02:30 does not exist on 2026-03-29 in Berlin (clocks jump from 02:00 to 03:00).
    expect(localTimeToInstant("2026-03-29", "02:30", "Europe/Berlin").toISOString()).toBe(
      "2026-03-29T01:30:00.000Z",
    );
    // 02:30 happens twice on 2026-10-25 in Berlin: the first one (summer time) counts.
    expect(localTimeToInstant("2026-10-25", "02:30", "Europe/Berlin").toISOString()).toBe(
      "2026-10-25T00:30:00.000Z",
    );
    expect(startOfLocalDay("2026-06-01", "Asia/Tokyo").toISOString()).toBe(
      "2026-05-31T15:00:00.000Z",
    );
    expect(() => localTimeToInstant("2026-02-30", "10:00", "UTC")).toThrow(RangeError);
    expect(() => localTimeToInstant("2026-02-01", "24:00", "UTC")).toThrow(RangeError);
  });

  it("counts calendar days", () => {
    expect(addDays("2026-02-27", 2)).toBe("2026-03-01");
    expect(addDays("2026-03-01", -1)).toBe("2026-02-28");
    expect(daysBetween("2026-01-01", "2026-12-31")).toBe(364);
    expect(daysBetween("2026-03-01", "2026-02-28")).toBe(-1);
  });
});
