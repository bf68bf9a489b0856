/**
 * Observed information for maximum-likelihood fits: the Hessian of the log-likelihood by central
 * differences of its analytic gradient, and standard errors from its inverse.
 */

/** Writes the gradient of a function at `x` into `out`. */
export type Gradient = (x: Float64Array, out: Float64Array) => void;

/**
 * The Hessian (n×n, row-major) at `x` by central differences of `gradient`, with a step of
 * `relativeStep` × |x_j| for coordinate j (parameters here are positive and of any scale).
 */
export function numericalHessian(
  gradient: Gradient,
  x: Float64Array,
  relativeStep = 1e-5,
): Float64Array {
  const n = x.length;
  const hessian = new Float64Array(n * n);
  const plus = new Float64Array(n);
  const minus = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    const xj = x[j] as number;
    const step = relativeStep * (xj === 0 ? 1 : Math.abs(xj));
    const point = Float64Array.from(x);
    point[j] = xj + step;
    gradient(point, plus);
    point[j] = xj - step;
    gradient(point, minus);
    for (let i = 0; i < n; i++)
      hessian[i * n + j] = ((plus[i] as number) - (minus[i] as number)) / (2 * step);
  }
  // Differences of two gradients are not exactly symmetric; the Hessian is.
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const mean = ((hessian[i * n + j] as number) + (hessian[j * n + i] as number)) / 2;
      hessian[i * n + j] = mean;
      hessian[j * n + i] = mean;
    }
  }
  return hessian;
}

/** The inverse of an n×n row-major matrix (Gauss–Jordan, partial pivoting), or undefined if singular. */
export function invertMatrix(matrix: Float64Array, n: number): Float64Array | undefined {
  const a = Float64Array.from(matrix);
  const inverse = new Float64Array(n * n);
  for (let i = 0; i < n; i++) inverse[i * n + i] = 1;
  let scale = 0;
  for (const value of a) scale = Math.max(scale, Math.abs(value));
  for (let column = 0; column < n; column++) {
    let pivot = column;
    for (let row = column + 1; row < n; row++) {
      if (Math.abs(a[row * n + column] as number) > Math.abs(a[pivot * n + column] as number))
        pivot = row;
    }
    const pivotValue = a[pivot * n + column] as number;
    if (!(Math.abs(pivotValue) > 1e-14 * scale)) return undefined;
    if (pivot !== column) {
      for (let k = 0; k < n; k++) {
        for (const m of [a, inverse]) {
          const t = m[column * n + k] as number;
          m[column * n + k] = m[pivot * n + k] as number;
          m[pivot * n + k] = t;
        }
      }
    }
    for (let k = 0; k < n; k++) {
      a[column * n + k] = (a[column * n + k] as number) / pivotValue;
      inverse[column * n + k] = (inverse[column * n + k] as number) / pivotValue;
    }
    for (let row = 0; row < n; row++) {
      const factor = a[row * n + column] as number;
      if (row === column || factor === 0) continue;
      for (let k = 0; k < n; k++) {
        a[row * n + k] = (a[row * n + k] as number) - factor * (a[column * n + k] as number);
        inverse[row * n + k] =
          (inverse[row * n + k] as number) - factor * (inverse[column * n + k] as number);
      }
    }
  }
  return inverse;
}

/**
 * Standard errors of maximum-likelihood estimates: square roots of the diagonal of the inverse of
 * minus the log-likelihood's Hessian. NaN where that is not a proper variance (the Hessian is
 * singular or not negative definite, i.e. the estimate is not an identified maximum).
 */
export function standardErrorsFromHessian(
  logLikelihoodHessian: Float64Array,
  n: number,
): Float64Array {
  const information = logLikelihoodHessian.map((value) => -value);
  const covariance = invertMatrix(information, n);
  const errors = new Float64Array(n).fill(Number.NaN);
  if (covariance === undefined) return errors;
  for (let i = 0; i < n; i++) {
    const variance = covariance[i * n + i] as number;
    if (variance > 0 && Number.isFinite(variance)) errors[i] = Math.sqrt(variance);
  }
  return errors;
}
