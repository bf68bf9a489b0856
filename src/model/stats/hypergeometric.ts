import gammaln from "@stdlib/math-base-special-gammaln";

/**
 * The Gauss hypergeometric function ₂F₁ on 0 ≤ z < 1, which the BG/NBD's conditional expectation
 * needs. No maintained npm package offered a tested one (stdlib's was a first 0.1 release), so it
 * is here, with the convergence region handled explicitly: the power series where it converges
 * quickly, and the 1 − z connection formula (DLMF 15.8.4) near z = 1, where the series needs
 * ~1/(1 − z) terms and its sum can overflow although the scaled result is moderate.
 */

/** Relative size of a term at which a series is considered summed. */
const SERIES_EPSILON = 1e-16;
/** Rounding error of one floating-point step, with some room for the gamma functions. */
const ROUNDING = 4e-16;
/** Terms the direct series may take before z > ½ tries the connection formula. */
export const DIRECT_TERMS_NEAR_ONE = 500;
/** Terms any series may take: z ≤ ½ converges at least like 2⁻ⁿ once past its parameters, and
 *  near 1 the series is the fallback when the connection formula is ill-conditioned. */
export const MAX_TERMS = 1_000_000;
/** The connection formula is used when its estimated relative error is below this. */
export const ACCEPTED_ERROR = 1e-9;
/** Within this of an integer, c − a − b is degenerate for the connection formula. */
const DEGENERACY = 1e-5;
const RESCALE = 1e250;
const LOG_RESCALE = Math.log(RESCALE);

/** A computed value with a bound on its rounding error (absolute). */
export interface Estimate {
  value: number;
  error: number;
}

/**
 * A partial sum, kept as sum × e^logScale so that large intermediate values cannot overflow;
 * absSum (same scale) is Σ|term|, which bounds the rounding error of an alternating series.
 */
export interface SeriesSum {
  sum: number;
  absSum: number;
  logScale: number;
  converged: boolean;
}

/**
 * Sums Σ_{n ≥ start} t_n with t_start = first and t_{n+1} = t_n (a+n)(b+n) z / ((c+n)(n+1)),
 * the tail of a ₂F₁ series from term `start` on. It stops once the remaining tail is below
 * SERIES_EPSILON of the sum: past the turning point of the term ratio, later ratios are bounded by
 * max(next ratio, z), which bounds the tail geometrically.
 */
export function hypergeometricTail(
  first: number,
  a: number,
  b: number,
  c: number,
  start: number,
  z: number,
  maxTerms = MAX_TERMS,
): SeriesSum {
  let term = first;
  let sum = first;
  let absSum = Math.abs(first);
  let logScale = 0;
  // Beyond this index the ratio of consecutive terms moves monotonically towards z.
  const settled = start + Math.abs(a) + Math.abs(b) + Math.abs(c) + 2;
  for (let n = start; n < start + maxTerms; n++) {
    term *= (((a + n) * (b + n)) / ((c + n) * (n + 1))) * z;
    sum += term;
    absSum += Math.abs(term);
    if (term === 0) return { sum, absSum, logScale, converged: true };
    if (!Number.isFinite(sum)) return { sum, absSum, logScale, converged: false };
    if (absSum > RESCALE) {
      sum /= RESCALE;
      absSum /= RESCALE;
      term /= RESCALE;
      logScale += LOG_RESCALE;
    }
    const next = Math.abs((((a + n + 1) * (b + n + 1)) / ((c + n + 1) * (n + 2))) * z);
    const bound = n >= settled ? Math.max(next, z) : next;
    if (bound < 1 && Math.abs(term) * (bound / (1 - bound)) <= SERIES_EPSILON * Math.abs(sum)) {
      return { sum, absSum, logScale, converged: true };
    }
  }
  return { sum, absSum, logScale, converged: false };
}

/** ln|Γ(x)| and the sign of Γ(x); sign 0 at the poles (x = 0, −1, −2, …), where 1/Γ(x) = 0. */
export function logGammaSigned(x: number): { log: number; sign: number } {
  if (x > 0) return { log: gammaln(x), sign: 1 };
  if (Number.isInteger(x)) return { log: Number.POSITIVE_INFINITY, sign: 0 };
  // Γ alternates in sign between consecutive negative integers: negative on (−1, 0).
  return { log: gammaln(x), sign: Math.ceil(-x) % 2 === 1 ? -1 : 1 };
}

/**
 * One term of the connection formula: e^{logScale} · Γ(n₁)Γ(n₂)/(Γ(d₁)Γ(d₂)) · ₂F₁(a, b; c; w),
 * zero when a Γ in the denominator has a pole. Its error counts the series' cancellation and the
 * rounding of the log-gamma values (relative error ~ ε·|ln Γ| once exponentiated).
 */
