import normalCdf from "@stdlib/stats-base-dists-normal-cdf";
import { describe, expect, it } from "vitest";
import { compareRates, minimumDetectableUplift, probabilityTestBetter } from "./proportions.ts";

/** P(test better) that is known to exist (both groups have customers). */
function probability(rt: number, nt: number, rc: number, nc: number): number {
  const p = probabilityTestBetter(rt, nt, rc, nc);
  if (p === null) throw new Error("expected a probability");
  return p;
}

describe("probabilityTestBetter", () => {
  it("gives P(A > B) + P(B > A) = 1, whichever sum each side takes", () => {
    const groups: [number, number][] = [
      [2, 100],
      [50, 100],
      [98, 100],
      [0, 30],
      [30, 30],
      [1234, 5000],
      [29_800, 100_000],
    ];
    for (const [ra, na] of groups) {
      for (const [rb, nb] of groups) {
        const sum = probability(ra, na, rb, nb) + probability(rb, nb, ra, na);
        expect(sum, `${ra}/${na} v ${rb}/${nb}`).toBeCloseTo(1, 10);
      }
    }
  });

  it("is the same with responders and non-responders swapped and the groups exchanged", () => {
    // p_t > p_c ⇔ 1 − p_c > 1 − p_t: another of the four sums, the same number.
    expect(probability(30, 100, 20, 80)).toBeCloseTo(probability(60, 80, 70, 100), 10);
    expect(probability(3, 1000, 7, 900)).toBeCloseTo(probability(893, 900, 997, 1000), 10);
  });

  it("is exactly one half for equal groups", () => {
    expect(probability(0, 50, 0, 50)).toBeCloseTo(0.5, 12);
    expect(probability(400, 1000, 400, 1000)).toBeCloseTo(0.5, 10);
  });

  it("handles a million customers with 300,000 responders against as many, without overflow", () => {
    // Every one of the four sums is ~300,000 terms here; each term alone underflows.
    const p = probability(300_000, 1_000_000, 299_000, 1_000_000);
    // The posteriors are as good as normal at this size: Φ(0.001 / √(2 · 0.3 · 0.7 / 10⁶)).
    const normal = normalCdf(0.001 / Math.sqrt((2 * 0.3 * 0.7) / 1e6), 0, 1);
    expect(p).toBeCloseTo(normal, 3);
    expect(p + probability(299_000, 1_000_000, 300_000, 1_000_000)).toBeCloseTo(1, 9);
  });

  it("is null when a group has no customers", () => {
    expect(probabilityTestBetter(0, 0, 0, 0)).toBeNull();
    expect(probabilityTestBetter(5, 10, 0, 0)).toBeNull();
  });
});

describe("compareRates", () => {
  it("gives no p-value when the pooled rate is 0 or 1, and no interval when the SE is 0", () => {
    expect(compareRates(0, 100, 0, 100)).toMatchObject({ uplift: 0, pValue: null, ci95: null });
    expect(compareRates(100, 100, 50, 50)).toMatchObject({ uplift: 0, pValue: null, ci95: null });
    const opposite = compareRates(100, 100, 0, 50);
    expect(opposite.ci95).toBeNull();
    expect(opposite.relativeUplift).toBeNull();
    expect(opposite.pValue).toBeLessThan(1e-10);
  });
});

describe("minimumDetectableUplift", () => {
  it("is 2.8 standard errors (z 0.975 + z 0.80)", () => {
    const se = Math.sqrt(0.1 * 0.9 * (2 / 1000));
    expect(minimumDetectableUplift(0.1, 1000, 1000)).toBeCloseTo(2.801585 * se, 6);
  });

  it("is null without a rate or with an empty group, and refuses a rate outside 0 to 1", () => {
    expect(minimumDetectableUplift(null, 100, 100)).toBeNull();
    expect(minimumDetectableUplift(0.1, 0, 100)).toBeNull();
    expect(minimumDetectableUplift(0.1, 100, 0)).toBeNull();
    // Nobody (or everybody) bought before: nothing to size the test by.
    expect(minimumDetectableUplift(0, 100, 100)).toBeNull();
    expect(minimumDetectableUplift(1, 100, 100)).toBeNull();
    expect(() => minimumDetectableUplift(10, 100, 100)).toThrow(RangeError);
  });
});
