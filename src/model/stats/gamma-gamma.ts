import digamma from "@stdlib/math-base-special-digamma";
import gammaln from "@stdlib/math-base-special-gammaln";
import { distinctValues } from "./distinct.ts";
import { ModelInputError } from "./errors.ts";
import { numericalHessian, standardErrorsFromHessian } from "./hessian.ts";
import { minimizeNelderMead } from "./nelder-mead.ts";
import { minimizeBfgs } from "./optimize.ts";

/**
 * The Gamma-Gamma model of spend per purchase (Fader & Hardie, "The Gamma-Gamma model of monetary
 * value", 2013; Colombo & Jiang 1999): a customer's purchase amounts are Gamma(p, ν) with
 * ν ~ Gamma(q, γ), independent of the purchase process.
 */
export interface GammaGammaParams {
  p: number;
  q: number;
  gamma: number;
}

/** A maximum-likelihood fit of the Gamma-Gamma model. */
export interface GammaGammaFit {
  params: GammaGammaParams;
  /** In the form of the density of each customer's mean spend (see gammaGammaLogLikelihood). */
  logLikelihood: number;
  standardErrors: GammaGammaParams;
  /** Customers fitted: x > 0 and mean spend > 0. */
  customers: number;
  converged: boolean;
}

/** Repeat buyers with positive mean spend, arranged for repeated evaluation. */
interface GammaGammaData {
  /** Distinct x values and each row's position among them. */
  xValues: Float64Array;
  xIndex: Int32Array;
  x: Float64Array;
  m: Float64Array;
  /** Σ over customers of (ln x + ln m) x and of −ln m: the parameter-free parts of the LL. */
  sumXLogXM: number;
  sumLogM: number;
}

function prepare(x: Float64Array, meanSpend: Float64Array): GammaGammaData {
  if (x.length !== meanSpend.length)
    throw new ModelInputError("x and meanSpend must have the same length");
  const keepX: number[] = [];
  const keepM: number[] = [];
  for (let i = 0; i < x.length; i++) {
    const xi = x[i] as number;
    const mi = meanSpend[i] as number;
    if (!Number.isFinite(xi) || !Number.isFinite(mi)) {
      throw new ModelInputError(`row ${i}: x and meanSpend must be finite numbers`);
    }
    if (xi > 0 && mi > 0) {
      keepX.push(xi);
      keepM.push(mi);
    }
  }
  const xs = Float64Array.from(keepX);
  const ms = Float64Array.from(keepM);
  const distinct = distinctValues(xs);
  let sumXLogXM = 0;
  let sumLogM = 0;
  for (let i = 0; i < xs.length; i++) {
    const xi = xs[i] as number;
    const lm = Math.log(ms[i] as number);
    sumXLogXM += xi * (Math.log(xi) + lm);
    sumLogM -= lm;
  }
  return { xValues: distinct.values, xIndex: distinct.index, x: xs, m: ms, sumXLogXM, sumLogM };
}

/**
 * Σ ln f(m_x | x) over customers, with f the density of a customer's mean spend m_x over x
 * purchases (note 025, eq. 3, times x^{px} from the change of variable to the mean):
 *   ln Γ(px+q) − ln Γ(px) − ln Γ(q) + q ln γ + (px−1) ln m_x + px ln x − (px+q) ln(γ + x m_x).
 * This is the form the `lifetimes` package reports; the likelihood of the individual purchase
 * amounts differs from it by a term that depends on the amounts only, not on (p, q, γ).
 * Writes the gradient in (p, q, γ) when asked.
 */
