/** How the customer pages write values. */

/** An attribute value in words: "–" when not set, yes/no for booleans. */
export function formatValue(value: unknown): string {
  if (value === null || value === undefined || value === "") return "–";
  if (typeof value === "boolean") return value ? "yes" : "no";
  if (typeof value === "number") return value.toLocaleString();
  return String(value);
}

/** A number with at most `digits` decimals, or "–". */
export function formatNumber(value: number | null | undefined, digits = 2): string {
  if (value === null || value === undefined) return "–";
  return value.toLocaleString(undefined, { maximumFractionDigits: digits });
}

/** A share as a percentage, or "–". */
export function formatPercent(value: number | null | undefined): string {
  if (value === null || value === undefined) return "–";
  return `${(value * 100).toLocaleString(undefined, { maximumFractionDigits: 1 })}%`;
}
