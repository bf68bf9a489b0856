import betaln from "@stdlib/math-base-special-betaln";
import normalCdf from "@stdlib/stats-base-dists-normal-cdf";
import normalQuantile from "@stdlib/stats-base-dists-normal-quantile";

/** z_{0.975}: the two-sided 95% normal quantile (1.959964). */
export const Z_95 = normalQuantile(0.975, 0, 1);
/** z_{0.80}: 80% power. */
const Z_POWER_80 = normalQuantile(0.8, 0, 1);

/** The response rates of two groups compared (see compareGroups for the null rules). */
export interface RateComparison {
  test: number | null;
  control: number | null;
  uplift: number | null;
  relativeUplift: number | null;
  ci95: [number, number] | null;
  pValue: number | null;
  probabilityTestBetter: number | null;
}

/** Two-sided two-proportion z-test (pooled SE for p, unpooled SE for the interval). */
export function compareRates(
  testResponders: number,
  testCustomers: number,
  controlResponders: number,
  controlCustomers: number,
): RateComparison {
  const test = testCustomers > 0 ? testResponders / testCustomers : null;
  const control = controlCustomers > 0 ? controlResponders / controlCustomers : null;
  const probability = probabilityTestBetter(
    testResponders,
    testCustomers,
    controlResponders,
    controlCustomers,
  );
  if (test === null || control === null) {
    return {
      test,
      control,
      uplift: null,
      relativeUplift: null,
      ci95: null,
      pValue: null,
      probabilityTestBetter: probability,
    };
  }
  const uplift = test - control;
  const pooled = (testResponders + controlResponders) / (testCustomers + controlCustomers);
  let pValue: number | null = null;
  if (pooled > 0 && pooled < 1) {
    const se = Math.sqrt(pooled * (1 - pooled) * (1 / testCustomers + 1 / controlCustomers));
    pValue = 2 * normalCdf(-Math.abs(uplift / se), 0, 1);
  }
  const seUnpooled = Math.sqrt(
    (test * (1 - test)) / testCustomers + (control * (1 - control)) / controlCustomers,
  );
  return {
    test,
    control,
    uplift,
    relativeUplift: control > 0 ? uplift / control : null,
    ci95: seUnpooled > 0 ? [uplift - Z_95 * seUnpooled, uplift + Z_95 * seUnpooled] : null,
    pValue,
    probabilityTestBetter: probability,
  };
}

/**
 * P(p_test > p_control) under Beta(1 + responders, 1 + non-responders) posteriors, exactly.
 *
 * Evan Miller's closed form for A ~ Beta(a_A, b_A), B ~ Beta(a_B, b_B):
 *   P(B > A) = Σ_{i=0}^{a_B−1} exp(ln B(a_A+i, b_A+b_B) − ln(b_B+i) − ln B(1+i, b_B) − ln B(a_A, b_A))
 * summed in log space (the terms underflow one by one for large groups). The sum has a_B terms;
 * P(B > A) = 1 − P(A > B) gives one of a_A terms, and swapping the roles of responders and
 * non-responders (p > q ⇔ 1 − p < 1 − q) one of b_A or b_B terms: the shortest of the four is
 * summed, so 1,000,000 customers cost at most half a million terms, usually far fewer.
 * Null when either group has no customers.
 */
export function probabilityTestBetter(
  testResponders: number,
  testCustomers: number,
  controlResponders: number,
  controlCustomers: number,
): number | null {
  if (testCustomers <= 0 || controlCustomers <= 0) return null;
  const aT = 1 + testResponders;
  const bT = 1 + testCustomers - testResponders;
  const aC = 1 + controlResponders;
  const bC = 1 + controlCustomers - controlResponders;
  // P(test > control) four ways; each sums as many terms as its first "a" argument.
  const shortest = Math.min(aT, aC, bT, bC);
  if (shortest === aT) return probabilityBAboveA(aC, bC, aT, bT);
  if (shortest === aC) return 1 - probabilityBAboveA(aT, bT, aC, bC);
  // test > control ⇔ 1 − control > 1 − test, with 1 − p ~ Beta(b, a).
  if (shortest === bC) return probabilityBAboveA(bT, aT, bC, aC);
  return 1 - probabilityBAboveA(bC, aC, bT, aT);
}

/** Evan Miller's sum for P(B > A), a_B terms, in log space. */
function probabilityBAboveA(aA: number, bA: number, aB: number, bB: number): number {
  const constant = -betaln(aA, bA);
  // A running log-sum-exp: the largest term so far and the sum of the others scaled by it.
  let max = Number.NEGATIVE_INFINITY;
  let scaled = 0;
  for (let i = 0; i < aB; i++) {
    const term = betaln(aA + i, bA + bB) - Math.log(bB + i) - betaln(1 + i, bB) + constant;
    if (term > max) {
      scaled = scaled * Math.exp(max - term) + 1;
      max = term;
    } else {
      scaled += Math.exp(term - max);
    }
  }
  const p = Math.exp(max + Math.log(scaled));
  // Rounding can carry a probability of 1 a hair past it.
  return Math.min(1, Math.max(0, p));
}

/**
 * The smallest response-rate uplift (a fraction; ×100 for points) a two-sided 5% test detects
 * with 80% power, for an expected response rate p: (z_{0.975} + z_{0.80})·√(p(1−p)(1/n_t + 1/n_c)).
 * Null when p is null or a group is empty, and when p is 0 or 1: a group where nobody (or
 * everybody) bought gives no variation to size the test by, not an uplift of 0 detectable.
 */
export function minimumDetectableUplift(
  responseRate: number | null,
  testCustomers: number,
  controlCustomers: number,
): number | null {
  if (responseRate === null || testCustomers <= 0 || controlCustomers <= 0) return null;
  if (!(responseRate >= 0 && responseRate <= 1)) {
    throw new RangeError(`response rate must be a fraction from 0 to 1, got ${responseRate}`);
  }
  if (responseRate === 0 || responseRate === 1) return null;
  return (
    (Z_95 + Z_POWER_80) *
    Math.sqrt(responseRate * (1 - responseRate) * (1 / testCustomers + 1 / controlCustomers))
  );
}
