import tcdf from "@stdlib/stats-base-dists-t-cdf";
import tquantile from "@stdlib/stats-base-dists-t-quantile";
import {
  addMoments,
  type GroupMoments,
  NOISE,
  type SampleCovariance,
  sampleCovariance,
} from "./moments.ts";
import { Z_95 } from "./proportions.ts";

/** Revenue per customer of two groups compared with Welch's t-test. */
export interface RevenueComparison {
  test: number | null;
  control: number | null;
  uplift: number | null;
  relativeUplift: number | null;
  ci95: [number, number] | null;
  pValue: number | null;
  degreesOfFreedom: number | null;
}

/** CUPED: revenue uplift adjusted by pre-period revenue. */
export interface CupedComparison {
  theta: number | null;
  uplift: number | null;
  ci95: [number, number] | null;
  varianceReduction: number | null;
}

/**
 * Welch's t-test on revenue per customer (customers without a purchase count as 0): sample
 * variances (n − 1), Welch–Satterthwaite degrees of freedom, two-sided p from Student's t.
 * The test is null when a group has fewer than 2 customers or its revenue varies not at all.
 */
export function compareRevenue(test: GroupMoments, control: GroupMoments): RevenueComparison {
  const meanT = test.customers > 0 ? test.revenue / test.customers : null;
  const meanC = control.customers > 0 ? control.revenue / control.customers : null;
  const uplift = meanT !== null && meanC !== null ? meanT - meanC : null;
  const result: RevenueComparison = {
    test: meanT,
    control: meanC,
    uplift,
    relativeUplift: uplift !== null && meanC !== null && meanC !== 0 ? uplift / meanC : null,
    ci95: null,
    pValue: null,
    degreesOfFreedom: null,
  };
  const t = sampleCovariance(test);
  const c = sampleCovariance(control);
  if (uplift === null || t === null || c === null || t.varY === 0 || c.varY === 0) return result;
  const vT = t.varY / t.n;
  const vC = c.varY / c.n;
  const se = Math.sqrt(vT + vC);
  const df = (vT + vC) ** 2 / (vT ** 2 / (t.n - 1) + vC ** 2 / (c.n - 1));
  const half = tquantile(0.975, df) * se;
  result.pValue = 2 * tcdf(-Math.abs(uplift / se), df);
  result.ci95 = [uplift - half, uplift + half];
  result.degreesOfFreedom = df;
  return result;
}

/**
 * CUPED (Deng et al. 2013): Y′ = Y − θ(X − mean X) with θ = cov(Y, X)/var(X) over both groups
 * together, so the adjustment is the same for both and the uplift stays unbiased; the interval is
 * normal with each group's own variance of Y′, derived from its moments as
 * var(Y′) = var(Y) − 2θ·cov(X, Y) + θ²·var(X). All null when X does not vary over both groups or a
 * group has fewer than 2 customers.
 */
export function compareCuped(test: GroupMoments, control: GroupMoments): CupedComparison {
  const none: CupedComparison = { theta: null, uplift: null, ci95: null, varianceReduction: null };
  const t = sampleCovariance(test);
  const c = sampleCovariance(control);
  const all = sampleCovariance(addMoments(test, control));
  if (t === null || c === null || all === null || all.varX === 0) return none;
  const theta = all.covXY / all.varX;
  const uplift = t.meanY - c.meanY - theta * (t.meanX - c.meanX);
  const adjustedVariance = (g: SampleCovariance) => {
    const v = g.varY - 2 * theta * g.covXY + theta * theta * g.varX;
    return v <= NOISE * (g.varY + theta * theta * g.varX) ? 0 : v;
  };
  const adjusted = adjustedVariance(t) / t.n + adjustedVariance(c) / c.n;
  const plain = t.varY / t.n + c.varY / c.n;
  const se = Math.sqrt(adjusted);
  return {
    theta,
    uplift,
    ci95: se > 0 ? [uplift - Z_95 * se, uplift + Z_95 * se] : null,
    varianceReduction: plain > 0 ? 1 - adjusted / plain : null,
  };
}
