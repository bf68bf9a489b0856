import gammaln from "@stdlib/math-base-special-gammaln";
import { describe, expect, it } from "vitest";
import {
  type BgNbdParams,
  bgnbdLogLikelihood,
  expectedPurchases,
  expectedPurchasesIfAlive,
  expectedPurchasesNewCustomer,
  fitBgNbd,
  probabilityAlive,
  probabilityOfNoPurchases,
  type SummaryColumns,
} from "./bgnbd.ts";
import { BgNbdEvaluator, prepareSummaries } from "./bgnbd-likelihood.ts";
import { ModelInputError } from "./errors.ts";
import { simulateBgNbd } from "./simulate.ts";
import { groupSummaries } from "./summaries.ts";

const columns = (rows: [number, number, number][], weight?: number[]): SummaryColumns => ({
  x: Float64Array.from(rows.map((r) => r[0])),
  tx: Float64Array.from(rows.map((r) => r[1])),
  T: Float64Array.from(rows.map((r) => r[2])),
  ...(weight ? { weight: Float64Array.from(weight) } : {}),
});

/** FHL 2005 eq. 6 written out directly, for small x where nothing under- or overflows. */
function naiveLogLikelihood(p: BgNbdParams, x: number, tx: number, T: number): number {
  const { r, alpha, a, b } = p;
  const lbeta = (u: number, v: number) => gammaln(u) + gammaln(v) - gammaln(u + v);
  const front = gammaln(r + x) - gammaln(r) + r * Math.log(alpha);
  const alive = Math.exp(lbeta(a, b + x) - lbeta(a, b)) * (alpha + T) ** -(r + x);
  const gone =
    x > 0 ? Math.exp(lbeta(a + 1, b + x - 1) - lbeta(a, b)) * (alpha + tx) ** -(r + x) : 0;
  return front + Math.log(alive + gone);
}

const CDNOW_ROUNDED: BgNbdParams = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };
const rows: [number, number, number][] = [
  [0, 0, 38.86],
  [0, 0, 27],
  [2, 30.43, 38.86],
  [1, 1.71, 38.86],
  [7, 29.43, 38.86],
  [5, 12, 12],
  [3, 0.5, 33.1],
];

describe("BG/NBD log-likelihood", () => {
  it("equals the paper's formula written out directly, with weights", () => {
    const weights = [3, 1, 2, 1, 1, 0.5, 4];
    for (const p of [CDNOW_ROUNDED, { r: 2.5, alpha: 0.3, a: 1.7, b: 0.2 }]) {
      const expected = rows.reduce(
        (sum, [x, tx, T], i) => sum + (weights[i] as number) * naiveLogLikelihood(p, x, tx, T),
        0,
      );
      expect(bgnbdLogLikelihood(p, columns(rows, weights))).toBeCloseTo(expected, 10);
    }
  });

  it("has the gradient of its finite differences", () => {
    const evaluator = new BgNbdEvaluator(prepareSummaries(columns(rows)));
    const p: BgNbdParams = { r: 0.7, alpha: 3.1, a: 0.6, b: 1.9 };
    const gradient = new Float64Array(4);
    evaluator.evaluate(p, gradient);
    (["r", "alpha", "a", "b"] as const).forEach((key, i) => {
      const h = 1e-6 * p[key];
      const difference =
        (evaluator.evaluate({ ...p, [key]: p[key] + h }) -
          evaluator.evaluate({ ...p, [key]: p[key] - h })) /
        (2 * h);
      expect(gradient[i]).toBeCloseTo(difference, 5);
    });
  });

  it("stays finite for x in the thousands, t_x = T, t_x = 0, T = 0 and tiny or huge parameters", () => {
    const extreme = columns([
      [0, 0, 0],
      [2000, 365, 365],
      [2000, 1, 365],
      [300, 0, 300],
      [1, 0, 0],
    ]);
    for (const p of [
      CDNOW_ROUNDED,
      { r: 1e-4, alpha: 1e-4, a: 1e-4, b: 1e-4 },
      { r: 1e4, alpha: 1e4, a: 1e4, b: 1e4 },
    ]) {
      expect(Number.isFinite(bgnbdLogLikelihood(p, extreme)), JSON.stringify(p)).toBe(true);
    }
  });

  it("refuses summaries that cannot be BG/NBD data", () => {
    expect(() => bgnbdLogLikelihood(CDNOW_ROUNDED, columns([[1.5, 1, 2]]))).toThrow(
      ModelInputError,
    );
    expect(() => bgnbdLogLikelihood(CDNOW_ROUNDED, columns([[1, 3, 2]]))).toThrow(/t_x must be/);
    expect(() => bgnbdLogLikelihood(CDNOW_ROUNDED, columns([[0, 0, -1]]))).toThrow(/T must be/);
    expect(() => bgnbdLogLikelihood(CDNOW_ROUNDED, columns([[1, 1, 2]], [-1]))).toThrow(/weight/);
    expect(() => bgnbdLogLikelihood(CDNOW_ROUNDED, columns([]))).toThrow(/no customers/);
  });
});

