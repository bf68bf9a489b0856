/**
 * SFMC seems to bind JSON field names case-insensitively (doc tables use camelCase, examples
 * PascalCase). `canonicalFields` renames the keys of `body` that match one of `names` in another
 * case to the canonical spelling; others are kept as they are.
 */
export function canonicalFields(
  body: Record<string, unknown>,
  names: readonly string[],
  caseInsensitive: boolean,
): Record<string, unknown> {
  const byLower = new Map(names.map((name) => [name.toLowerCase(), name]));
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(body)) {
    const canonical = caseInsensitive ? (byLower.get(key.toLowerCase()) ?? key) : key;
    // An exact spelling wins over another case of the same field.
    if (canonical !== key && Object.hasOwn(body, canonical)) continue;
    out[canonical] = value;
  }
  return out;
}

/** Whether `value` is a plain JSON object (not an array, not null). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
