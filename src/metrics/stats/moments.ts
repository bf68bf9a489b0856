/** Sums over one group's customers: Y = net revenue in the measurement window, X = net revenue in the pre-period. */
export interface GroupMoments {
  /** n */
  customers: number;
  /** Customers with at least one purchase in the window. */
  responders: number;
  /** Σ Y */
  revenue: number;
  /** Σ Y² */
  revenueSquares: number;
  /** Σ X */
  preRevenue: number;
  /** Σ X² */
  preRevenueSquares: number;
  /** Σ X·Y */
  revenueTimesPre: number;
}

/** One customer's figures, as momentsOf sums them. */
export interface CustomerFigures {
  revenue: number;
  preRevenue: number;
  responded: boolean;
}

/** The sufficient statistics of a group given customer by customer (tests, small groups). */
export function momentsOf(customers: readonly CustomerFigures[]): GroupMoments {
  const m: GroupMoments = {
    customers: customers.length,
    responders: 0,
    revenue: 0,
    revenueSquares: 0,
    preRevenue: 0,
    preRevenueSquares: 0,
    revenueTimesPre: 0,
  };
  for (const c of customers) {
    if (c.responded) m.responders++;
    m.revenue += c.revenue;
    m.revenueSquares += c.revenue * c.revenue;
    m.preRevenue += c.preRevenue;
    m.preRevenueSquares += c.preRevenue * c.preRevenue;
    m.revenueTimesPre += c.revenue * c.preRevenue;
  }
  return m;
}

/** Throws a RangeError for moments no group can have (the caller's SQL is wrong). */
export function checkMoments(m: GroupMoments, name: string): void {
  if (!(Number.isInteger(m.customers) && m.customers >= 0)) {
    throw new RangeError(`${name}: customers must be a whole number ≥ 0, got ${m.customers}`);
  }
  if (!(Number.isInteger(m.responders) && m.responders >= 0 && m.responders <= m.customers)) {
    throw new RangeError(
      `${name}: responders must be a whole number from 0 to ${m.customers}, got ${m.responders}`,
    );
  }
  for (const key of [
    "revenue",
    "revenueSquares",
    "preRevenue",
    "preRevenueSquares",
    "revenueTimesPre",
  ] as const) {
    if (!Number.isFinite(m[key])) throw new RangeError(`${name}: ${key} must be finite`);
  }
  if (m.revenueSquares < 0 || m.preRevenueSquares < 0) {
    throw new RangeError(`${name}: sums of squares cannot be negative`);
  }
}

/** Adds two groups' moments (the pooled sample CUPED's θ is taken from). */
export function addMoments(a: GroupMoments, b: GroupMoments): GroupMoments {
  return {
    customers: a.customers + b.customers,
    responders: a.responders + b.responders,
    revenue: a.revenue + b.revenue,
    revenueSquares: a.revenueSquares + b.revenueSquares,
    preRevenue: a.preRevenue + b.preRevenue,
    preRevenueSquares: a.preRevenueSquares + b.preRevenueSquares,
    revenueTimesPre: a.revenueTimesPre + b.revenueTimesPre,
  };
}

/**
 * Relative size below which a variance or covariance computed from moments counts as 0: the
 * subtraction Σ Y² − (Σ Y)²/n leaves rounding noise where the true value is exactly 0 (a group
 * whose customers all spent the same), and a "variance" of 1e-17 would make a test look certain.
 */
export const NOISE = 1e-12;

/** Means, sample variances and covariance (n − 1) of one set of moments. */
export interface SampleCovariance {
  n: number;
  meanY: number;
  meanX: number;
  varY: number;
  varX: number;
  covXY: number;
}

/** Sample variances and covariance from moments, noise cut to 0 (see NOISE); null below 2 customers. */
export function sampleCovariance(m: GroupMoments): SampleCovariance | null {
  const n = m.customers;
  if (n < 2) return null;
  const ssY = m.revenueSquares - (m.revenue * m.revenue) / n;
  const ssX = m.preRevenueSquares - (m.preRevenue * m.preRevenue) / n;
  const spXY = m.revenueTimesPre - (m.revenue * m.preRevenue) / n;
  const cutY = ssY <= NOISE * m.revenueSquares ? 0 : ssY;
  const cutX = ssX <= NOISE * m.preRevenueSquares ? 0 : ssX;
  const cutXY =
    cutX === 0 ||
    cutY === 0 ||
    Math.abs(spXY) <= NOISE * Math.sqrt(m.revenueSquares * m.preRevenueSquares)
      ? 0
      : spXY;
  return {
    n,
    meanY: m.revenue / n,
    meanX: m.preRevenue / n,
    varY: cutY / (n - 1),
    varX: cutX / (n - 1),
    covXY: cutXY / (n - 1),
  };
}