function connectionTerm(
  numerator: [number, number],
  denominator: [number, number],
  series: [number, number, number],
  w: number,
  logScale: number,
): Estimate {
  const n1 = logGammaSigned(numerator[0]);
  const n2 = logGammaSigned(numerator[1]);
  const d1 = logGammaSigned(denominator[0]);
  const d2 = logGammaSigned(denominator[1]);
  if (d1.sign === 0 || d2.sign === 0) return { value: 0, error: 0 };
  const sum = hypergeometricTail(1, series[0], series[1], series[2], 0, w);
  if (!sum.converged) return { value: Number.NaN, error: Number.POSITIVE_INFINITY };
  const log = n1.log + n2.log - d1.log - d2.log + sum.logScale + logScale;
  const prefactor = n1.sign * n2.sign * d1.sign * d2.sign * Math.exp(log);
  const value = prefactor * sum.sum;
  const logRounding =
    ROUNDING * (Math.abs(n1.log) + Math.abs(n2.log) + Math.abs(d1.log) + Math.abs(d2.log));
  const error = Math.abs(prefactor) * sum.absSum * ROUNDING * 4 + Math.abs(value) * logRounding;
  return { value, error };
}

/** ₂F₁ by the 1 − z connection formula (DLMF 15.8.4), for c − a − b not an integer. */
function connectionFormula(a: number, b: number, c: number, w: number, logScale: number): Estimate {
  const m = c - a - b;
  const first = connectionTerm([c, m], [c - a, c - b], [a, b, 1 - m], w, logScale);
  const second = connectionTerm(
    [c, -m],
    [a, b],
    [c - a, c - b, 1 + m],
    w,
    logScale + m * Math.log(w),
  );
  const value = first.value + second.value;
  const error =
    first.error + second.error + ROUNDING * (Math.abs(first.value) + Math.abs(second.value));
  return { value, error };
}

/**
 * e^{logScale} · ₂F₁(a, b; c; 1 − w) by the connection formula, with its error bound. At integer
 * c − a − b the formula's two terms have poles that cancel; ₂F₁ is analytic in c, so there it is
 * interpolated from points on either side.
 */
export function hyp2f1Connection(
  a: number,
  b: number,
  c: number,
  w: number,
  logScale: number,
): Estimate {
  const m = c - a - b;
  const nearest = Math.round(m);
  if (Math.abs(m - nearest) >= DEGENERACY) return connectionFormula(a, b, c, w, logScale);
  return interpolateAcross(
    (shifted) => connectionFormula(a, b, shifted, w, logScale),
    c + (nearest - m),
    c,
    DEGENERACY,
  );
}

/**
 * f(at) for `at` near a removable singularity `center` of a formula f that is analytic there but
 * cannot be evaluated close to it: the cubic through f(center ± step) and f(center ± 2·step),
 * accurate to O(step⁴) while the formula is evaluated no closer than `step`.
 */
export function interpolateAcross(
  f: (at: number) => Estimate,
  center: number,
  at: number,
  step: number,
): Estimate {
  const nodes = [-2, -1, 1, 2];
  const u = (at - center) / step;
  let value = 0;
  let error = 0;
  for (const node of nodes) {
    let weight = 1;
    for (const other of nodes) if (other !== node) weight *= (u - other) / (node - other);
    const point = f(center + node * step);
    value += weight * point.value;
    error += Math.abs(weight) * point.error;
  }
  return { value, error };
}

/**
 * e^{logScale} · ₂F₁(a, b; c; z) for 0 ≤ z < 1, with an error bound (pass `w` = 1 − z when it is
 * known more exactly than 1 − z rounds). The scale lets callers multiply by a tiny or huge
 * factor, such as (1 − z)^k, without the intermediate ₂F₁ overflowing. Order of methods: the power
 * series while it converges quickly; near z = 1 the connection formula, unless its terms cancel
 * (large parameters), and then the power series however long it takes.
 */
export function hyp2f1Estimate(
  a: number,
  b: number,
  c: number,
  z: number,
  logScale = 0,
  w = 1 - z,
): Estimate {
  if (z === 0) return { value: Math.exp(logScale), error: 0 };
  const fromSeries = (sum: SeriesSum): Estimate => {
    const scale = Math.exp(sum.logScale + logScale);
    return { value: sum.sum * scale, error: sum.absSum * scale * ROUNDING * 4 };
  };
  const direct = hypergeometricTail(1, a, b, c, 0, z, z <= 0.5 ? MAX_TERMS : DIRECT_TERMS_NEAR_ONE);
  if (direct.converged && Number.isFinite(direct.sum)) return fromSeries(direct);
  const connection = hyp2f1Connection(a, b, c, w, logScale);
  if (connection.error <= ACCEPTED_ERROR * Math.abs(connection.value)) return connection;
  const long = hypergeometricTail(1, a, b, c, 0, z, MAX_TERMS);
  if (long.converged && Number.isFinite(long.sum)) return fromSeries(long);
  return connection;
}

/** e^{logScale} · ₂F₁(a, b; c; z) for 0 ≤ z < 1 (see hyp2f1Estimate). */
export function hyp2f1Scaled(
  a: number,
  b: number,
  c: number,
  z: number,
  logScale = 0,
  w = 1 - z,
): number {
  return hyp2f1Estimate(a, b, c, z, logScale, w).value;
}

/** ₂F₁(a, b; c; z) for 0 ≤ z < 1. */
export function hyp2f1(a: number, b: number, c: number, z: number): number {
  return hyp2f1Scaled(a, b, c, z);
}
