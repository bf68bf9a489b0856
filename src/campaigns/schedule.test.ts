import { describe, expect, it } from "vitest";
import { nextOccurrenceDate, occurrenceDates, Schedule, sendInstant } from "./schedule.ts";

const parse = (value: unknown) => Schedule.parse(value);

/** The issues of a schedule that does not parse, as "path: message". */
function problems(value: unknown): string[] {
  const result = Schedule.safeParse(value);
  if (result.success) return [];
  return result.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
}

describe("Schedule", () => {
  it("accepts the four kinds", () => {
    expect(parse({ type: "once", date: "2026-06-01" })).toEqual({
      type: "once",
      date: "2026-06-01",
    });
    expect(parse({ type: "daily", start: "2026-06-01" }).type).toBe("daily");
    expect(parse({ type: "weekly", days: ["mon", "thu"], start: "2026-06-01" }).type).toBe(
      "weekly",
    );
    expect(parse({ type: "monthly", day: 31, start: "2026-01-01", end: "2026-12-31" }).type).toBe(
      "monthly",
    );
    expect(parse({ type: "daily", start: "2026-06-01", end: "2026-06-01" }).type).toBe("daily");
  });

  it("refuses bad schedules with messages a marketer can act on", () => {
    expect(problems({ type: "hourly", start: "2026-06-01" })).toEqual([
      'type: type must be one of "once", "daily", "weekly", "monthly"',
    ]);
    expect(problems({ type: "daily", start: "2026-06-10", end: "2026-06-09" })).toEqual([
      "end: must not be before start",
    ]);
    expect(problems({ type: "once", date: "2026-02-30" })).toEqual([
      "date: must be a real calendar date, YYYY-MM-DD",
    ]);
    expect(problems({ type: "weekly", days: [], start: "2026-06-01" })).toEqual([
      "days: must name at least one day of the week",
    ]);
    expect(problems({ type: "weekly", days: ["mon", "mon"], start: "2026-06-01" })).toEqual([
      "days: must not name a day twice",
    ]);
    expect(problems({ type: "weekly", days: ["monday"], start: "2026-06-01" })).toEqual([
      "days.0: must be a day of the week: mon, tue, wed, thu, fri, sat, sun",
    ]);
    for (const day of [0, 32, 1.5])
      expect(problems({ type: "monthly", day, start: "2026-06-01" })[0]).toMatch(/^day: /);
    expect(problems({ type: "once", date: "2026-06-01", end: "2026-06-02" })[0]).toMatch(/end/);
  });
});

describe("occurrenceDates", () => {
  it("gives a once schedule its date only when it is in the range", () => {
    const once = parse({ type: "once", date: "2026-06-01" });
    expect(occurrenceDates(once, "2026-05-01", "2026-06-30")).toEqual(["2026-06-01"]);
    expect(occurrenceDates(once, "2026-06-01", "2026-06-01")).toEqual(["2026-06-01"]);
    expect(occurrenceDates(once, "2026-06-02", "2026-06-30")).toEqual([]);
  });

  it("counts start and end as days of a daily schedule", () => {
    const daily = parse({ type: "daily", start: "2026-06-01", end: "2026-06-03" });
    expect(occurrenceDates(daily, "2026-05-30", "2026-06-10")).toEqual([
      "2026-06-01",
      "2026-06-02",
      "2026-06-03",
    ]);
    expect(occurrenceDates(daily, "2026-06-03", "2026-06-10")).toEqual(["2026-06-03"]);
    expect(occurrenceDates(daily, "2026-06-04", "2026-06-03")).toEqual([]);
    const open = parse({ type: "daily", start: "2026-12-30" });
    expect(occurrenceDates(open, "2026-12-29", "2027-01-02")).toEqual([
      "2026-12-30",
      "2026-12-31",
      "2027-01-01",
      "2027-01-02",
    ]);
  });

  it("finds the weekdays of a weekly schedule across week boundaries", () => {
    // 2026-06-04 is a Thursday, 2026-06-08 the Monday after, 2026-06-14 a Sunday.
    const weekly = parse({ type: "weekly", days: ["thu", "mon", "sun"], start: "2026-06-04" });
    expect(occurrenceDates(weekly, "2026-06-01", "2026-06-15")).toEqual([
      "2026-06-04",
      "2026-06-07",
      "2026-06-08",
      "2026-06-11",
      "2026-06-14",
      "2026-06-15",
    ]);
  });

  it("puts a monthly day 29–31 on the last day of a shorter month", () => {
    const day31 = parse({ type: "monthly", day: 31, start: "2026-01-01", end: "2026-05-31" });
    expect(occurrenceDates(day31, "2026-01-01", "2026-12-31")).toEqual([
      "2026-01-31",
      "2026-02-28",
      "2026-03-31",
      "2026-04-30",
      "2026-05-31",
    ]);
    const day29 = parse({ type: "monthly", day: 29, start: "2027-12-01" });
    expect(occurrenceDates(day29, "2028-01-01", "2028-03-31")).toEqual([
      "2028-01-29",
      "2028-02-29",
      "2028-03-29",
    ]);
    expect(occurrenceDates(day29, "2027-02-01", "2027-02-28")).toEqual([]);
    const day1 = parse({ type: "monthly", day: 1, start: "2026-01-15" });
    expect(occurrenceDates(day1, "2026-01-01", "2026-03-01")).toEqual(["2026-02-01", "2026-03-01"]);
  });

  it("refuses a range that is not made of dates", () => {
    const daily = parse({ type: "daily", start: "2026-06-01" });
    expect(() => occurrenceDates(daily, "2026-06-01", "tomorrow")).toThrow(RangeError);
  });
});

