import { describe, expect, it } from "vitest";
import { ModelInputError } from "./errors.ts";
import {
  groupSummaries,
  SummaryBuilder,
  summarizeTransactions,
  type Transaction,
} from "./summaries.ts";
import { dayNumber, ZoneDays } from "./zone-days.ts";

const tx = (contactKey: string, at: string, amount: number): Transaction => ({
  contactKey,
  occurredAt: new Date(at),
  amount,
});

/** The summary row of one customer, as plain numbers. */
function row(s: ReturnType<typeof summarizeTransactions>, key: string) {
  const i = s.keys.indexOf(key);
  expect(i, key).toBeGreaterThanOrEqual(0);
  return { x: s.x[i], tx: s.tx[i], T: s.T[i], meanSpend: s.meanSpend[i] };
}

describe("summarizeTransactions", () => {
  const transactions = [
    tx("A", "2024-01-01T09:00:00Z", 10),
    tx("A", "2024-01-01T17:00:00Z", 5), // same day as the first: one purchase of 15
    tx("A", "2024-01-08T10:00:00Z", 20),
    tx("A", "2024-01-08T11:00:00Z", 0), // still one purchase that day, of 20
    tx("A", "2024-01-15T10:00:00Z", 0), // a $0.00 purchase is a purchase
    tx("A", "2024-01-20T10:00:00Z", -20), // a refund is not
    tx("A", "2024-02-10T10:00:00Z", 99), // after the calibration end
    tx("B", "2024-01-29T23:59:59Z", 7),
    tx("C", "2024-02-01T00:00:00Z", 3), // only after the end: not a customer yet
    tx("D", "2024-01-31T12:00:00Z", 4), // on the last day: included, T = 0
  ];

  it("merges same-day transactions and leaves out refunds and what follows the end", () => {
    const s = summarizeTransactions(transactions, { calibrationEnd: "2024-01-31", period: "day" });
    expect(s.keys).toEqual(["A", "B", "D"]);
    expect(row(s, "A")).toEqual({ x: 2, tx: 14, T: 30, meanSpend: 10 });
    expect(row(s, "B")).toEqual({ x: 0, tx: 0, T: 2, meanSpend: 0 });
    expect(row(s, "D")).toEqual({ x: 0, tx: 0, T: 0, meanSpend: 0 });
  });

  it("gives the same summaries whatever the order of the transactions", () => {
    const options = { calibrationEnd: "2024-01-31", period: "day" } as const;
    const forward = summarizeTransactions(transactions, options);
    const backward = summarizeTransactions([...transactions].reverse(), options);
    for (const key of forward.keys) expect(row(backward, key)).toEqual(row(forward, key));
  });

  it("measures in weeks of 7 days", () => {
    const s = summarizeTransactions(transactions, { calibrationEnd: "2024-01-31", period: "week" });
    expect(row(s, "A")).toEqual({ x: 2, tx: 2, T: 30 / 7, meanSpend: 10 });
  });

  it("counts purchases, refunds and transactions after the end", () => {
    const builder = new SummaryBuilder({ calibrationEnd: "2024-01-31", period: "day" });
    for (const t of transactions) builder.add(t.contactKey, t.occurredAt, t.amount);
    expect(builder.stats).toEqual({ purchases: 7, refunds: 1, afterCalibrationEnd: 2 });
  });

  it("takes purchase days in the given time zone", () => {
    const late = [
      tx("A", "2024-03-09T23:30:00Z", 1),
      tx("A", "2024-03-10T00:30:00Z", 2),
      // Around New York's switch to summer time (07:00Z): 01:30 EST and 03:30 EDT, both 10 March.
      tx("B", "2024-03-10T06:30:00Z", 1),
      tx("B", "2024-03-10T07:30:00Z", 2),
    ];
    const utc = summarizeTransactions(late, { calibrationEnd: "2024-03-31", period: "day" });
    expect(row(utc, "A").x).toBe(1);
    const ny = summarizeTransactions(late, {
      calibrationEnd: "2024-03-31",
      period: "day",
      timeZone: "America/New_York",
    });
    expect(row(ny, "A")).toEqual({ x: 0, tx: 0, T: 22, meanSpend: 0 });
    expect(row(ny, "B")).toEqual({ x: 0, tx: 0, T: 21, meanSpend: 0 });
  });

  it("refuses options it cannot use", () => {
    expect(() =>
      summarizeTransactions([], { calibrationEnd: "2024-02-30", period: "day" }),
    ).toThrow(ModelInputError);
    expect(() =>
      summarizeTransactions([], {
        calibrationEnd: "2024-02-01",
        period: "day",
        timeZone: "Mars/Olympus",
      }),
    ).toThrow(/not a known IANA time zone/);
    expect(
      () => new SummaryBuilder({ calibrationEnd: "2024-02-01", period: "month" as "day" }),
    ).toThrow(/period must be/);
    const builder = new SummaryBuilder({ calibrationEnd: "2024-02-01", period: "day" });
    expect(() => builder.add("A", new Date(Number.NaN), 1)).toThrow(/invalid transaction time/);
    expect(() => builder.add("A", new Date(0), Number.NaN)).toThrow(/invalid transaction amount/);
  });
});

describe("ZoneDays and dayNumber", () => {
  it("finds the local day across a year of hours, as Intl does", () => {
    const zone = new ZoneDays("Australia/Lord_Howe"); // half-hour summer time
    const format = new Intl.DateTimeFormat("en-CA", { timeZone: "Australia/Lord_Howe" });
    for (let ms = Date.UTC(2024, 0, 1); ms < Date.UTC(2025, 0, 1); ms += 37 * 60_000) {
      expect(zone.dayOf(ms)).toBe(dayNumber(format.format(ms)));
    }
  });

  it("numbers days from 1970-01-01 and refuses non-dates", () => {
    expect(dayNumber("1970-01-02")).toBe(1);
    expect(dayNumber("1997-09-30") - dayNumber("1997-01-01")).toBe(272);
    expect(() => dayNumber("1997-9-30")).toThrow(ModelInputError);
  });
});

describe("groupSummaries", () => {
  it("merges identical rows into weights and maps every row to its group", () => {
    const data = {
      x: Float64Array.from([0, 2, 0, 2, 2, 0]),
      tx: Float64Array.from([0, 5, 3, 5, 6, 0]), // t_x does not matter when x = 0
      T: Float64Array.from([10, 9, 10, 9, 9, 11]),
    };
    const grouped = groupSummaries(data);
    expect(Array.from(grouped.weight)).toEqual([2, 2, 1, 1]);
    expect(Array.from(grouped.group)).toEqual([0, 1, 0, 1, 2, 3]);
    expect(Array.from(grouped.x)).toEqual([0, 2, 2, 0]);
    expect(Array.from(grouped.tx)).toEqual([0, 5, 6, 0]);
    expect(Array.from(grouped.T)).toEqual([10, 9, 9, 11]);
  });
});
