/** How the response-rate comparison came out; the verdict says it in words. */
export type Significance =
  | "significant"
  | "not_significant"
  | "borderline"
  | "not_enough_data"
  | "not_measurable";

/** Below these sizes a comparison is shown but not judged. */
export const MINIMUM_TEST_CUSTOMERS = 50;
export const MINIMUM_CONTROL_CUSTOMERS = 30;
export const MINIMUM_RESPONDERS = 5;

/** What verdictText needs from a comparison (GroupComparison has all of it). */
export interface VerdictInput {
  groups: {
    test: { customers: number; responders: number };
    control: { customers: number; responders: number };
  };
  responseRate: {
    test: number | null;
    control: number | null;
    uplift: number | null;
    ci95: [number, number] | null;
    pValue: number | null;
  };
  significance: Significance;
}

/**
 * The kind of result, on the response rate, in this order: no control group → not_measurable;
 * too small → not_enough_data; otherwise significant when p < 0.05 and the interval excludes 0,
 * not_significant when neither, borderline when the two disagree. With no p-value (every customer
 * responded, or none) it is not_significant. With a p-value but no interval (each group all
 * responders or none, the groups opposite) the interval is the point uplift of ±1, so it excludes
 * 0 and p alone decides.
 */
export function significanceOf(input: Omit<VerdictInput, "significance">): Significance {
  const { test, control } = input.groups;
  if (control.customers === 0) return "not_measurable";
  if (
    test.customers < MINIMUM_TEST_CUSTOMERS ||
    control.customers < MINIMUM_CONTROL_CUSTOMERS ||
    test.responders + control.responders < MINIMUM_RESPONDERS
  ) {
    return "not_enough_data";
  }
  const { pValue, ci95 } = input.responseRate;
  if (pValue === null) return "not_significant";
  const pSays = pValue < 0.05;
  const intervalSays = ci95 === null ? true : ci95[0] > 0 || ci95[1] < 0;
  if (pSays && intervalSays) return "significant";
  if (!pSays && !intervalSays) return "not_significant";
  return "borderline";
}

/** A fraction in points with one decimal and an explicit sign: 0.0213 → "+2.1", −0.0004 → "-0.0". */
export function formatPoints(fraction: number): string {
  const text = Math.abs(fraction * 100).toFixed(1);
  // The sign is the value's, not the rounded text's: "-0.0" says "slightly below zero".
  return `${fraction < 0 ? "-" : "+"}${text}`;
}

/** One plural: "1 responder", "3 responders". */
function count(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/**
 * The one-line verdict of an analysis, e.g. "Response rate +2.1 pts (95% CI +0.8 to +3.4),
 * significant at 95%".
 */
export function verdictText(input: VerdictInput): string {
  const { test, control } = input.groups;
  const rate = input.responseRate;
  switch (input.significance) {
    case "not_measurable":
      return "Cannot be measured: the campaign has no control group (control group 0%)";
    case "not_enough_data":
      return (
        `Not enough data: ${test.customers} test and ${count(control.customers, "control customer")}, ` +
        `${count(test.responders + control.responders, "responder")} (needs at least ` +
        `${MINIMUM_TEST_CUSTOMERS} test and ${MINIMUM_CONTROL_CUSTOMERS} control customers and ` +
        `${MINIMUM_RESPONDERS} responders)`
      );
  }
  const uplift = rate.uplift ?? 0;
  const interval =
    rate.ci95 === null
      ? "no interval: every customer of each group gave the same answer"
      : `95% CI ${formatPoints(rate.ci95[0])} to ${formatPoints(rate.ci95[1])}`;
  const head = `Response rate ${formatPoints(uplift)} pts (${interval})`;
  switch (input.significance) {
    case "significant":
      return `${head}, significant at 95%`;
    case "borderline":
      return `${head}, borderline (the test and the interval disagree)`;
    case "not_significant":
      if (rate.pValue === null) {
        const why =
          test.responders + control.responders === 0
            ? "no customer responded"
            : "every customer responded";
        return `Response rate ${formatPoints(uplift)} pts, not significant (${why})`;
      }
      return `${head}, not significant`;
  }
}
