import { describe, expect, it } from "vitest";
import { invertMatrix, numericalHessian, standardErrorsFromHessian } from "./hessian.ts";
import { minimizeNelderMead } from "./nelder-mead.ts";
import { type GradientObjective, minimizeBfgs } from "./optimize.ts";

/** The extended Rosenbrock function: minimum 0 at (1, …, 1), a long curved valley. */
const rosenbrock: GradientObjective = (x, gradient) => {
  gradient.fill(0);
  let value = 0;
  for (let i = 0; i + 1 < x.length; i++) {
    const a = x[i] as number;
    const b = x[i + 1] as number;
    value += 100 * (b - a * a) ** 2 + (1 - a) ** 2;
    gradient[i] = (gradient[i] as number) - 400 * a * (b - a * a) - 2 * (1 - a);
    gradient[i + 1] = (gradient[i + 1] as number) + 200 * (b - a * a);
  }
  return value;
};

describe("minimizeBfgs", () => {
  it("finds the minimum of the Rosenbrock function from the classic start", () => {
    const result = minimizeBfgs(rosenbrock, [-1.2, 1]);
    expect(result.converged, result.reason).toBe(true);
    expect(result.x[0]).toBeCloseTo(1, 7);
    expect(result.x[1]).toBeCloseTo(1, 7);
    expect(result.value).toBeLessThan(1e-14);
    expect(result.iterations).toBeLessThan(100);
  });

  it("finds the minimum of the 10-dimensional Rosenbrock function", () => {
    const start = Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? -1.2 : 1));
    const result = minimizeBfgs(rosenbrock, start, { maxIterations: 1000 });
    expect(result.converged, result.reason).toBe(true);
    for (const value of result.x) expect(value).toBeCloseTo(1, 6);
  });

  it("solves an ill-conditioned quadratic exactly", () => {
    // f(x) = Σ 10^i (x_i − i)²: condition number 10^5.
    const quadratic: GradientObjective = (x, gradient) => {
      let value = 0;
      for (let i = 0; i < x.length; i++) {
        const d = (x[i] as number) - i;
        value += 10 ** i * d * d;
        gradient[i] = 2 * 10 ** i * d;
      }
      return value;
    };
    const result = minimizeBfgs(quadratic, [5, 5, 5, 5, 5, 5]);
    expect(result.converged, result.reason).toBe(true);
    result.x.forEach((value, i) => {
      expect(value).toBeCloseTo(i, 8);
    });
  });

  it("never steps onto points where the objective is undefined", () => {
    // x − ln x (minimum at 1) is NaN for x ≤ 0, where a full step from x = 30 would land.
    const seen: number[] = [];
    const result = minimizeBfgs(
      (x, gradient) => {
        const v = x[0] as number;
        seen.push(v);
        gradient[0] = 1 - 1 / v;
        return v - Math.log(v);
      },
      [30],
    );
    expect(result.converged, result.reason).toBe(true);
    expect(result.x[0]).toBeCloseTo(1, 8);
    expect(seen.some((v) => v <= 0)).toBe(true);
    expect(Number.isFinite(result.value)).toBe(true);
  });

  it("reports a start where the objective is not finite instead of iterating", () => {
    const result = minimizeBfgs(
      (_x, gradient) => {
        gradient[0] = 0;
        return Number.NaN;
      },
      [1],
    );
    expect(result.converged).toBe(false);
    expect(result.reason).toMatch(/not finite at the starting point/);
  });

  it("stops at the iteration limit without claiming convergence", () => {
    const result = minimizeBfgs(rosenbrock, [-1.2, 1], { maxIterations: 3 });
    expect(result.converged).toBe(false);
    expect(result.iterations).toBe(3);
  });
});

describe("minimizeNelderMead", () => {
  it("finds the minimum of the Rosenbrock function without derivatives", () => {
    const scratch = new Float64Array(2);
    const result = minimizeNelderMead((x) => rosenbrock(x, scratch), [-1.2, 1], {
      tolerance: 1e-12,
    });
    expect(result.converged, result.reason).toBe(true);
    expect(result.x[0]).toBeCloseTo(1, 5);
    expect(result.x[1]).toBeCloseTo(1, 5);
  });

  it("works in one dimension and treats NaN as +∞", () => {
    const result = minimizeNelderMead(
      (x) => {
        const v = x[0] as number;
        return v > 0 ? v - Math.log(v) : Number.NaN;
      },
      [0.05],
    );
    expect(result.converged, result.reason).toBe(true);
    expect(result.x[0]).toBeCloseTo(1, 4);
  });
});

describe("numerical Hessian and standard errors", () => {
  it("matches the analytic Hessian of a smooth function", () => {
    // f(x, y) = x² y + e^{x y}; Hessian [[2y + y² e^{xy}, 2x + (1 + xy) e^{xy}], [·, x² e^{xy}]].
    const gradient = (p: Float64Array, out: Float64Array) => {
      const [x, y] = [p[0] as number, p[1] as number];
      out[0] = 2 * x * y + y * Math.exp(x * y);
      out[1] = x * x + x * Math.exp(x * y);
    };
    const [x, y] = [0.7, 1.3];
    const e = Math.exp(x * y);
    const hessian = numericalHessian(gradient, Float64Array.from([x, y]));
    const expected = [
      2 * y + y * y * e,
      2 * x + (1 + x * y) * e,
      2 * x + (1 + x * y) * e,
      x * x * e,
    ];
    expected.forEach((value, i) => {
      expect(hessian[i]).toBeCloseTo(value, 7);
    });
  });

  it("inverts a matrix, and refuses a singular one", () => {
    const m = Float64Array.from([4, 2, 0, 2, 3, 1, 0, 1, 5]);
    const inverse = invertMatrix(m, 3);
    expect(inverse).toBeDefined();
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 3; j++) {
        let sum = 0;
        for (let k = 0; k < 3; k++)
          sum += (m[i * 3 + k] as number) * (inverse?.[k * 3 + j] as number);
        expect(sum).toBeCloseTo(i === j ? 1 : 0, 12);
      }
    }
    expect(invertMatrix(Float64Array.from([1, 2, 2, 4]), 2)).toBeUndefined();
  });

  it("gives σ/√n for the mean of normal data, and NaN at a saddle", () => {
    // The log-likelihood of n normal observations in μ (σ known) has Hessian −n/σ².
    const [n, sigma] = [400, 3];
    expect(standardErrorsFromHessian(Float64Array.from([-n / sigma ** 2]), 1)[0]).toBeCloseTo(
      sigma / Math.sqrt(n),
      12,
    );
    const saddle = standardErrorsFromHessian(Float64Array.from([-1, 0, 0, 1]), 2);
    expect(saddle[0]).toBeCloseTo(1, 12);
    expect(saddle[1]).toBeNaN();
  });
});
