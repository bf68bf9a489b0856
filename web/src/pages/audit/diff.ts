/**
 * A compact diff of two audited values: the fields (dotted paths) that differ, each written
 * before → after; null when the change is better read as the two JSONs (a creation, a deletion,
 * or more than 6 fields changed).
 */
export interface FieldChange {
  path: string;
  before: string;
  after: string;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

const show = (v: unknown) => (v === undefined ? "–" : JSON.stringify(v));

export function changes(before: unknown, after: unknown, max = 6): FieldChange[] | null {
  if (!isObject(before) || !isObject(after)) return null;
  const out: FieldChange[] = [];
  const walk = (a: Record<string, unknown>, b: Record<string, unknown>, prefix: string) => {
    for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
      const path = prefix ? `${prefix}.${key}` : key;
      const x = a[key];
      const y = b[key];
      if (isObject(x) && isObject(y)) walk(x, y, path);
      else if (JSON.stringify(x) !== JSON.stringify(y))
        out.push({ path, before: show(x), after: show(y) });
    }
  };
  walk(before, after, "");
  return out.length === 0 || out.length > max ? null : out;
}
