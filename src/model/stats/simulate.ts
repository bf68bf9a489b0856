import type { BgNbdParams, SummaryColumns } from "./bgnbd.ts";
import type { GammaGammaParams } from "./gamma-gamma.ts";

/**
 * Seeded simulation of the models, for parameter-recovery tests and fit benchmarks: the same seed
 * gives the same customers on every machine.
 */

/** A seeded uniform generator on (0, 1): sfc32, with its state spread from the seed by splitmix32. */
export function seededRandom(seed: number): () => number {
  let s = seed >>> 0;
  const splitmix = () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = splitmix();
  let b = splitmix();
  let c = splitmix();
  let d = splitmix();
  return () => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = ((c << 21) | (c >>> 11)) >>> 0;
    c = (c + t) >>> 0;
    // 32 random bits, shifted off 0 so that logarithms stay finite.
    return (t + 0.5) / 4294967296;
  };
}

/** A standard normal draw (Box–Muller). */
function normal(random: () => number): number {
  return Math.sqrt(-2 * Math.log(random())) * Math.cos(2 * Math.PI * random());
}

/** A Gamma(shape, rate) draw (Marsaglia & Tsang 2000; shape < 1 by the U^{1/shape} boost). */
export function gammaDraw(random: () => number, shape: number, rate: number): number {
  if (shape < 1) return gammaDraw(random, shape + 1, rate) * random() ** (1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = normal(random);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = random();
    if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return (d * v) / rate;
  }
}

/** A Beta(a, b) draw. */
function betaDraw(random: () => number, a: number, b: number): number {
  const x = gammaDraw(random, a, 1);
  return x / (x + gammaDraw(random, b, 1));
}

/**
 * Customers drawn from the BG/NBD: one per entry of `ages` (their T), each with a first purchase at
 * time 0, then purchases at rate λ ~ Gamma(r, α), dropping out after each repeat purchase with
 * probability p ~ Beta(a, b). Returns their summaries (continuous time).
 */
export function simulateBgNbd(
  params: BgNbdParams,
  ages: Float64Array,
  seed: number,
): SummaryColumns {
  const random = seededRandom(seed);
  const n = ages.length;
  const x = new Float64Array(n);
  const tx = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const T = ages[i] as number;
    const lambda = gammaDraw(random, params.r, params.alpha);
    const p = betaDraw(random, params.a, params.b);
    let time = 0;
    let count = 0;
    let last = 0;
    for (;;) {
      time += -Math.log(random()) / lambda;
      if (time > T) break;
      count++;
      last = time;
      if (random() < p) break;
    }
    x[i] = count;
    tx[i] = last;
  }
  return { x, tx, T: Float64Array.from(ages) };
}

/**
 * Mean spend per repeat purchase under the Gamma-Gamma model for customers with `x` repeat
 * purchases: ν ~ Gamma(q, γ), each amount ~ Gamma(p, ν); 0 where x = 0.
 */
export function simulateMeanSpend(
  params: GammaGammaParams,
  x: Float64Array,
  seed: number,
): Float64Array {
  const random = seededRandom(seed);
  const mean = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const count = x[i] as number;
    if (count === 0) continue;
    const nu = gammaDraw(random, params.q, params.gamma);
    // The sum of `count` Gamma(p, ν) amounts is Gamma(p·count, ν).
    mean[i] = gammaDraw(random, params.p * count, nu) / count;
  }
  return mean;
}