describe("fitBgNbd", () => {
  it("gives the same fit on grouped rows with weights as on the rows themselves", () => {
    // Whole-day summaries repeat a lot: this is how a million customers become a few thousand rows.
    const ages = Float64Array.from({ length: 5000 }, (_, i) => 20 + (i % 60));
    const simulated = simulateBgNbd({ r: 0.5, alpha: 6, a: 0.8, b: 2.5 }, ages, 7);
    const days = {
      x: simulated.x,
      tx: simulated.tx.map(Math.floor),
      T: simulated.T,
    };
    const grouped = groupSummaries(days);
    expect(grouped.x.length).toBeLessThan(0.6 * days.x.length);
    const plain = fitBgNbd(days);
    const weighted = fitBgNbd(grouped);
    expect(weighted.logLikelihood).toBeCloseTo(plain.logLikelihood, 6);
    for (const key of ["r", "alpha", "a", "b"] as const) {
      expect(weighted.params[key]).toBeCloseTo(plain.params[key], 5);
      expect(weighted.standardErrors[key]).toBeCloseTo(plain.standardErrors[key], 5);
    }
  });

  it("converges from a poor start and on data with extreme customers", () => {
    const data = columns([
      [0, 0, 10],
      [0, 0, 30],
      [400, 29.9, 30],
      [1, 2, 30],
      [3, 28, 29],
      [250, 3, 30],
      [0, 0, 0],
      [2, 30, 30],
    ]);
    const fit = fitBgNbd(data, { initial: { r: 100, alpha: 0.001, a: 50, b: 0.01 } });
    expect(fit.converged).toBe(true);
    expect(Number.isFinite(fit.logLikelihood)).toBe(true);
    const again = fitBgNbd(data);
    expect(fit.logLikelihood).toBeCloseTo(again.logLikelihood, 6);
  });
});

/**
 * E[Y(t) | alive] by quadrature, without ₂F₁: E_p[(1 − (1 + p·t/(α+T))^{−(r+x)})/p] for
 * p ~ Beta(a, b+x). Tanh-sinh substitution p = σ(π sinh u) (σ the logistic function) turns the
 * Beta density's end-point singularities into double-exponential decay, so the trapezoidal rule
 * in u converges to ~1e-12 whatever a and b + x are.
 */
function expectedIfAliveByQuadrature(p: BgNbdParams, t: number, x: number, T: number): number {
  const { r, alpha, a } = p;
  const beta = p.b + x;
  const s = t / (alpha + T);
  const k = r + x;
  const h = (q: number) => (q * s < 1e-8 ? k * s : -Math.expm1(-k * Math.log1p(q * s)) / q);
  const softplus = (v: number) => (v > 0 ? v + Math.log1p(Math.exp(-v)) : Math.log1p(Math.exp(v)));
  const logB = gammaln(a) + gammaln(beta) - gammaln(a + beta);
  const step = 1 / 512;
  let sum = 0;
  for (let u = -6; u <= 6; u += step) {
    const v = Math.PI * Math.sinh(u);
    const lnP = -softplus(-v);
    const ln1mP = -softplus(v);
    // dp = π cosh u · p (1 − p) du
    const weight = Math.PI * Math.cosh(u) * Math.exp(a * lnP + beta * ln1mP - logB);
    sum += weight * h(Math.exp(lnP));
  }
  return sum * step;
}

