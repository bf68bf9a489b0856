import gammaln from "@stdlib/math-base-special-gammaln";
import { describe, expect, it } from "vitest";
import { ModelInputError } from "./errors.ts";
import {
  expectedAverageSpend,
  fitGammaGamma,
  type GammaGammaParams,
  gammaGammaLogLikelihood,
} from "./gamma-gamma.ts";
import { simulateMeanSpend } from "./simulate.ts";

const x = Float64Array.from([2, 1, 7, 0, 3, 1, 4]);
const m = Float64Array.from([22.35, 11.77, 73.74, 0, 25.5, 0, 40]);

/** ln f(m | x) of note 025 in the lifetimes form, written out for one customer. */
function naive(p: GammaGammaParams, xi: number, mi: number): number {
  const px = p.p * xi;
  return (
    gammaln(px + p.q) -
    gammaln(px) -
    gammaln(p.q) +
    p.q * Math.log(p.gamma) +
    (px - 1) * Math.log(mi) +
    px * Math.log(xi) -
    (px + p.q) * Math.log(p.gamma + xi * mi)
  );
}

describe("Gamma-Gamma log-likelihood", () => {
  it("is the sum of the mean-spend densities of the repeat buyers with positive spend", () => {
    const p = { p: 6.25, q: 3.74, gamma: 15.44 };
    let expected = 0;
    for (let i = 0; i < x.length; i++) {
      if ((x[i] as number) > 0 && (m[i] as number) > 0)
        expected += naive(p, x[i] as number, m[i] as number);
    }
    expect(gammaGammaLogLikelihood(p, x, m)).toBeCloseTo(expected, 10);
  });

  it("is maximised where its derivatives vanish", () => {
    const fit = fitGammaGamma(x, m);
    expect(fit.converged).toBe(true);
    expect(fit.customers).toBe(5);
    for (const key of ["p", "q", "gamma"] as const) {
      const h = 1e-5 * fit.params[key];
      const up = gammaGammaLogLikelihood({ ...fit.params, [key]: fit.params[key] + h }, x, m);
      const down = gammaGammaLogLikelihood({ ...fit.params, [key]: fit.params[key] - h }, x, m);
      expect(Math.abs(up - down) / (2 * h), key).toBeLessThan(1e-5);
      expect(up).toBeLessThanOrEqual(fit.logLikelihood);
      expect(down).toBeLessThanOrEqual(fit.logLikelihood);
    }
  });

  it("recovers simulated parameters within three standard errors", () => {
    const truth: GammaGammaParams = { p: 6, q: 4, gamma: 15 };
    const counts = Float64Array.from({ length: 20_000 }, (_, i) => 1 + (i % 9));
    const spend = simulateMeanSpend(truth, counts, 11);
    const fit = fitGammaGamma(counts, spend);
    expect(fit.converged).toBe(true);
    for (const key of ["p", "q", "gamma"] as const) {
      expect(Math.abs(fit.params[key] - truth[key]), key).toBeLessThan(3 * fit.standardErrors[key]);
    }
  });

  it("refuses data it cannot fit", () => {
    expect(() => fitGammaGamma(Float64Array.from([0, 0]), Float64Array.from([0, 5]))).toThrow(
      /no repeat buyers/,
    );
    expect(() => fitGammaGamma(Float64Array.from([1]), Float64Array.from([Number.NaN]))).toThrow(
      ModelInputError,
    );
    expect(() => fitGammaGamma(Float64Array.from([1, 2]), Float64Array.from([1]))).toThrow(
      /same length/,
    );
  });
});

describe("expectedAverageSpend", () => {
  const p = { p: 6.25, q: 3.74, gamma: 15.44 };
  const population = (p.p * p.gamma) / (p.q - 1);

  it("is the population mean without repeat purchases, and moves to the own mean with more", () => {
    expect(expectedAverageSpend(p, 0, 0)).toBeCloseTo(population, 12);
    expect(expectedAverageSpend(p, 0, 123)).toBeCloseTo(population, 12);
    expect(expectedAverageSpend(p, 1e6, 50)).toBeCloseTo(50, 3);
    // A weighted mean of the two, with weight px/(px+q−1) on the customer's own mean.
    const w = (p.p * 3) / (p.p * 3 + p.q - 1);
    expect(expectedAverageSpend(p, 3, 80)).toBeCloseTo(w * 80 + (1 - w) * population, 12);
  });
});
