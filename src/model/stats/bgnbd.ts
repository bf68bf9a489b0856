import { BgNbdEvaluator, type PreparedSummaries, prepareSummaries } from "./bgnbd-likelihood.ts";
import { numericalHessian, standardErrorsFromHessian } from "./hessian.ts";
import { minimizeNelderMead } from "./nelder-mead.ts";
import { type MinimizeResult, minimizeBfgs } from "./optimize.ts";

export {
  expectedPurchases,
  expectedPurchasesIfAlive,
  expectedPurchasesNewCustomer,
  probabilityAlive,
  probabilityOfNoPurchases,
} from "./bgnbd-predictions.ts";

/**
 * The BG/NBD model (Fader, Hardie & Lee 2005, "Counting your customers the easy way"): while
 * alive, a customer buys at rate λ ~ Gamma(r, α); after each repeat purchase they drop out with
 * probability p ~ Beta(a, b). Time is in the unit of the summaries (days or weeks).
 */
export interface BgNbdParams {
  r: number;
  alpha: number;
  a: number;
  b: number;
}

/**
 * Per-customer summaries, one row each: x repeat purchase days, recency t_x and age T (both from
 * the first purchase), optionally a weight (how many customers share the row).
 */
export interface SummaryColumns {
  x: Float64Array;
  tx: Float64Array;
  T: Float64Array;
  weight?: Float64Array;
}

/** A maximum-likelihood fit of the BG/NBD. */
export interface BgNbdFit {
  params: BgNbdParams;
  logLikelihood: number;
  /** From the observed information (numerical Hessian at the optimum); NaN if not identified. */
  standardErrors: BgNbdParams;
  iterations: number;
  converged: boolean;
}

const toParams = (v: ArrayLike<number>): BgNbdParams => ({
  r: v[0] as number,
  alpha: v[1] as number,
  a: v[2] as number,
  b: v[3] as number,
});

/** The BG/NBD log-likelihood of the summaries (weighted sum over rows). */
export function bgnbdLogLikelihood(params: BgNbdParams, data: SummaryColumns): number {
  return new BgNbdEvaluator(prepareSummaries(data)).evaluate(params);
}

/** A start with the right time scale: mean purchase rate r/α equal to the observed one. */
function initialParams(data: PreparedSummaries): BgNbdParams {
  let purchases = 0;
  for (let x = 0; x <= data.maxX; x++) purchases += x * (data.weightByX[x] as number);
  let exposure = 0;
  for (let j = 0; j < data.zeroT.length; j++) {
    exposure += (data.zeroT[j] as number) * (data.zeroWeight[j] as number);
  }
  for (let i = 0; i < data.repeatX.length; i++) {
    exposure += (data.repeatT[i] as number) * (data.repeatWeight[i] as number);
  }
  const alpha = purchases > 0 && exposure > 0 ? exposure / purchases : 1;
  return { r: 1, alpha, a: 1, b: 1 };
}

/**
 * Fits the BG/NBD by maximum likelihood: BFGS on the log-parameters with the analytic gradient
 * (Nelder–Mead to recover if BFGS stalls), standard errors from the numerical Hessian.
 */
export function fitBgNbd(data: SummaryColumns, options: { initial?: BgNbdParams } = {}): BgNbdFit {
  const prepared = prepareSummaries(data);
  const evaluator = new BgNbdEvaluator(prepared);
  const scale = 1 / prepared.totalWeight;
  const natural = new Float64Array(4);
  // The optimizer sees the mean negative log-likelihood in log-parameters: unconstrained, and the
  // same tolerances suit ten customers and ten million.
  const objective = (theta: Float64Array, gradient: Float64Array): number => {
    const p = toParams(theta.map(Math.exp));
    const ll = evaluator.evaluate(p, natural);
    const values = [p.r, p.alpha, p.a, p.b];
    for (let i = 0; i < 4; i++)
      gradient[i] = -(natural[i] as number) * (values[i] as number) * scale;
    return -ll * scale;
  };
  const start = options.initial ?? initialParams(prepared);
  const logStart = [start.r, start.alpha, start.a, start.b].map(Math.log);
  let result: MinimizeResult = minimizeBfgs(objective, logStart, { gradientTolerance: 1e-9 });
  let iterations = result.iterations;
  if (!result.converged) {
    const scratch = new Float64Array(4);
    const polished = minimizeNelderMead((theta) => objective(theta, scratch), result.x, {
      tolerance: 1e-12,
    });
    result = minimizeBfgs(objective, polished.x, { gradientTolerance: 1e-9 });
    iterations += polished.iterations + result.iterations;
  }
  const params = toParams(result.x.map(Math.exp));
  const hessian = numericalHessian(
    (point, out) => {
      evaluator.evaluate(toParams(point), out);
    },
    Float64Array.from([params.r, params.alpha, params.a, params.b]),
  );
  return {
    params,
    logLikelihood: evaluator.evaluate(params),
    standardErrors: toParams(standardErrorsFromHessian(hessian, 4)),
    iterations,
    converged: result.converged,
  };
}
