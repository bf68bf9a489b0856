import { describe, expect, it } from "vitest";
import { expectedPurchases } from "./bgnbd.ts";
import { customerLifetimeValue } from "./clv.ts";
import { expectedAverageSpend } from "./gamma-gamma.ts";

const bg = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };
const gg = { p: 6.25, q: 3.74, gamma: 15.44 };
const customer = { x: 2, tx: 30.43, T: 38.86, meanSpend: 22.35 };

describe("customerLifetimeValue", () => {
  it("without discounting is expected spend times expected purchases over the horizon", () => {
    const value = customerLifetimeValue(bg, gg, customer, {
      periodsPerMonth: 4.345,
      months: 12,
      monthlyDiscountRate: 0,
    });
    const expected =
      expectedAverageSpend(gg, customer.x, customer.meanSpend) *
      expectedPurchases(bg, 12 * 4.345, customer.x, customer.tx, customer.T);
    expect(value).toBeCloseTo(expected, 10);
  });

  it("discounts each month's expected purchases by (1 + d)^month", () => {
    const o = { periodsPerMonth: 30, months: 3, monthlyDiscountRate: 0.05 };
    const spend = expectedAverageSpend(gg, customer.x, customer.meanSpend);
    const y = (months: number) =>
      expectedPurchases(bg, months * 30, customer.x, customer.tx, customer.T);
    const expected =
      (spend * y(1)) / 1.05 +
      (spend * (y(2) - y(1))) / 1.05 ** 2 +
      (spend * (y(3) - y(2))) / 1.05 ** 3;
    expect(customerLifetimeValue(bg, gg, customer, o)).toBeCloseTo(expected, 10);
    expect(customerLifetimeValue(bg, gg, customer, { ...o, months: 0 })).toBe(0);
  });

  it("is worth more for a recent buyer than for one silent for long", () => {
    const o = { periodsPerMonth: 4.345, months: 24, monthlyDiscountRate: 0.01 };
    const recent = customerLifetimeValue(bg, gg, { ...customer, tx: 38 }, o);
    const silent = customerLifetimeValue(bg, gg, { ...customer, tx: 2 }, o);
    expect(recent).toBeGreaterThan(silent);
  });
});
