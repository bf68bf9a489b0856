import type { BgNbdParams, SummaryColumns } from "./bgnbd.ts";
import { distinctValues } from "./distinct.ts";
import { ModelInputError } from "./errors.ts";

/**
 * The BG/NBD log-likelihood (Fader, Hardie & Lee 2005, eq. 6) and its gradient, arranged for
 * speed: everything that does not depend on the parameters is computed once, so an evaluation
 * costs one exp and one log1p per repeat buyer plus work per *distinct* value of x and T.
 *
 * Per customer, with δ = [x > 0]:
 *   ℓ = ln Γ(r+x) − ln Γ(r) + r ln α + ln B(a, b+x) − ln B(a, b) + ln(e^{A₃} + δ e^{A₄})
 *   A₃ = −(r+x) ln(α+T),   A₄ = ln a − ln(b+x−1) − (r+x) ln(α+t_x)
 * The two terms are combined by log-sum-exp, so neither underflows for large x. For integer x the
 * gamma ratios are finite sums, ln Γ(r+x) − ln Γ(r) = Σ_{k<x} ln(r+k), shared by all customers with
 * the same x (and their derivatives are Σ 1/(r+k), with no digamma needed).
 */

/** Summaries checked and rearranged for repeated evaluation. */
export interface PreparedSummaries {
  totalWeight: number;
  maxX: number;
  /** Total weight of the customers with each x = 0 … maxX. */
  weightByX: Float64Array;
  /** Distinct T values, and the total weight of the x = 0 customers at each. */
  distinctT: Float64Array;
  zeroWeightByT: Float64Array;
  distinctTx: Float64Array;
  /** Repeat buyers (x > 0): x, positions of T and t_x among the distinct values, weight. */
  repeatX: Int32Array;
  repeatT: Int32Array;
  repeatTx: Int32Array;
  repeatWeight: Float64Array;
}

/** Checks summary columns and precomputes what the likelihood needs from them. */
export function prepareSummaries(data: SummaryColumns): PreparedSummaries {
  const n = data.x.length;
  if (data.tx.length !== n || data.T.length !== n || (data.weight && data.weight.length !== n)) {
    throw new ModelInputError("x, tx, T (and weight) must have the same length");
  }
  let maxX = 0;
  let repeatRows = 0;
  let totalWeight = 0;
  for (let i = 0; i < n; i++) {
    const x = data.x[i] as number;
    const tx = data.tx[i] as number;
    const T = data.T[i] as number;
    const w = data.weight ? (data.weight[i] as number) : 1;
    if (!(Number.isInteger(x) && x >= 0)) {
      throw new ModelInputError(`row ${i}: x must be a whole number ≥ 0, got ${x}`);
    }
    if (!(T >= 0 && Number.isFinite(T)))
      throw new ModelInputError(`row ${i}: T must be ≥ 0, got ${T}`);
    if (x > 0 && !(tx >= 0 && tx <= T)) {
      throw new ModelInputError(`row ${i}: t_x must be between 0 and T (${T}), got ${tx}`);
    }
    if (!(w >= 0 && Number.isFinite(w)))
      throw new ModelInputError(`row ${i}: weight must be ≥ 0, got ${w}`);
    if (w === 0) continue;
    totalWeight += w;
    maxX = Math.max(maxX, x);
    if (x > 0) repeatRows++;
  }
  if (!(totalWeight > 0))
    throw new ModelInputError("no customers to fit (empty data or all weights 0)");
  const T = distinctValues(data.T);
  const weightByX = new Float64Array(maxX + 1);
  const zeroWeightByT = new Float64Array(T.values.length);
  const repeatX = new Int32Array(repeatRows);
  const repeatT = new Int32Array(repeatRows);
  const repeatTxValues = new Float64Array(repeatRows);
  const repeatWeight = new Float64Array(repeatRows);
  let r = 0;
  for (let i = 0; i < n; i++) {
    const w = data.weight ? (data.weight[i] as number) : 1;
    if (w === 0) continue;
    const x = data.x[i] as number;
    weightByX[x] = (weightByX[x] as number) + w;
    const t = T.index[i] as number;
    if (x === 0) {
      zeroWeightByT[t] = (zeroWeightByT[t] as number) + w;
      continue;
    }
    repeatX[r] = x;
    repeatT[r] = t;
    repeatTxValues[r] = data.tx[i] as number;
    repeatWeight[r] = w;
    r++;
  }
  const tx = distinctValues(repeatTxValues);
  return {
    totalWeight,
    maxX,
    weightByX,
    distinctT: T.values,
    zeroWeightByT,
    distinctTx: tx.values,
    repeatX,
    repeatT,
    repeatTx: tx.index,
    repeatWeight,
  };
}

