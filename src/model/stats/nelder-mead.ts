import type { MinimizeResult } from "./optimize.ts";

export interface NelderMeadOptions {
  /** Size of the initial simplex along each axis (Default: 0.1, or 10% of a coordinate above 1). */
  initialStep?: number;
  /** Stop when the simplex's values and vertices agree within this (Default: 1e-10). */
  tolerance?: number;
  /** (Default: 200 × the dimension.) */
  maxIterations?: number;
}

/**
 * Minimises `f` without derivatives (Nelder–Mead with the adaptive coefficients of Gao & Han 2012,
 * which keep it working in more than a few dimensions). Slower than BFGS; the fits use it only to
 * recover when BFGS stalls. Non-finite values are treated as +∞, so a simplex never settles there.
 */
export function minimizeNelderMead(
  f: (x: Float64Array) => number,
  x0: ArrayLike<number>,
  options: NelderMeadOptions = {},
): MinimizeResult {
  const n = x0.length;
  const tolerance = options.tolerance ?? 1e-10;
  const maxIterations = options.maxIterations ?? 200 * n;
  // Gao & Han's coefficients reduce to the classic 1, 2, ½, ½ in two dimensions; in one they
  // would shrink to a point, so the classic ones are used there.
  const reflect = 1;
  const expand = n >= 2 ? 1 + 2 / n : 2;
  const contract = n >= 2 ? 0.75 - 1 / (2 * n) : 0.5;
  const shrink = n >= 2 ? 1 - 1 / n : 0.5;
  let evaluations = 0;
  const evaluate = (x: Float64Array) => {
    evaluations++;
    const value = f(x);
    return Number.isFinite(value) ? value : Number.POSITIVE_INFINITY;
  };
  const vertices: Float64Array[] = [Float64Array.from(x0)];
  for (let i = 0; i < n; i++) {
    const vertex = Float64Array.from(x0);
    const base = vertex[i] as number;
    vertex[i] = base + (options.initialStep ?? (Math.abs(base) > 1 ? 0.1 * Math.abs(base) : 0.1));
    vertices.push(vertex);
  }
  const values = vertices.map(evaluate);
  const order = vertices.map((_, i) => i);
  const along = (from: Float64Array, to: Float64Array, t: number) => {
    const point = new Float64Array(n);
    for (let j = 0; j < n; j++)
      point[j] = (from[j] as number) + t * ((to[j] as number) - (from[j] as number));
    return point;
  };
  const vertex = (i: number) => vertices[order[i] as number] as Float64Array;
  const valueAt = (i: number) => values[order[i] as number] as number;
  const replaceWorst = (point: Float64Array, value: number) => {
    vertices[order[n] as number] = point;
    values[order[n] as number] = value;
  };
  for (let iteration = 0; iteration < maxIterations; iteration++) {
    order.sort((i, j) => (values[i] as number) - (values[j] as number));
    const best = vertex(0);
    let spread = 0;
    for (let i = 1; i <= n; i++) {
      const v = vertex(i);
      for (let j = 0; j < n; j++)
        spread = Math.max(spread, Math.abs((v[j] as number) - (best[j] as number)));
    }
    const valueSpread = valueAt(n) - valueAt(0);
    if (spread <= tolerance && valueSpread <= tolerance * Math.max(1, Math.abs(valueAt(0)))) {
      return {
        x: best,
        value: valueAt(0),
        gradient: new Float64Array(0),
        iterations: iteration,
        evaluations,
        converged: true,
        reason: "simplex collapsed",
      };
    }
    const centroid = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const v = vertex(i);
      for (let j = 0; j < n; j++) centroid[j] = (centroid[j] as number) + (v[j] as number) / n;
    }
    const worst = vertex(n);
    const reflected = along(centroid, worst, -reflect);
    const reflectedValue = evaluate(reflected);
    if (reflectedValue < valueAt(0)) {
      const expanded = along(centroid, worst, -reflect * expand);
      const expandedValue = evaluate(expanded);
      if (expandedValue < reflectedValue) replaceWorst(expanded, expandedValue);
      else replaceWorst(reflected, reflectedValue);
      continue;
    }
    if (reflectedValue < valueAt(n - 1)) {
      replaceWorst(reflected, reflectedValue);
      continue;
    }
    const outside = reflectedValue < valueAt(n);
    const contracted = along(centroid, worst, outside ? -reflect * contract : contract);
    const contractedValue = evaluate(contracted);
    if (contractedValue < (outside ? reflectedValue : valueAt(n))) {
      replaceWorst(contracted, contractedValue);
      continue;
    }
    for (let i = 1; i <= n; i++) {
      const index = order[i] as number;
      vertices[index] = along(best, vertices[index] as Float64Array, shrink);
      values[index] = evaluate(vertices[index] as Float64Array);
    }
  }
  order.sort((i, j) => (values[i] as number) - (values[j] as number));
  return {
    x: vertex(0),
    value: valueAt(0),
    gradient: new Float64Array(0),
    iterations: maxIterations,
    evaluations,
    converged: false,
    reason: "iteration limit reached",
  };
}
