/**
 * The statistics of a campaign analysis, test group against control group: pure functions of
 * each group's sufficient statistics (GroupMoments, summed in SQL by the caller). The pieces live
 * in stats/; this file is their one entry point.
 *
 * Definitions (rates are fractions, never percents; "points" are fractions × 100):
 * - Response rate = responders / customers; uplift = test − control; relative uplift = uplift /
 *   control. Two-sided two-proportion z-test: pooled SE for the p-value, unpooled SE for the 95%
 *   interval of the difference (z = 1.959964).
 * - Revenue per customer = Σ Y / n (customers without a purchase count as 0). Welch's t-test:
 *   sample variances (n − 1), Welch–Satterthwaite df, p and interval from Student's t.
 * - CUPED: θ = cov(Y, X)/var(X) over both groups together; uplift = mean Y′_test − mean
 *   Y′_control with Y′ = Y − θ(X − mean X); normal 95% interval from each group's variance of Y′;
 *   varianceReduction = 1 − (s′²_t/n_t + s′²_c/n_c)/(s²_t/n_t + s²_c/n_c).
 * - probabilityTestBetter: P(p_test > p_control) with Beta(1 + responders, 1 + non-responders)
 *   posteriors, exact (Evan Miller's sum in log space).
 * - incremental = uplift × test customers (responders; revenue).
 * - significance and verdict judge the response rate (see significanceOf).
 *
 * Null rules (never NaN or ±Infinity; test/fixtures/analysis/make_fixture.py applies the same):
 * - A group with 0 customers: its rate and mean are null, and so is every comparison.
 * - relativeUplift is null when the control figure is 0.
 * - Response rate: the z-test p is null when the pooled rate is 0 or 1; its interval is null when
 *   the unpooled SE is 0.
 * - Revenue: Welch's pValue, ci95 and degreesOfFreedom are null when either group has fewer than
 *   2 customers or either group's revenue variance is 0 (a group with zero variance gives a null
 *   Welch test).
 * - CUPED: everything is null when var(X) over both groups is 0 or a group has fewer than 2
 *   customers; ci95 is null when the adjusted SE is 0; varianceReduction when the plain SE is 0.
 * - probabilityTestBetter is null when either group has 0 customers.
 * - incremental is null where its uplift is null.
 * - A variance or covariance computed from moments that comes out ≤ 1e-12 × its scale (Σ Y² for
 *   a sum of squared deviations) is 0: rounding noise, not variation.
 */
export { compareGroups, type GroupComparison, type GroupTotals } from "./stats/compare.ts";
export { type CustomerFigures, type GroupMoments, momentsOf } from "./stats/moments.ts";
export {
  minimumDetectableUplift,
  probabilityTestBetter,
  type RateComparison,
} from "./stats/proportions.ts";
export type { CupedComparison, RevenueComparison } from "./stats/revenue.ts";
export {
  formatPoints,
  type Significance,
  significanceOf,
  type VerdictInput,
  verdictText,
} from "./stats/verdict.ts";
