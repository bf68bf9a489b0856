import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { compareGroups } from "./compare.ts";
import { type CustomerFigures, momentsOf } from "./moments.ts";
import { minimumDetectableUplift, probabilityTestBetter } from "./proportions.ts";

/** One group's customers as make_fixture.py writes them. */
interface FixtureGroup {
  revenue: number[];
  preRevenue: number[];
  responded: boolean[];
}

/** cases.json: figures computed from the raw arrays with SciPy (see its README). */
interface Fixture {
  cases: { name: string; test: FixtureGroup; control: FixtureGroup; expected: unknown }[];
  minimumDetectableUplift: {
    responseRate: number | null;
    testCustomers: number;
    controlCustomers: number;
    expected: number | null;
  }[];
  probabilityTestBetter: {
    testResponders: number;
    testCustomers: number;
    controlResponders: number;
    controlCustomers: number;
    expected: number | null;
  }[];
}

const fixture = JSON.parse(
  readFileSync(new URL("../../../test/fixtures/analysis/cases.json", import.meta.url), "utf8"),
) as Fixture;

function customers(g: FixtureGroup): CustomerFigures[] {
  return g.revenue.map((revenue, i) => ({
    revenue,
    preRevenue: g.preRevenue[i] as number,
    responded: g.responded[i] as boolean,
  }));
}

/**
 * Walks the expected figures: every number to 4 decimals (relative 1e-9 above 1,000, where
 * summing in another order moves the fifth decimal of a revenue total), every null a null.
 */
function expectMatches(actual: unknown, expected: unknown, at: string): void {
  if (expected === null) {
    expect(actual, at).toBeNull();
  } else if (typeof expected === "number") {
    expect(typeof actual, at).toBe("number");
    const a = actual as number;
    expect(Number.isFinite(a), `${at} is finite`).toBe(true);
    if (Math.abs(expected) > 1000) {
      expect(Math.abs(a - expected), at).toBeLessThanOrEqual(1e-9 * Math.abs(expected));
    } else {
      expect(a, at).toBeCloseTo(expected, 4);
    }
  } else if (Array.isArray(expected)) {
    expect(Array.isArray(actual), at).toBe(true);
    expect((actual as unknown[]).length, at).toBe(expected.length);
    for (const [i, e] of expected.entries())
      expectMatches((actual as unknown[])[i], e, `${at}[${i}]`);
  } else if (typeof expected === "object") {
    expect(typeof actual, at).toBe("object");
    const record = actual as Record<string, unknown>;
    for (const [key, e] of Object.entries(expected)) expectMatches(record[key], e, `${at}.${key}`);
  } else {
    expect(actual, at).toBe(expected);
  }
}

describe("compareGroups against SciPy (test/fixtures/analysis/cases.json)", () => {
  it("has the cases the analysis must get right", () => {
    const kinds = new Set(
      fixture.cases.map((c) => (c.expected as { significance: string }).significance),
    );
    expect([...kinds].sort()).toEqual([
      "borderline",
      "not_enough_data",
      "not_measurable",
      "not_significant",
      "significant",
    ]);
  });

  for (const c of fixture.cases) {
    it(c.name, () => {
      const result = compareGroups(momentsOf(customers(c.test)), momentsOf(customers(c.control)));
      expectMatches(result, c.expected, c.name);
      // Nothing beyond what SciPy checked, except the verdict, which verdict.test.ts covers.
      const { verdict, ...figures } = result;
      expect(Object.keys(figures).sort()).toEqual(Object.keys(c.expected as object).sort());
      expect(verdict.length).toBeGreaterThan(0);
      expect(JSON.stringify(result)).not.toMatch(/NaN|Infinity/);
    });
  }
});

describe("minimumDetectableUplift against SciPy", () => {
  for (const c of fixture.minimumDetectableUplift) {
    it(`p = ${c.responseRate}, ${c.testCustomers} v ${c.controlCustomers}`, () => {
      const mdu = minimumDetectableUplift(c.responseRate, c.testCustomers, c.controlCustomers);
      expectMatches(mdu, c.expected, "mdu");
    });
  }
});

describe("probabilityTestBetter against SciPy's integral", () => {
  for (const c of fixture.probabilityTestBetter) {
    const label = `${c.testResponders}/${c.testCustomers} v ${c.controlResponders}/${c.controlCustomers}`;
    it(label, () => {
      const p = probabilityTestBetter(
        c.testResponders,
        c.testCustomers,
        c.controlResponders,
        c.controlCustomers,
      );
      expectMatches(p, c.expected, label);
    });
  }
});
