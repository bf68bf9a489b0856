import { checkMoments, type GroupMoments } from "./moments.ts";
import { compareRates, type RateComparison } from "./proportions.ts";
import {
  type CupedComparison,
  compareCuped,
  compareRevenue,
  type RevenueComparison,
} from "./revenue.ts";
import { type Significance, significanceOf, verdictText } from "./verdict.ts";

/** A group's plain totals, as the analysis shows them. */
export interface GroupTotals {
  customers: number;
  responders: number;
  revenue: number;
}

/** Test group against control group: rates are fractions, null where a figure is undefined. */
export interface GroupComparison {
  groups: { test: GroupTotals; control: GroupTotals };
  responseRate: RateComparison;
  revenuePerCustomer: RevenueComparison;
  cuped: CupedComparison;
  /** Uplift × test customers: what the campaign added over what the test group would have done. */
  incremental: { responders: number | null; revenue: number | null };
  significance: Significance;
  verdict: string;
}

/**
 * Compares a campaign's test group with its control group from their moments; see stats.ts for
 * the definitions and the null rules.
 */
export function compareGroups(test: GroupMoments, control: GroupMoments): GroupComparison {
  checkMoments(test, "test group");
  checkMoments(control, "control group");
  const responseRate = compareRates(
    test.responders,
    test.customers,
    control.responders,
    control.customers,
  );
  const revenuePerCustomer = compareRevenue(test, control);
  const groups = {
    test: { customers: test.customers, responders: test.responders, revenue: test.revenue },
    control: {
      customers: control.customers,
      responders: control.responders,
      revenue: control.revenue,
    },
  };
  const significance = significanceOf({ groups, responseRate });
  return {
    groups,
    responseRate,
    revenuePerCustomer,
    cuped: compareCuped(test, control),
    incremental: {
      responders: responseRate.uplift === null ? null : responseRate.uplift * test.customers,
      revenue:
        revenuePerCustomer.uplift === null ? null : revenuePerCustomer.uplift * test.customers,
    },
    significance,
    verdict: verdictText({ groups, responseRate, significance }),
  };
}
