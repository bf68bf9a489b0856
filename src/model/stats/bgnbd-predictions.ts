import type { BgNbdParams } from "./bgnbd.ts";
import {
  ACCEPTED_ERROR,
  DIRECT_TERMS_NEAR_ONE,
  type Estimate,
  hyp2f1Connection,
  hypergeometricTail,
  interpolateAcross,
  MAX_TERMS,
} from "./hypergeometric.ts";

/**
 * Customer-level BG/NBD quantities (Fader, Hardie & Lee 2005, eqs. 7, 10, 13). Every input is in
 * the time unit of the fit. They hold for x up to the thousands, t_x = T, parameters below 1 and
 * x = 0 without NaN or ∞: probabilities are formed from log-odds, and the ₂F₁ is summed in a
 * rearranged form that has no cancellation at a = 1 and no pole at a + b + x − 1 = 0.
 */

/** Half-width of the interpolation around a = 1 (and a + b + x = 1) in the connection formula. */
const NEAR_SINGULAR = 1e-5;

/** P(alive | x, t_x, T): the probability that the customer has not dropped out by T. */
export function probabilityAlive(p: BgNbdParams, x: number, tx: number, T: number): number {
  if (x <= 0) return 1;
  // Odds of having dropped out: a/(b+x−1) · ((α+T)/(α+t_x))^{r+x}, kept in logs (x can be large).
  const logOdds =
    Math.log(p.a) - Math.log(p.b + x - 1) + (p.r + x) * Math.log1p((T - tx) / (p.alpha + tx));
  if (logOdds > 0) {
    const e = Math.exp(-logOdds);
    return e / (1 + e);
  }
  return 1 / (1 + Math.exp(logOdds));
}

/**
 * E[Y(t) | alive at T, x]: expected purchases in (T, T+t] of a customer known to be alive.
 *
 * FHL's eq. 10 divided by P(alive) is (C/B)(1 − w^{r+x} ₂F₁(r+x, b+x; C; z)) with z = t/(α+T+t),
 * w = 1 − z, B = a − 1, C = a + b + x − 1. Euler's transformation turns the ₂F₁ into
 * w^{B−r−x} ₂F₁(A, B; C; z), A = a + b − 1 − r, whose series converges at every z < 1 for x > 0,
 * and writing its sum as 1 + (B/C)·G gives
 *     C · (1 − w^B)/B − w^B · G,   G = Σ_{n≥1} (A)_n (B+1)_{n−1} zⁿ / ((C+1)_{n−1} n!),
 * finite and free of cancellation at B = 0 (a = 1) and C = 0.
 */
export function expectedPurchasesIfAlive(p: BgNbdParams, t: number, x: number, T: number): number {
  if (!(t > 0)) return 0;
  const base = p.alpha + T;
  const z = t / (base + t);
  const lnW = -Math.log1p(t / base);
  const A = p.a + p.b - 1 - p.r;
  const B = p.a - 1;
  const C = p.a + p.b + x - 1;
  const fromSeries = (maxTerms: number) => {
    const g = hypergeometricTail(A * z, A, B, C, 1, z, maxTerms);
    if (!g.converged || !Number.isFinite(g.sum)) return undefined;
    const growth = B === 0 ? -lnW : -Math.expm1(B * lnW) / B;
    // The sum may have been rescaled (G can exceed the doubles where w^B·G does not).
    return C * growth - Math.exp(B * lnW + g.logScale) * g.sum;
  };
  // Purchases while alive cannot exceed those of a customer who never drops out, (r+x)·t/(α+T);
  // the clamp only guards against the last fallback's rounding.
  const clamp = (value: number) => Math.min(Math.max(value, 0), ((p.r + x) * t) / base);
  const quick = fromSeries(z <= 0.5 ? MAX_TERMS : DIRECT_TERMS_NEAR_ONE);
  if (quick !== undefined) return clamp(quick);
  const connection = nearOne(p, z, lnW, x);
  if (connection.error <= ACCEPTED_ERROR * Math.abs(connection.value))
    return clamp(connection.value);
  const long = fromSeries(MAX_TERMS);
  if (long !== undefined) return clamp(long);
  return Number.isFinite(connection.value) ? clamp(connection.value) : ((p.r + x) * t) / base;
}

/**
 * The same expectation for z near 1, where the series would need ~1/(1 − z) terms: (C/B)(1 − Q),
 * Q = w^B ₂F₁(A, B; C; z) by the connection formula, with its error bound. Both singular points of
 * this form (B = 0, C = 0) are removable, so near them the value is interpolated from points at
 * least 2·NEAR_SINGULAR away (see interpolateAcross).
 */
function nearOne(p: BgNbdParams, z: number, lnW: number, x: number): Estimate {
  const between = (key: "a" | "b", center: number) =>
    interpolateAcross(
      (value) => nearOne({ ...p, [key]: value }, z, lnW, x),
      center,
      p[key],
      2 * NEAR_SINGULAR,
    );
  const B = p.a - 1;
  if (Math.abs(B) < NEAR_SINGULAR) return between("a", 1);
  const C = p.a + p.b + x - 1;
  // C = a + b − 1 can be 0 only without repeat purchases, and then only for a < 1.
  if (x === 0 && Math.abs(C) < NEAR_SINGULAR && 1 - p.a > 8 * NEAR_SINGULAR) {
    return between("b", 1 - p.a);
  }
  const A = p.a + p.b - 1 - p.r;
  const q = hyp2f1Connection(A, B, C, Math.exp(lnW), B * lnW);
  return { value: (C / B) * (1 - q.value), error: Math.abs(C / B) * (q.error + 1e-16) };
}

/** E[Y(t) | x, t_x, T]: expected purchases in the next t time units (FHL eq. 10). */
export function expectedPurchases(
  p: BgNbdParams,
  t: number,
  x: number,
  tx: number,
  T: number,
): number {
  return probabilityAlive(p, x, tx, T) * expectedPurchasesIfAlive(p, t, x, T);
}

/** E[X(t)]: expected repeat purchases of a new customer in their first t time units (FHL eq. 7). */
export function expectedPurchasesNewCustomer(p: BgNbdParams, t: number): number {
  return expectedPurchasesIfAlive(p, t, 0, 0);
}

/** P(X(t) = 0): the probability that a new customer makes no repeat purchase by t. */
export function probabilityOfNoPurchases(p: BgNbdParams, t: number): number {
  // Only the alive branch contributes at x = 0: (α/(α+t))^r.
  return Math.exp(-p.r * Math.log1p(t / p.alpha));
}
