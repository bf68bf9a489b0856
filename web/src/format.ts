/** How the pages write figures: the API gives fractions, people read percents and points. */

/** `value` to `digits` decimals; what rounds to zero is written without a sign ("0.0"). */
function fixed(value: number, digits: number): string {
  const rounded = Number(value.toFixed(digits));
  return (rounded === 0 ? 0 : rounded).toLocaleString("en-US", {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
}

/** A share as a percentage ("12.3%"), or "–". */
export function percent(value: number | null | undefined, digits = 1): string {
  if (value === null || value === undefined) return "–";
  return `${fixed(value * 100, digits)}%`;
}

/** A difference of shares in percentage points ("+1.2 pts"), or "–". */
export function points(value: number | null | undefined): string {
  if (value === null || value === undefined) return "–";
  return `${value >= 0 ? "+" : "−"}${fixed(Math.abs(value) * 100, 1)} pts`;
}

/**
 * The minimum detectable uplift ("1.2 pts"), or "–" (no baseline response rate or no control
 * group): a size, so without a sign.
 */
export function detectableUplift(value: number | null | undefined): string {
  if (value === null || value === undefined) return "–";
  return `${fixed(value * 100, 1)} pts`;
}

/** An amount of money, signed when asked ("+0.42"), or "–". */
export function money(value: number | null | undefined, signed = false): string {
  if (value === null || value === undefined) return "–";
  const sign = signed ? (value >= 0 ? "+" : "−") : value < 0 ? "−" : "";
  return `${sign}${fixed(Math.abs(value), 2)}`;
}

/** A whole count ("1,234"), or "–". */
export function count(value: number | null | undefined): string {
  if (value === null || value === undefined) return "–";
  return Math.round(value).toLocaleString("en-US");
}

/** A relative change ("+12.3%"), or "–". */
export function relative(value: number | null | undefined): string {
  if (value === null || value === undefined) return "–";
  return `${value >= 0 ? "+" : "−"}${fixed(Math.abs(value) * 100, 1)}%`;
}

/** A p-value ("0.003", "< 0.001"), or "–". */
export function pValue(value: number | null | undefined): string {
  if (value === null || value === undefined) return "–";
  if (value < 0.001) return "< 0.001";
  return fixed(value, 3);
}

/** An interval written with `each` ("+0.5 to +2.0 pts"), or "–". */
export function interval(
  ci: readonly number[] | null | undefined,
  each: (v: number) => string,
): string {
  if (!ci) return "–";
  const [low, high] = ci;
  if (low === undefined || high === undefined) return "–";
  return `${each(low)} to ${each(high)}`;
}
