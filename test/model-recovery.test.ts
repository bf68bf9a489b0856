import { beforeAll, describe, expect, it } from "vitest";
import { type BgNbdFit, type BgNbdParams, fitBgNbd } from "../src/model/stats/bgnbd.ts";
import { fitGammaGamma } from "../src/model/stats/gamma-gamma.ts";
import { seededRandom, simulateBgNbd, simulateMeanSpend } from "../src/model/stats/simulate.ts";

/**
 * Parameter recovery: 100,000 customers drawn from known parameters, with ages T spread uniformly
 * over 10–100 time units, are fitted back. Tolerance: each estimate within 3 of its own standard
 * errors of the truth. With four (three) parameters the chance that a correct fit misses is below
 * 1.1% (0.8%); the seeds are fixed, so the test is deterministic — it fails when the fit is wrong,
 * not by chance. The standard errors are also checked to scale like 1/√n (10,000 against
 * 100,000 customers, within a factor of 2).
 */
const TRUTH: BgNbdParams = { r: 0.5, alpha: 6, a: 0.8, b: 2.5 };
const SPEND = { p: 6, q: 4, gamma: 15 };

function simulate(n: number, seed: number) {
  const random = seededRandom(seed);
  const ages = Float64Array.from({ length: n }, () => 10 + 90 * random());
  return simulateBgNbd(TRUTH, ages, seed + 1);
}

describe("parameter recovery from simulated customers", () => {
  let data: ReturnType<typeof simulate>;
  let fit: BgNbdFit;
  // In a hook, not the describe body: collecting the tests must not run the fit.
  beforeAll(() => {
    data = simulate(100_000, 2026);
    fit = fitBgNbd(data);
  });

  it("fits the BG/NBD back within 3 standard errors", () => {
    expect(fit.converged).toBe(true);
    for (const key of ["r", "alpha", "a", "b"] as const) {
      const error = fit.standardErrors[key];
      expect(error, key).toBeGreaterThan(0);
      expect(
        Math.abs(fit.params[key] - TRUTH[key]),
        `${key} = ${fit.params[key]} ± ${error}`,
      ).toBeLessThan(3 * error);
    }
  });

  it("has standard errors that shrink like 1/√n", () => {
    const small = fitBgNbd(simulate(10_000, 7));
    for (const key of ["r", "alpha", "a", "b"] as const) {
      const ratio = small.standardErrors[key] / fit.standardErrors[key];
      expect(ratio, key).toBeGreaterThan(Math.sqrt(10) / 2);
      expect(ratio, key).toBeLessThan(Math.sqrt(10) * 2);
    }
  });

  it("fits the Gamma-Gamma back within 3 standard errors on the same customers' spend", () => {
    const spend = simulateMeanSpend(SPEND, data.x, 99);
    const gg = fitGammaGamma(data.x, spend);
    expect(gg.converged).toBe(true);
    expect(gg.customers).toBe(Array.from(data.x).filter((x) => x > 0).length);
    for (const key of ["p", "q", "gamma"] as const) {
      const error = gg.standardErrors[key];
      expect(
        Math.abs(gg.params[key] - SPEND[key]),
        `${key} = ${gg.params[key]} ± ${error}`,
      ).toBeLessThan(3 * error);
    }
  });
});
