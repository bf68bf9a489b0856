// The ledger that places single batches after the schedule was made (a slot that passed, a
// re-send): the same rolling windows as the schedule, so a moved batch keeps within the budget.
import { describe, expect, it } from "vitest";
import {
  BudgetLedger,
  earliestSendTime,
  lateMinutes,
  type SendBudget,
} from "./execution-schedule.ts";

const at = (time: string) => new Date(`2026-12-02T${time}Z`);
const BUDGET: SendBudget = { key: "acct", recipients: 10_000, perMinutes: 30, reservePercent: 0 };
const ledger = (taken: { at: string; size: number; budgetKey?: string }[] = [], budget = BUDGET) =>
  new BudgetLedger(
    [budget, { ...budget, key: "other", recipients: 1 }],
    "acct",
    at("10:00:00"),
    taken.map((t) => ({ budgetKey: t.budgetKey ?? "acct", at: at(t.at), size: t.size })),
  );

describe("BudgetLedger", () => {
  it("places a batch at the next whole minute when the budget has room", () => {
    expect(ledger().earliestFit(at("10:00:30"), 5000)).toEqual(at("10:01:00"));
    expect(ledger().earliestFit(at("10:05:00"), 10_000)).toEqual(at("10:05:00"));
  });

  it("never places a batch before the minute it was made for", () => {
    expect(ledger().earliestFit(at("09:00:00"), 100)).toEqual(at("10:00:00"));
  });

  it("take fills the rolling windows holding its minute; release gives the room back", () => {
    const l = ledger();
    l.take(at("10:00:45"), 6000);
    expect(l.earliestFit(at("10:00:00"), 4000)).toEqual(at("10:00:00"));
    // 10:00 … 10:29 lie in a window with the 6,000: the first minute out of it is 10:30.
    expect(l.earliestFit(at("10:00:00"), 5000)).toEqual(at("10:30:00"));
    l.release(at("10:00:00"), 6000);
    expect(l.earliestFit(at("10:00:00"), 5000)).toEqual(at("10:00:00"));
  });

  it("counts the batches it was given that hold slots in a window before its start", () => {
    // The window holding 09:45 runs to 10:14.
    expect(ledger([{ at: "09:45:00", size: 8000 }]).earliestFit(at("10:00:00"), 5000)).toEqual(
      at("10:15:00"),
    );
    // A batch more than a window before cannot share one with anything placed now.
    expect(ledger([{ at: "09:00:00", size: 10_000 }]).earliestFit(at("10:00:00"), 10_000)).toEqual(
      at("10:00:00"),
    );
    // Another account's batches do not count.
    expect(
      ledger([{ at: "10:00:00", size: 10_000, budgetKey: "other" }]).earliestFit(
        at("10:00:00"),
        10_000,
      ),
    ).toEqual(at("10:00:00"));
  });

  it("finds the gap between two batches, not only the end of the last", () => {
    const l = ledger([
      { at: "10:00:00", size: 5000 },
      { at: "11:00:00", size: 5000 },
    ]);
    // No window holding 10:30 reaches back to 10:00 or on to 11:00.
    expect(l.earliestFit(at("10:00:00"), 6000)).toEqual(at("10:30:00"));
    l.take(at("10:30:00"), 6000);
    expect(l.earliestFit(at("10:00:00"), 5000)).toEqual(at("10:00:00"));
    // 10:00 … 11:29 are all in a window with more than 4,999 already.
    expect(l.earliestFit(at("10:00:00"), 5001)).toEqual(at("11:30:00"));
  });

  it("keeps the reserve out and says the budget in words", () => {
    const l = ledger([], { ...BUDGET, reservePercent: 20 });
    expect(l.text).toBe("8,000 recipients per 30 minutes (10,000 less the 20% reserve)");
    l.take(at("10:00:00"), 4000);
    expect(l.earliestFit(at("10:00:00"), 4000)).toEqual(at("10:00:00"));
    expect(l.earliestFit(at("10:00:00"), 4001)).toEqual(at("10:30:00"));
  });

  it("puts a batch larger than the whole budget alone in its windows", () => {
    const l = ledger([{ at: "10:00:00", size: 1 }], { ...BUDGET, recipients: 4000 });
    expect(l.earliestFit(at("10:00:00"), 5000)).toEqual(at("10:30:00"));
  });

  it("refuses an account without a budget", () => {
    expect(() => new BudgetLedger([BUDGET], "nobody", at("10:00:00"), [])).toThrow(
      "no send budget for client id nobody",
    );
  });
});

describe("earliestSendTime and lateMinutes", () => {
  it("gives a whole minute at least a minute ahead", () => {
    expect(earliestSendTime(new Date("2026-12-02T10:20:30Z"))).toEqual(
      new Date("2026-12-02T10:22:00Z"),
    );
    expect(earliestSendTime(new Date("2026-12-02T10:20:00Z"))).toEqual(
      new Date("2026-12-02T10:21:00Z"),
    );
  });

  it("counts whole minutes after the send time (rounded up to a minute), never below 0", () => {
    const sendAt = new Date("2026-12-02T10:00:00Z");
    expect(lateMinutes(new Date("2026-12-02T10:52:00Z"), sendAt)).toBe(52);
    expect(lateMinutes(new Date("2026-12-02T10:00:00Z"), sendAt)).toBe(0);
    expect(lateMinutes(new Date("2026-12-02T09:59:00Z"), sendAt)).toBe(0);
    expect(lateMinutes(new Date("2026-12-02T10:31:00Z"), new Date("2026-12-02T10:00:30Z"))).toBe(
      30,
    );
  });
});
