import { describe, expect, it } from "vitest";
import { formatSendTime, parseCstDate } from "./sfmc-time.ts";

describe("SFMC's UTC-6", () => {
  it("writes SendTime as yyyy-MM-dd HH:mm six hours behind UTC, all year, seconds dropped", () => {
    expect(formatSendTime(new Date("2026-06-01T18:30:59Z"))).toBe("2026-06-01 12:30");
    expect(formatSendTime(new Date("2026-01-15T18:30:00Z"))).toBe("2026-01-15 12:30");
    expect(formatSendTime(new Date("2026-03-01T03:05:00Z"))).toBe("2026-02-28 21:05");
    expect(() => formatSendTime(new Date("nope"))).toThrow(RangeError);
  });

  it("reads SFMC dates without offset as UTC-6, with or without seconds and fractions", () => {
    expect(parseCstDate("2012-8-21T11:57:19.247")?.toISOString()).toBe("2012-08-21T17:57:19.247Z");
    expect(parseCstDate("2018-04-04T09:48:16")?.toISOString()).toBe("2018-04-04T15:48:16.000Z");
    expect(parseCstDate("2017-06-26T12:14:03.45")?.toISOString()).toBe("2017-06-26T18:14:03.450Z");
    expect(parseCstDate("2026-12-31T20:00")?.toISOString()).toBe("2027-01-01T02:00:00.000Z");
    expect(parseCstDate("2026-06-01T08:00:00Z")).toBeNull();
    expect(parseCstDate("yesterday")).toBeNull();
    expect(parseCstDate(undefined)).toBeNull();
  });
});