describe("nextOccurrenceDate", () => {
  it("finds the next date, or null once the schedule is over", () => {
    const weekly = parse({
      type: "weekly",
      days: ["mon"],
      start: "2026-06-01",
      end: "2026-06-15",
    });
    expect(nextOccurrenceDate(weekly, "2026-01-01")).toBe("2026-06-01");
    expect(nextOccurrenceDate(weekly, "2026-06-01")).toBe("2026-06-01");
    expect(nextOccurrenceDate(weekly, "2026-06-02")).toBe("2026-06-08");
    expect(nextOccurrenceDate(weekly, "2026-06-16")).toBeNull();
    const day31 = parse({ type: "monthly", day: 31, start: "2026-01-01" });
    expect(nextOccurrenceDate(day31, "2026-02-01")).toBe("2026-02-28");
    expect(nextOccurrenceDate(day31, "2026-03-01")).toBe("2026-03-31");
    const once = parse({ type: "once", date: "2026-06-01" });
    expect(nextOccurrenceDate(once, "2026-06-02")).toBeNull();
    expect(nextOccurrenceDate(parse({ type: "daily", start: "2020-01-01" }), "2026-06-09")).toBe(
      "2026-06-09",
    );
  });
});

describe("sendInstant", () => {
  it("follows daylight-saving changes in both directions", () => {
    const daily = parse({ type: "daily", start: "2026-03-28", end: "2026-03-30" });
    const spring = occurrenceDates(daily, "2026-03-01", "2026-03-31").map((date) =>
      sendInstant(date, "02:30", "Europe/Berlin").toISOString(),
    );
    // 02:30 does not exist on 2026-03-29 (02:00 → 03:00): it moves forward by the gap, to 03:30 CEST.
    expect(spring).toEqual([
      "2026-03-28T01:30:00.000Z",
      "2026-03-29T01:30:00.000Z",
      "2026-03-30T00:30:00.000Z",
    ]);
    const autumn = parse({ type: "weekly", days: ["sat", "sun", "mon"], start: "2026-10-24" });
    const fall = occurrenceDates(autumn, "2026-10-24", "2026-10-26").map((date) =>
      sendInstant(date, "02:30", "Europe/Berlin").toISOString(),
    );
    // 02:30 happens twice on 2026-10-25: the first one (+02:00) counts.
    expect(fall).toEqual([
      "2026-10-24T00:30:00.000Z",
      "2026-10-25T00:30:00.000Z",
      "2026-10-26T01:30:00.000Z",
    ]);
  });

  it("refuses an unknown time zone", () => {
    expect(() => sendInstant("2026-06-01", "10:00", "Mars/Olympus")).toThrow(/not a time zone/);
  });
});
