/**
 * Field conditions as SQL. Every fragment here is two-valued (true or false, never null), so
 * that `not`, `neq` and `not_in` are exact complements: a null value fails every positive
 * operator, and so passes its negation.
 */
import { type RawBuilder, sql } from "kysely";
import type { Condition, RuleField } from "./rule.ts";
import { isDateOnly, likePattern, timestampInstant } from "./values.ts";

/** What a condition needs beside itself: the as-of date (an SQL date) and the time zone. */
export interface ConditionScope {
  asOf: RawBuilder<unknown>;
  timeZone: string;
}

// Only these constant strings are ever written into the SQL text as operators.
const COMPARISON = { eq: "=", gt: ">", gte: ">=", lt: "<", lte: "<=" } as const;
type Comparison = keyof typeof COMPARISON;

/** `x`, with null read as false. */
function known(x: RawBuilder<unknown>): RawBuilder<boolean> {
  return sql<boolean>`coalesce(${x}, false)`;
}

/** The field's column in its alias (`c` or `m`), from the field table only. */
function column(field: RuleField): RawBuilder<unknown> {
  return sql.ref(`${field.table}.${field.column}`);
}

/** `column <op> value`, the value a typed parameter (may be null when the column is). */
function compare(
  field: RuleField,
  op: Comparison,
  value: unknown,
  scope: ConditionScope,
): RawBuilder<unknown> {
  const col = column(field);
  const operator = sql.raw(COMPARISON[op]);
  switch (field.type) {
    case "text":
    case "stage":
      return sql`${col} ${operator} ${value}::text`;
    case "number":
      return sql`${col} ${operator} ${value}::numeric`;
    case "boolean":
      return sql`${col} ${operator} ${value}::boolean`;
    case "date":
      return sql`${col} ${operator} ${value}::date`;
    case "timestamp": {
      const text = String(value);
      // A date alone compares the timestamp's local date: `lte 2026-01-31` keeps all of that day.
      if (isDateOnly(text))
        return sql`(${col} at time zone ${scope.timeZone}::text)::date ${operator} ${text}::date`;
      return sql`${col} ${operator} ${timestampInstant(text, scope.timeZone)}::timestamptz`;
    }
  }
}

/** The field as a calendar date (a timestamp's date in the time zone), for the day operators. */
function asDate(field: RuleField, scope: ConditionScope): RawBuilder<unknown> {
  const col = column(field);
  return field.type === "timestamp"
    ? sql`(${col} at time zone ${scope.timeZone}::text)::date`
    : col;
}

function isIn(field: RuleField, values: unknown[], scope: ConditionScope): RawBuilder<boolean> {
  const tests = values.map((v) => compare(field, "eq", v, scope));
  return known(sql`(${sql.join(tests, sql` or `)})`);
}

/** One field condition of a validated rule. */
export function conditionSql(
  condition: Condition,
  field: RuleField,
  scope: ConditionScope,
): RawBuilder<boolean> {
  const { op, value } = condition;
  const col = column(field);
  const { asOf } = scope;
  switch (op) {
    case "is_null":
      return sql<boolean>`(${col} is null)`;
    case "is_not_null":
      return sql<boolean>`(${col} is not null)`;
    case "eq":
    case "gt":
    case "gte":
    case "lt":
    case "lte":
      return known(compare(field, op, value, scope));
    case "neq":
      return sql<boolean>`not ${known(compare(field, "eq", value, scope))}`;
    case "in":
      return isIn(field, value as unknown[], scope);
    case "not_in":
      return sql<boolean>`not ${isIn(field, value as unknown[], scope)}`;
    case "between": {
      const [low, high] = value as [unknown, unknown];
      return known(
        sql`(${compare(field, "gte", low, scope)} and ${compare(field, "lte", high, scope)})`,
      );
    }
    case "contains":
    case "starts_with":
      return known(sql`${col} ilike ${likePattern(String(value), op)}::text escape '\\'`);
    case "within_last_days":
      // (A − N, A]: the last N calendar days, the as-of date included.
      return known(
        sql`(${asDate(field, scope)} > ${asOf} - ${value}::int and ${asDate(field, scope)} <= ${asOf})`,
      );
    case "more_than_days_ago":
      // A − date > N: a date exactly N days ago is in neither this nor within_last_days N.
      return known(sql`${asDate(field, scope)} < ${asOf} - ${value}::int`);
  }
}
