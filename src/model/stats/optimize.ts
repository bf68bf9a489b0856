/**
 * Unconstrained minimisation for the model fits: BFGS with a strong-Wolfe line search (Nocedal &
 * Wright, Numerical Optimization, 2nd ed., algorithms 3.5, 3.6 and 6.1). No npm optimizer fitted:
 * the maintained ones are least-squares solvers, and the general ones (fmin, numeric,
 * optimization-js) have not been released for years. Parameters are passed in log space by the
 * callers, so "unconstrained" suffices.
 */

/** An objective that writes its gradient into `gradient` and returns its value. */
export type GradientObjective = (x: Float64Array, gradient: Float64Array) => number;

/** Where a minimisation ended. */
export interface MinimizeResult {
  x: Float64Array;
  value: number;
  /** The gradient at `x` (BFGS only; empty for Nelder–Mead). */
  gradient: Float64Array;
  iterations: number;
  /** Objective evaluations, line-search trials included. */
  evaluations: number;
  converged: boolean;
  /** Why it stopped, for logs and error messages. */
  reason: string;
}

export interface BfgsOptions {
  /** Stop when every gradient component is at most this in absolute value (Default: 1e-8). */
  gradientTolerance?: number;
  /** Stop after this many iterations without converging (Default: 500). */
  maxIterations?: number;
}

const WOLFE_C1 = 1e-4;
const WOLFE_C2 = 0.9;
const MAX_LINE_SEARCH_STEPS = 30;

/** One trial point of a line search. */
interface Trial {
  step: number;
  value: number;
  slope: number;
  gradient: Float64Array;
}

function dot(u: Float64Array, v: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < u.length; i++) sum += (u[i] as number) * (v[i] as number);
  return sum;
}

function maxAbs(v: Float64Array): number {
  let max = 0;
  for (const value of v) max = Math.max(max, Math.abs(value));
  return max;
}

/** The minimiser of the cubic through two trials (values and slopes), or NaN when it has none. */
function cubicMinimizer(lo: Trial, hi: Trial): number {
  const d1 = lo.slope + hi.slope - (3 * (lo.value - hi.value)) / (lo.step - hi.step);
  const radicand = d1 * d1 - lo.slope * hi.slope;
  if (!(radicand >= 0)) return Number.NaN;
  const d2 = Math.sign(hi.step - lo.step) * Math.sqrt(radicand);
  return hi.step - ((hi.step - lo.step) * (hi.slope + d2 - d1)) / (hi.slope - lo.slope + 2 * d2);
}

/**
 * Finds a step along `direction` that satisfies the strong Wolfe conditions. A non-finite value
 * counts as "too far" (the objective left its domain), so the step is shortened, never taken.
 * Returns undefined when no acceptable step was found.
 */
function wolfeLineSearch(
  f: GradientObjective,
  x: Float64Array,
  value0: number,
  slope0: number,
  direction: Float64Array,
  initialStep: number,
  counter: { evaluations: number },
): Trial | undefined {
  const n = x.length;
  const point = new Float64Array(n);
  const evaluate = (step: number): Trial => {
    for (let i = 0; i < n; i++) point[i] = (x[i] as number) + step * (direction[i] as number);
    const gradient = new Float64Array(n);
    const value = f(point, gradient);
    counter.evaluations++;
    const finite = Number.isFinite(value) && gradient.every(Number.isFinite);
    return {
      step,
      value: finite ? value : Number.POSITIVE_INFINITY,
      slope: finite ? dot(gradient, direction) : Number.NaN,
      gradient,
    };
  };
  const sufficient = (t: Trial) => t.value <= value0 + WOLFE_C1 * t.step * slope0;
  const curvature = (t: Trial) => Math.abs(t.slope) <= -WOLFE_C2 * slope0;

  const zoom = (loIn: Trial, hiIn: Trial): Trial | undefined => {
    let lo = loIn;
    let hi = hiIn;
    for (let i = 0; i < MAX_LINE_SEARCH_STEPS; i++) {
      const width = hi.step - lo.step;
      let step = Number.isFinite(hi.value) ? cubicMinimizer(lo, hi) : Number.NaN;
      // Keep the trial well inside the bracket, or bisect when interpolation gives nothing useful.
      const lower = Math.min(lo.step, hi.step) + 0.1 * Math.abs(width);
      const upper = Math.max(lo.step, hi.step) - 0.1 * Math.abs(width);
      if (!(step >= lower && step <= upper)) step = lo.step + width / 2;
      const trial = evaluate(step);
      if (!sufficient(trial) || trial.value >= lo.value) {
        hi = trial;
      } else {
        if (curvature(trial)) return trial;
        if (trial.slope * (hi.step - lo.step) >= 0) hi = lo;
        lo = trial;
      }
      if (Math.abs(hi.step - lo.step) <= 1e-14 * Math.max(1, Math.abs(lo.step))) break;
    }
    // The bracket collapsed: the best point found still decreases the objective sufficiently.
    return lo.step > 0 ? lo : undefined;
  };

  let previous: Trial = { step: 0, value: value0, slope: slope0, gradient: new Float64Array(0) };
  let step = initialStep;
  for (let i = 0; i < MAX_LINE_SEARCH_STEPS; i++) {
    const trial = evaluate(step);
    if (!sufficient(trial) || (i > 0 && trial.value >= previous.value)) {
      return zoom(previous, trial);
    }
    if (curvature(trial)) return trial;
    if (trial.slope >= 0) return zoom(trial, previous);
    previous = trial;
    step *= 2;
  }
  return previous.step > 0 ? previous : undefined;
}