function evaluate(data: GammaGammaData, params: GammaGammaParams, gradient?: Float64Array): number {
  const { p, q, gamma } = params;
  if (!(p > 0 && q > 0 && gamma > 0) || !Number.isFinite(p + q + gamma)) {
    gradient?.fill(Number.NaN);
    return Number.NaN;
  }
  const k = data.xValues.length;
  const lgPxQ = new Float64Array(k);
  const psiPxQ = new Float64Array(k);
  const lgPx = new Float64Array(k);
  const psiPx = new Float64Array(k);
  for (let j = 0; j < k; j++) {
    const px = p * (data.xValues[j] as number);
    lgPxQ[j] = gammaln(px + q);
    lgPx[j] = gammaln(px);
    psiPxQ[j] = digamma(px + q);
    psiPx[j] = digamma(px);
  }
  const n = data.x.length;
  const lnGamma = Math.log(gamma);
  let ll = n * (q * lnGamma - gammaln(q)) + p * data.sumXLogXM + data.sumLogM;
  let gP = data.sumXLogXM;
  let gQ = n * (lnGamma - digamma(q));
  let gGamma = (n * q) / gamma;
  for (let i = 0; i < n; i++) {
    const j = data.xIndex[i] as number;
    const x = data.x[i] as number;
    const v = gamma + x * (data.m[i] as number);
    const lnV = Math.log(v);
    const c = p * x + q;
    ll += (lgPxQ[j] as number) - (lgPx[j] as number) - c * lnV;
    const psiDiff = (psiPxQ[j] as number) - (psiPx[j] as number);
    gP += x * (psiDiff - lnV);
    gQ += (psiPxQ[j] as number) - lnV;
    gGamma -= c / v;
  }
  if (gradient) {
    gradient[0] = gP;
    gradient[1] = gQ;
    gradient[2] = gGamma;
  }
  return ll;
}

/** The Gamma-Gamma log-likelihood (lifetimes form) of the customers with x > 0 and meanSpend > 0. */
export function gammaGammaLogLikelihood(
  params: GammaGammaParams,
  x: Float64Array,
  meanSpend: Float64Array,
): number {
  return evaluate(prepare(x, meanSpend), params);
}

const toParams = (v: ArrayLike<number>): GammaGammaParams => ({
  p: v[0] as number,
  q: v[1] as number,
  gamma: v[2] as number,
});

/** Fits the Gamma-Gamma model by maximum likelihood on the customers with x > 0 and meanSpend > 0. */
export function fitGammaGamma(x: Float64Array, meanSpend: Float64Array): GammaGammaFit {
  const data = prepare(x, meanSpend);
  const n = data.x.length;
  if (n === 0) throw new ModelInputError("no repeat buyers with a positive mean spend to fit");
  const natural = new Float64Array(3);
  const objective = (theta: Float64Array, gradient: Float64Array): number => {
    const params = toParams(theta.map(Math.exp));
    const ll = evaluate(data, params, natural);
    const values = [params.p, params.q, params.gamma];
    for (let i = 0; i < 3; i++) gradient[i] = (-(natural[i] as number) * (values[i] as number)) / n;
    return -ll / n;
  };
  // Start where the population mean spend pγ/(q−1) equals the observed mean.
  let mean = 0;
  for (const m of data.m) mean += m / n;
  const start = [Math.log(1), Math.log(2), Math.log(mean)];
  let result = minimizeBfgs(objective, start, { gradientTolerance: 1e-9 });
  if (!result.converged) {
    const scratch = new Float64Array(3);
    const polished = minimizeNelderMead((theta) => objective(theta, scratch), result.x, {
      tolerance: 1e-12,
    });
    result = minimizeBfgs(objective, polished.x, { gradientTolerance: 1e-9 });
  }
  const params = toParams(result.x.map(Math.exp));
  const hessian = numericalHessian(
    (point, out) => {
      evaluate(data, toParams(point), out);
    },
    Float64Array.from([params.p, params.q, params.gamma]),
  );
  return {
    params,
    logLikelihood: evaluate(data, params),
    standardErrors: toParams(standardErrorsFromHessian(hessian, 3)),
    customers: n,
    converged: result.converged,
  };
}

/**
 * E[M | x, m_x]: a customer's expected spend per purchase, a weighted mean of the population mean
 * pγ/(q−1) and their own mean m_x (note 025, eq. 5). Customers without repeat purchases (x = 0)
 * get the population mean. Requires q > 1 (otherwise the population mean is infinite).
 */
export function expectedAverageSpend(p: GammaGammaParams, x: number, meanSpend: number): number {
  const denominator = p.p * x + p.q - 1;
  const own = x > 0 ? meanSpend : 0;
  return (p.p * (p.gamma + x * own)) / denominator;
}
