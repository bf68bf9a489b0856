import { describe, expect, it } from "vitest";
import { compareGroups } from "./compare.ts";
import type { GroupMoments } from "./moments.ts";
import { formatPoints, significanceOf, type VerdictInput, verdictText } from "./verdict.ts";

/** Moments with only the counts (revenue does not enter the verdict). */
function counts(customers: number, responders: number): GroupMoments {
  return {
    customers,
    responders,
    revenue: 0,
    revenueSquares: 0,
    preRevenue: 0,
    preRevenueSquares: 0,
    revenueTimesPre: 0,
  };
}

/** A verdict input with the given response-rate figures and group sizes large enough to judge. */
function input(
  rate: Partial<VerdictInput["responseRate"]>,
  significance: VerdictInput["significance"],
): VerdictInput {
  return {
    groups: {
      test: { customers: 1000, responders: 120 },
      control: { customers: 1000, responders: 99 },
    },
    responseRate: { test: 0.12, control: 0.099, uplift: 0.021, ci95: null, pValue: 0.01, ...rate },
    significance,
  };
}

describe("formatPoints", () => {
  it("shows one decimal of points with an explicit sign", () => {
    expect(formatPoints(0.0213)).toBe("+2.1");
    expect(formatPoints(-0.0213)).toBe("-2.1");
    expect(formatPoints(0)).toBe("+0.0");
    expect(formatPoints(0.00049)).toBe("+0.0");
    expect(formatPoints(-0.0004)).toBe("-0.0");
    expect(formatPoints(1)).toBe("+100.0");
  });
});

describe("verdictText", () => {
  it("says significant, not significant and borderline with the interval", () => {
    expect(verdictText(input({ ci95: [0.008, 0.034] }, "significant"))).toBe(
      "Response rate +2.1 pts (95% CI +0.8 to +3.4), significant at 95%",
    );
    expect(verdictText(input({ uplift: -0.004, ci95: [-0.031, 0.023] }, "not_significant"))).toBe(
      "Response rate -0.4 pts (95% CI -3.1 to +2.3), not significant",
    );
    expect(verdictText(input({ ci95: [0.0003, 0.0417] }, "borderline"))).toBe(
      "Response rate +2.1 pts (95% CI +0.0 to +4.2), borderline (the test and the interval disagree)",
    );
  });

  it("gives the reason when there is no p-value", () => {
    const all = input({ uplift: 0, pValue: null }, "not_significant");
    expect(verdictText(all)).toBe(
      "Response rate +0.0 pts, not significant (every customer responded)",
    );
  });

  it("says what is missing when the groups are too small, or there is no control group", () => {
    expect(compareGroups(counts(40, 2), counts(12, 1)).verdict).toBe(
      "Not enough data: 40 test and 12 control customers, 3 responders " +
        "(needs at least 50 test and 30 control customers and 5 responders)",
    );
    expect(compareGroups(counts(60, 1), counts(1, 0)).verdict).toBe(
      "Not enough data: 60 test and 1 control customer, 1 responder " +
        "(needs at least 50 test and 30 control customers and 5 responders)",
    );
    expect(compareGroups(counts(5000, 600), counts(0, 0)).verdict).toBe(
      "Cannot be measured: the campaign has no control group (control group 0%)",
    );
  });
});

describe("significanceOf", () => {
  const judge = (test: GroupMoments, control: GroupMoments) =>
    compareGroups(test, control).significance;

  it("judges from 50 test and 30 control customers and 5 responders on", () => {
    expect(judge(counts(50, 25), counts(30, 2))).toBe("significant");
    expect(judge(counts(49, 25), counts(30, 2))).toBe("not_enough_data");
    expect(judge(counts(50, 25), counts(29, 2))).toBe("not_enough_data");
    expect(judge(counts(50, 3), counts(30, 1))).toBe("not_enough_data");
    expect(judge(counts(50, 4), counts(30, 1))).toBe("not_significant");
  });

  it("puts a missing control group before too little data", () => {
    expect(judge(counts(3, 0), counts(0, 0))).toBe("not_measurable");
    expect(judge(counts(0, 0), counts(0, 0))).toBe("not_measurable");
  });

  it("calls it borderline when the p-value and the interval disagree, either way", () => {
    const groups = input({}, "significant").groups;
    const rate = (pValue: number, ci95: [number, number]) => ({
      groups,
      responseRate: { ...input({}, "significant").responseRate, pValue, ci95 },
    });
    expect(significanceOf(rate(0.04, [-0.001, 0.04]))).toBe("borderline");
    expect(significanceOf(rate(0.06, [0.001, 0.04]))).toBe("borderline");
    expect(significanceOf(rate(0.06, [-0.001, 0.04]))).toBe("not_significant");
    expect(significanceOf(rate(0.04, [-0.04, -0.001]))).toBe("significant");
  });
});

describe("compareGroups", () => {
  it("refuses moments no group can have", () => {
    expect(() => compareGroups(counts(10, 11), counts(10, 1))).toThrow(RangeError);
    expect(() => compareGroups(counts(10, 1), counts(-1, 0))).toThrow(RangeError);
    expect(() => compareGroups({ ...counts(10, 1), revenue: Number.NaN }, counts(10, 1))).toThrow(
      RangeError,
    );
  });
});
