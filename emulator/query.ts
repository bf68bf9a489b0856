/** `$filter` and `$orderBy` of `GET /push/v1/message`: `field op 'value'` clauses joined by `and`. */

export type FilterOperator = "eq" | "neq" | "lt" | "lte" | "gt" | "gte" | "like";

export interface FilterClause {
  field: string;
  operator: FilterOperator;
  value: string;
}

export interface OrderTerm {
  field: string;
  descending: boolean;
}

/** A `$filter` or `$orderBy` that cannot be read. */
export class QueryError extends Error {
  override name = "QueryError";
}

const CLAUSE =
  /^\s*([A-Za-z][\w.]*)\s+(eq|neq|ne|lt|lte|le|gt|gte|ge|like)\s+('(?:[^']|'')*'|"[^"]*"|[^\s']+)\s*/i;
const ALIASES: Record<string, FilterOperator> = { ne: "neq", le: "lte", ge: "gte" };

/** Parses `status eq '2' and name like 'NJA_%'`; throws QueryError when it cannot. */
export function parseFilter(text: string): FilterClause[] {
  const clauses: FilterClause[] = [];
  let rest = text;
  for (;;) {
    const match = CLAUSE.exec(rest);
    if (!match?.[1] || !match[2] || !match[3])
      throw new QueryError(`$filter ${text} is not valid.`);
    const raw = match[3];
    const value =
      raw.startsWith("'") || raw.startsWith('"') ? raw.slice(1, -1).replaceAll("''", "'") : raw;
    const op = match[2].toLowerCase();
    clauses.push({ field: match[1], operator: ALIASES[op] ?? (op as FilterOperator), value });
    rest = rest.slice(match[0].length);
    if (rest.trim() === "") return clauses;
    const and = /^and\s+/i.exec(rest);
    if (!and) throw new QueryError(`$filter ${text} is not valid.`);
    rest = rest.slice(and[0].length);
  }
}

/** Parses `name asc, createdDate desc`; throws QueryError when it cannot. */
export function parseOrderBy(text: string): OrderTerm[] {
  return text.split(",").map((part) => {
    const match = /^\s*([A-Za-z][\w.]*)(?:\s+(asc|desc))?\s*$/i.exec(part);
    if (!match?.[1]) throw new QueryError(`$orderBy ${text} is not valid.`);
    return { field: match[1], descending: match[2]?.toLowerCase() === "desc" };
  });
}

type Scalar = string | number | boolean | null | undefined;

function compare(a: Scalar, b: Scalar): number {
  if (a === b) return 0;
  if (a === null || a === undefined) return -1;
  if (b === null || b === undefined) return 1;
  const na = Number(a);
  const nb = Number(b);
  if (a !== "" && b !== "" && !Number.isNaN(na) && !Number.isNaN(nb)) return na - nb;
  return String(a).localeCompare(String(b));
}

function like(value: Scalar, pattern: string): boolean {
  const text = String(value ?? "").toLowerCase();
  const needle = pattern.toLowerCase();
  if (!needle.includes("%")) return text.includes(needle);
  const escaped = needle
    .split("%")
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
    .join(".*");
  return new RegExp(`^${escaped}$`, "s").test(text);
}

/** Whether the item, read through `field`, passes every clause. */
export function matches(field: (name: string) => Scalar, clauses: FilterClause[]): boolean {
  return clauses.every(({ field: name, operator, value }) => {
    const actual = field(name);
    switch (operator) {
      case "eq":
        return compare(actual, value) === 0;
      case "neq":
        return compare(actual, value) !== 0;
      case "lt":
        return compare(actual, value) < 0;
      case "lte":
        return compare(actual, value) <= 0;
      case "gt":
        return compare(actual, value) > 0;
      case "gte":
        return compare(actual, value) >= 0;
      case "like":
        return like(actual, value);
    }
    return false;
  });
}

/** A comparator for `Array.sort` following the order terms. */
export function comparator<T>(
  field: (item: T, name: string) => Scalar,
  terms: OrderTerm[],
): (a: T, b: T) => number {
  return (a, b) => {
    for (const { field: name, descending } of terms) {
      const order = compare(field(a, name), field(b, name));
      if (order !== 0) return descending ? -order : order;
    }
    return 0;
  };
}
