import type { BgNbdParams } from "./bgnbd.ts";
import { expectedPurchases } from "./bgnbd-predictions.ts";
import { expectedAverageSpend, type GammaGammaParams } from "./gamma-gamma.ts";

/** A customer as the CLV needs them: the BG/NBD summary and the mean repeat spend. */
export interface ClvCustomer {
  x: number;
  tx: number;
  T: number;
  meanSpend: number;
}

export interface ClvOptions {
  /** Time units of the BG/NBD fit in a month (e.g. 30 for days, 4.345 for weeks). */
  periodsPerMonth: number;
  /** Horizon in months. */
  months: number;
  /** Discount rate per month (0.01 ≈ 12.7% a year). */
  monthlyDiscountRate: number;
}

/**
 * Discounted expected revenue over the next `months`, as `lifetimes`' customer_lifetime_value
 * computes it: Σ_{i=1..months} E[M] · (E[Y(i·k)] − E[Y((i−1)·k)]) / (1 + d)^i, with k periods a
 * month, E[Y] from the BG/NBD and E[M] from the Gamma-Gamma.
 */
export function customerLifetimeValue(
  bg: BgNbdParams,
  gg: GammaGammaParams,
  c: ClvCustomer,
  o: ClvOptions,
): number {
  const spend = expectedAverageSpend(gg, c.x, c.meanSpend);
  return spend * discountedPurchases((t) => expectedPurchases(bg, t, c.x, c.tx, c.T), o);
}

/**
 * Σ_{i=1..months} (E(i·k) − E((i−1)·k)) / (1 + d)^i for a cumulative expectation E(t) of
 * purchases by time t: the expected purchases of each month, discounted (CLV without the spend).
 */
export function discountedPurchases(expected: (t: number) => number, o: ClvOptions): number {
  let value = 0;
  let previous = 0;
  let discount = 1;
  for (let month = 1; month <= o.months; month++) {
    const cumulative = expected(month * o.periodsPerMonth);
    discount /= 1 + o.monthlyDiscountRate;
    value += (cumulative - previous) * discount;
    previous = cumulative;
  }
  return value;
}