/** Minimises `f` from `x0` by BFGS with a strong-Wolfe line search and analytic gradients. */
export function minimizeBfgs(
  f: GradientObjective,
  x0: ArrayLike<number>,
  options: BfgsOptions = {},
): MinimizeResult {
  const gradientTolerance = options.gradientTolerance ?? 1e-8;
  const maxIterations = options.maxIterations ?? 500;
  const n = x0.length;
  let x: Float64Array = Float64Array.from(x0);
  let gradient: Float64Array = new Float64Array(n);
  let value = f(x, gradient);
  const counter = { evaluations: 1 };
  const result = (iterations: number, converged: boolean, reason: string): MinimizeResult => ({
    x,
    value,
    gradient,
    iterations,
    evaluations: counter.evaluations,
    converged,
    reason,
  });
  if (!Number.isFinite(value) || !gradient.every(Number.isFinite)) {
    return result(0, false, "the objective is not finite at the starting point");
  }
  // Inverse Hessian approximation, row-major; starts (and restarts) as the identity.
  const h = new Float64Array(n * n);
  const resetInverseHessian = () => {
    h.fill(0);
    for (let i = 0; i < n; i++) h[i * n + i] = 1;
  };
  resetInverseHessian();
  let fresh = true;
  const direction = new Float64Array(n);
  const hy = new Float64Array(n);
  let stalled = 0;
  for (let iteration = 0; iteration < maxIterations; iteration++) {
    if (maxAbs(gradient) <= gradientTolerance) return result(iteration, true, "gradient is zero");
    for (let i = 0; i < n; i++) {
      let sum = 0;
      for (let j = 0; j < n; j++) sum -= (h[i * n + j] as number) * (gradient[j] as number);
      direction[i] = sum;
    }
    let slope = dot(direction, gradient);
    if (!(slope < 0)) {
      // Rounding can spoil the approximation; steepest descent is always a descent direction.
      resetInverseHessian();
      fresh = true;
      for (let i = 0; i < n; i++) direction[i] = -(gradient[i] as number);
      slope = dot(direction, gradient);
    }
    // The quasi-Newton model predicts a decrease of about −slope/2; once that is below what the
    // objective's doubles resolve, no line search can confirm a step (the limit on a million rows).
    if (-slope <= 8 * Number.EPSILON * Math.abs(value)) {
      const small = maxAbs(gradient) <= Math.sqrt(gradientTolerance);
      return result(iteration, small, "the predicted decrease is below the objective's rounding");
    }
    // A first step of length about 1 in parameter space; later, the quasi-Newton step.
    const initialStep = fresh ? Math.min(1, 1 / Math.max(maxAbs(direction), 1e-300)) : 1;
    const trial = wolfeLineSearch(f, x, value, slope, direction, initialStep, counter);
    if (trial === undefined) {
      // With the gradient this small the objective's rounding hides any further decrease: this is
      // as close to the minimum as its values can tell, and a restart would only repeat the search.
      const atFloor = maxAbs(gradient) <= Math.sqrt(gradientTolerance) * 1e-2;
      if (!fresh && !atFloor) {
        resetInverseHessian();
        fresh = true;
        continue;
      }
      const small = maxAbs(gradient) <= Math.sqrt(gradientTolerance);
      return result(iteration, small, "the line search found no lower point");
    }
    const s = new Float64Array(n);
    const y = new Float64Array(n);
    const next = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      s[i] = trial.step * (direction[i] as number);
      next[i] = (x[i] as number) + (s[i] as number);
      y[i] = (trial.gradient[i] as number) - (gradient[i] as number);
    }
    const decrease = value - trial.value;
    x = next;
    value = trial.value;
    gradient = trial.gradient;
    const sy = dot(s, y);
    if (sy > 1e-12 * Math.sqrt(dot(s, s) * dot(y, y))) {
      if (fresh) {
        // Scale the identity to the curvature just seen before the first update (N&W 6.20).
        const scale = sy / dot(y, y);
        for (let i = 0; i < n; i++) h[i * n + i] = scale;
        fresh = false;
      }
      for (let i = 0; i < n; i++) {
        let sum = 0;
        for (let j = 0; j < n; j++) sum += (h[i * n + j] as number) * (y[j] as number);
        hy[i] = sum;
      }
      const yhy = dot(y, hy);
      const rho = 1 / sy;
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          const update =
            -rho * ((hy[i] as number) * (s[j] as number) + (s[i] as number) * (hy[j] as number)) +
            (rho * rho * yhy + rho) * (s[i] as number) * (s[j] as number);
          h[i * n + j] = (h[i * n + j] as number) + update;
        }
      }
    }
    // Several iterations without a meaningful decrease: the objective is as low as doubles show.
    stalled = decrease <= 1e-15 * Math.max(1, Math.abs(value)) ? stalled + 1 : 0;
    if (stalled >= 3) {
      const small = maxAbs(gradient) <= Math.sqrt(gradientTolerance);
      return result(iteration + 1, small, "no further decrease");
    }
  }
  return result(maxIterations, false, "iteration limit reached");
}