describe("BG/NBD expectations", () => {
  it("reproduce the published CDNOW figures at fixed parameters", () => {
    // Hardie's note 004 spreadsheet: customer 0001 over the next 39 weeks.
    expect(
      Math.abs(expectedPurchases(CDNOW_ROUNDED, 39, 2, 30.43, 38.86) - 1.226),
    ).toBeLessThanOrEqual(5e-4);
    // BTYD's example of bgnbd.pmf at the rounded estimates.
    expect(Math.abs(probabilityOfNoPurchases(CDNOW_ROUNDED, 39) - 0.5737864)).toBeLessThanOrEqual(
      5e-8,
    );
    // Note 004's E[X(t)] come from the unrounded estimates, which lifetimes' Quickstart prints to 6
    // decimals (at the 3-decimal ones t = 32 and 78 give 1.0452 and 1.8605).
    const lifetimes: BgNbdParams = { r: 0.242593, alpha: 4.413532, a: 0.792886, b: 2.425752 };
    const published: [number, number][] = [
      [1, 0.0532],
      [3, 0.1506],
      [32, 1.0437],
      [78, 1.8576],
    ];
    for (const [t, value] of published) {
      expect(
        Math.abs(expectedPurchasesNewCustomer(lifetimes, t) - value),
        `t = ${t}`,
      ).toBeLessThanOrEqual(5e-4);
    }
  });

  it("agree with quadrature of the model's definition, across z and the singular points", () => {
    const cases: [BgNbdParams, number, number, number][] = [
      [CDNOW_ROUNDED, 78, 0, 0],
      [CDNOW_ROUNDED, 39, 2, 38.86],
      [CDNOW_ROUNDED, 5000, 1, 10],
      [{ r: 0.5, alpha: 2, a: 0.3, b: 0.4 }, 500, 0, 1],
      [{ r: 0.5, alpha: 2, a: 0.3, b: 0.7 }, 900, 0, 0],
      [{ r: 0.5, alpha: 2, a: 1, b: 0.7 }, 900, 0, 0],
      [{ r: 0.5, alpha: 2, a: 1 + 1e-9, b: 0.7 }, 40, 3, 30],
      [{ r: 1.3, alpha: 0.5, a: 20, b: 50 }, 3000, 4, 100],
      [{ r: 0.9, alpha: 10, a: 0.9, b: 3 }, 1000, 300, 365],
      [{ r: 500, alpha: 1e4, a: 300, b: 1e4 }, 1e6, 1, 365],
      [{ r: 0.25, alpha: 2, a: 0.5, b: 0.5 }, 1e5, 0, 0],
    ];
    for (const [p, t, x, T] of cases) {
      const label = JSON.stringify({ ...p, t, x, T });
      const exact = expectedIfAliveByQuadrature(p, t, x, T);
      expect(Math.abs(expectedPurchasesIfAlive(p, t, x, T) - exact), label).toBeLessThanOrEqual(
        1e-6 * exact,
      );
    }
  });

  it("stay finite and in range at extreme inputs", () => {
    const params: BgNbdParams[] = [
      CDNOW_ROUNDED,
      { r: 0.01, alpha: 0.01, a: 0.01, b: 0.01 },
      { r: 0.2, alpha: 0.5, a: 0.5, b: 0.5 },
      { r: 0.3, alpha: 5, a: 1, b: 2 },
      { r: 500, alpha: 1e4, a: 300, b: 1e4 },
    ];
    const customers: [number, number, number][] = [
      [0, 0, 0],
      [0, 0, 365],
      [1, 0, 365],
      [300, 365, 365],
      [300, 2, 365],
      [2000, 3650, 3650],
      [1, 1e-9, 1e-9],
    ];
    for (const p of params) {
      for (const [x, tx, T] of customers) {
        const alive = probabilityAlive(p, x, tx, T);
        expect(alive).toBeGreaterThanOrEqual(0);
        expect(alive).toBeLessThanOrEqual(1);
        let previous = 0;
        for (const t of [1e-9, 1, 30, 365, 1e4, 1e6]) {
          const e = expectedPurchases(p, t, x, tx, T);
          const label = JSON.stringify({ ...p, x, tx, T, t, e });
          expect(Number.isFinite(e), label).toBe(true);
          expect(e, label).toBeGreaterThanOrEqual(previous * (1 - 1e-12));
          previous = e;
        }
        expect(Number.isFinite(expectedPurchasesNewCustomer(p, 1e6))).toBe(true);
        const none = probabilityOfNoPurchases(p, 1e6);
        expect(none >= 0 && none <= 1).toBe(true);
      }
    }
  });

  it("make sense at the edges: nothing in no time, alive without repeat purchases", () => {
    expect(expectedPurchases(CDNOW_ROUNDED, 0, 3, 10, 20)).toBe(0);
    expect(probabilityAlive(CDNOW_ROUNDED, 0, 0, 38)).toBe(1);
    expect(probabilityOfNoPurchases(CDNOW_ROUNDED, 0)).toBe(1);
    // A customer who just bought is more likely alive than one silent for long, same x.
    expect(probabilityAlive(CDNOW_ROUNDED, 5, 38, 38)).toBeGreaterThan(
      probabilityAlive(CDNOW_ROUNDED, 5, 5, 38),
    );
  });
});