/** Scratch arrays reused across evaluations (one fit evaluates the likelihood ~100 times). */
export class BgNbdEvaluator {
  private readonly lnT: Float64Array;
  private readonly invT: Float64Array;
  private readonly lnTx: Float64Array;
  private readonly invTx: Float64Array;
  private readonly lnBx: Float64Array;
  private readonly invBx: Float64Array;

  constructor(readonly data: PreparedSummaries) {
    this.lnT = new Float64Array(data.distinctT.length);
    this.invT = new Float64Array(data.distinctT.length);
    this.lnTx = new Float64Array(data.distinctTx.length);
    this.invTx = new Float64Array(data.distinctTx.length);
    this.lnBx = new Float64Array(data.maxX + 1);
    this.invBx = new Float64Array(data.maxX + 1);
  }

  /**
   * The weighted log-likelihood at `p`; when `gradient` is given, also writes its partial
   * derivatives with respect to r, α, a, b there (in that order).
   */
  evaluate(p: BgNbdParams, gradient?: Float64Array): number {
    const { r, alpha, a, b } = p;
    if (!(r > 0 && alpha > 0 && a > 0 && b > 0) || !Number.isFinite(r + alpha + a + b)) {
      gradient?.fill(Number.NaN);
      return Number.NaN;
    }
    const d = this.data;
    const { lnT, invT, lnTx, invTx, lnBx, invBx } = this;
    for (let j = 0; j < d.distinctT.length; j++) {
      const v = alpha + (d.distinctT[j] as number);
      lnT[j] = Math.log(v);
      invT[j] = 1 / v;
    }
    for (let j = 0; j < d.distinctTx.length; j++) {
      const v = alpha + (d.distinctTx[j] as number);
      lnTx[j] = Math.log(v);
      invTx[j] = 1 / v;
    }
    // Terms that depend on x alone: running sums over k < x, weighted by the customers at each x.
    const lnAlpha = Math.log(alpha);
    let ll = r * lnAlpha * d.totalWeight;
    let gR = lnAlpha * d.totalWeight;
    let gAlpha = (r / alpha) * d.totalWeight;
    let gA = 0;
    let gB = 0;
    let sumLn = 0;
    let sumR = 0;
    let sumAB = 0;
    let sumB = 0;
    for (let x = 0; x <= d.maxX; x++) {
      if (x > 0) {
        const k = x - 1;
        sumLn += Math.log(r + k) - Math.log(a + b + k) + Math.log(b + k);
        sumR += 1 / (r + k);
        sumAB += 1 / (a + b + k);
        sumB += 1 / (b + k);
        lnBx[x] = Math.log(b + k);
        invBx[x] = 1 / (b + k);
      }
      const w = d.weightByX[x] as number;
      if (w === 0) continue;
      ll += w * sumLn;
      gR += w * sumR;
      gA -= w * sumAB;
      gB += w * (sumB - sumAB);
    }
    // Customers without repeat purchases: only the first term, e^{A₃} = (α+T)^{−r}.
    for (let j = 0; j < d.distinctT.length; j++) {
      const w = d.zeroWeightByT[j] as number;
      if (w === 0) continue;
      ll -= w * r * (lnT[j] as number);
      gR -= w * (lnT[j] as number);
      gAlpha -= w * r * (invT[j] as number);
    }
    // Repeat buyers: ln(e^{A₃} + e^{A₄}) by log-sum-exp; s = e^{A₄}/(e^{A₃}+e^{A₄}) is the
    // posterior probability that the customer dropped out after the last purchase.
    const lnA = Math.log(a);
    let sumDropped = 0;
    for (let i = 0; i < d.repeatX.length; i++) {
      const x = d.repeatX[i] as number;
      const w = d.repeatWeight[i] as number;
      const t = d.repeatT[i] as number;
      const tx = d.repeatTx[i] as number;
      const k = r + x;
      const a3 = -k * (lnT[t] as number);
      const a4 = lnA - (lnBx[x] as number) - k * (lnTx[tx] as number);
      const diff = a4 - a3;
      let s: number;
      if (diff > 0) {
        const e = Math.exp(-diff);
        ll += w * (a4 + Math.log1p(e));
        s = 1 / (1 + e);
      } else {
        const e = Math.exp(diff);
        ll += w * (a3 + Math.log1p(e));
        s = e / (1 + e);
      }
      const ws = w * s;
      const wAlive = w - ws;
      gR -= wAlive * (lnT[t] as number) + ws * (lnTx[tx] as number);
      gAlpha -= k * (wAlive * (invT[t] as number) + ws * (invTx[tx] as number));
      sumDropped += ws;
      gB -= ws * (invBx[x] as number);
    }
    gA += sumDropped / a;
    if (gradient) {
      gradient[0] = gR;
      gradient[1] = gAlpha;
      gradient[2] = gA;
      gradient[3] = gB;
    }
    return ll;
  }
}
