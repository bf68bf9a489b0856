import { describe, expect, it } from "vitest";
import { hyp2f1, hyp2f1Scaled, logGammaSigned } from "./hypergeometric.ts";

/** |actual − expected| ≤ tolerance × |expected|. */
function expectRelative(actual: number, expected: number, tolerance: number) {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(tolerance * Math.abs(expected));
}

describe("hyp2f1", () => {
  it("matches closed forms from small z to z next to 1", () => {
    for (const z of [0.1, 0.5, 0.9, 0.99, 0.9999, 1 - 1e-9]) {
      // c − a − b = 0: the connection formula's degenerate case.
      expectRelative(hyp2f1(1, 1, 2, z), -Math.log1p(-z) / z, 1e-9);
      // c − a − b = −a, not an integer.
      expectRelative(hyp2f1(0.3, 2.5, 2.5, z), (1 - z) ** -0.3, 1e-12);
      const s = Math.sqrt(z);
      expectRelative(hyp2f1(0.5, 0.5, 1.5, z), Math.asin(s) / s, 1e-9);
    }
  });

  it("matches reference values computed with mpmath at 40 digits", () => {
    // Parameters like those of the BG/NBD expectation (negative b, c < 1, z near 1) and others.
    const reference: [number, number, number, number, number][] = [
      [0.55, -0.207, 0.2188, 0.3, 0.813922914405736],
      [1.976, -0.207, 2.219, 0.97, 0.602582608712404],
      [1.976, -0.207, 2.219, 0.9999, 0.475407526206261],
      [2.5, 1.5, 0.75, 0.6, 39.5968787160353],
      [0.3, 0.7, 1.0, 0.999, 2.6981440420563],
      [-0.45, 0.8, 1.35, 0.995, 0.599079019142857],
      [3.2, -0.5, 30.2, 0.9999, 0.94507879613845],
      [1.0, 2.0, 3.5, 0.5, 1.43805509807655],
    ];
    for (const [a, b, c, z, expected] of reference) {
      expectRelative(hyp2f1(a, b, c, z), expected, 1e-9);
    }
  });

  it("tends to Gauss's value Γ(c)Γ(c−a−b)/(Γ(c−a)Γ(c−b)) at z → 1 when c > a + b", () => {
    const [a, b, c] = [0.5, 0.7, 3.1];
    const gauss = Math.exp(
      logGammaSigned(c).log +
        logGammaSigned(c - a - b).log -
        logGammaSigned(c - a).log -
        logGammaSigned(c - b).log,
    );
    expectRelative(hyp2f1(a, b, c, 1 - 1e-12), gauss, 1e-9);
  });

  it("is a polynomial when a is a negative integer", () => {
    const [b, c, z] = [1.7, 0.4, 0.97];
    expectRelative(
      hyp2f1(-2, b, c, z),
      1 - (2 * b * z) / c + (b * (b + 1) * z * z) / (c * (c + 1)),
      1e-13,
    );
  });

  it("scales without overflow where ₂F₁ itself exceeds the doubles", () => {
    // The untransformed BG/NBD form w^{r+x} ₂F₁(r+x, b+x; a+b+x−1; z) at x = 300, z = 0.99: the
    // ₂F₁ is about 10^601. By Euler's transformation it equals w^{a−1} ₂F₁(a+b−1−r, a−1; a+b+x−1; z).
    const [r, a, b, x, z] = [0.24, 0.79, 2.43, 300, 0.99];
    const w = 1 - z;
    const scaled = hyp2f1Scaled(r + x, b + x, a + b + x - 1, z, (r + x) * Math.log(w), w);
    const euler = w ** (a - 1) * hyp2f1(a + b - 1 - r, a - 1, a + b + x - 1, z);
    expect(Number.isFinite(scaled)).toBe(true);
    expectRelative(scaled, euler, 1e-10);
  });
});

describe("logGammaSigned", () => {
  it("gives ln|Γ| and the sign on both sides of zero, and sign 0 at the poles", () => {
    expect(logGammaSigned(0.5).log).toBeCloseTo(Math.log(Math.sqrt(Math.PI)), 14);
    expect(logGammaSigned(-0.5)).toEqual({
      log: expect.closeTo(Math.log(2 * Math.sqrt(Math.PI)), 14),
      sign: -1,
    });
    expect(logGammaSigned(-1.5).sign).toBe(1);
    expect(logGammaSigned(-2.5).sign).toBe(-1);
    expect(logGammaSigned(-3).sign).toBe(0);
    expect(logGammaSigned(0).sign).toBe(0);
  });
});
