import type { BgNbdParams, SummaryColumns } from "./bgnbd.ts";
import { distinctValues } from "./distinct.ts";
import { ModelInputError } from "./errors.ts";

/**
 * The BG/NBD log-likelihood (Fader, Hardie & Lee 2005, eq. 6) and its gradient, arranged for
 * speed: everything that does not depend on the parameters is computed once, so an evaluation
 * costs a few logarithms per repeat buyer, and work per *distinct* x, and per distinct T among
 * the customers without repeat purchases.
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
  /** Distinct T of the customers without repeat purchases, and their total weight at each. */
  zeroT: Float64Array;
  zeroWeight: Float64Array;
  /** Repeat buyers (x > 0), one row each: x, T, t_x and weight. */
  repeatX: Int32Array;
  repeatT: Float64Array;
  repeatTx: Float64Array;
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
  const weightByX = new Float64Array(maxX + 1);
  const zeroTValues = new Float64Array(n - repeatRows);
  const zeroRowWeight = new Float64Array(n - repeatRows);
  const repeatX = new Int32Array(repeatRows);
  const repeatT = new Float64Array(repeatRows);
  const repeatTx = new Float64Array(repeatRows);
  const repeatWeight = new Float64Array(repeatRows);
  let r = 0;
  let z = 0;
  for (let i = 0; i < n; i++) {
    const w = data.weight ? (data.weight[i] as number) : 1;
    if (w === 0) continue;
    const x = data.x[i] as number;
    weightByX[x] = (weightByX[x] as number) + w;
    if (x === 0) {
      zeroTValues[z] = data.T[i] as number;
      zeroRowWeight[z++] = w;
      continue;
    }
    repeatX[r] = x;
    repeatT[r] = data.T[i] as number;
    repeatTx[r] = data.tx[i] as number;
    repeatWeight[r++] = w;
  }
  // Customers without repeat purchases differ only in T, and many share it (whole days).
  const zero = distinctValues(zeroTValues.subarray(0, z));
  const zeroWeight = new Float64Array(zero.values.length);
  for (let i = 0; i < z; i++) {
    const j = zero.index[i] as number;
    zeroWeight[j] = (zeroWeight[j] as number) + (zeroRowWeight[i] as number);
  }
  return {
    totalWeight,
    maxX,
    weightByX,
    zeroT: zero.values,
    zeroWeight,
    repeatX,
    repeatT,
    repeatTx,
    repeatWeight,
  };
}

/** Evaluates the likelihood of prepared summaries, reusing its scratch arrays across calls. */
export class BgNbdEvaluator {
  private readonly lnBx: Float64Array;
  private readonly invBx: Float64Array;

  constructor(readonly data: PreparedSummaries) {
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
    const { lnBx, invBx } = this;
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
    for (let j = 0; j < d.zeroT.length; j++) {
      const w = d.zeroWeight[j] as number;
      const v = alpha + (d.zeroT[j] as number);
      const lnT = Math.log(v);
      ll -= w * r * lnT;
      gR -= w * lnT;
      gAlpha -= (w * r) / v;
    }
    // Repeat buyers: ln(e^{A₃} + e^{A₄}) by log-sum-exp; s = e^{A₄}/(e^{A₃}+e^{A₄}) is the
    // posterior probability that the customer dropped out after the last purchase.
    const lnA = Math.log(a);
    let sumDropped = 0;
    let repeatSum = 0;
    let repeatCompensation = 0;
    for (let i = 0; i < d.repeatX.length; i++) {
      const x = d.repeatX[i] as number;
      const w = d.repeatWeight[i] as number;
      // Per row rather than per distinct value: with continuous times a lookup table would be as
      // long as the data and its random access slower than the logarithm.
      const vT = alpha + (d.repeatT[i] as number);
      const vTx = alpha + (d.repeatTx[i] as number);
      const lnT = Math.log(vT);
      const lnTx = Math.log(vTx);
      const k = r + x;
      const a3 = -k * lnT;
      const a4 = lnA - (lnBx[x] as number) - k * lnTx;
      const diff = a4 - a3;
      let s: number;
      let term: number;
      if (diff > 0) {
        const e = Math.exp(-diff);
        term = w * (a4 + Math.log1p(e));
        s = 1 / (1 + e);
      } else {
        const e = Math.exp(diff);
        term = w * (a3 + Math.log1p(e));
        s = e / (1 + e);
      }
      // Compensated (Neumaier) summation: over a million rows plain sums lose ~6 digits, and the
      // optimizer needs the total's last digits to see its final steps decrease it.
      const sum = repeatSum + term;
      repeatCompensation +=
        Math.abs(repeatSum) >= Math.abs(term) ? repeatSum - sum + term : term - sum + repeatSum;
      repeatSum = sum;
      const ws = w * s;
      const wAlive = w - ws;
      gR -= wAlive * lnT + ws * lnTx;
      gAlpha -= k * (wAlive / vT + ws / vTx);
      sumDropped += ws;
      gB -= ws * (invBx[x] as number);
    }
    ll += repeatSum + repeatCompensation;
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
