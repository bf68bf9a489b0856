import { type RawBuilder, sql } from "kysely";
import type { AttributeType } from "../config/schema.ts";

/** How a staged text column is checked and converted. */
export interface ColumnSpec {
  /** Column name, as in the file header and the target table. */
  name: string;
  type: AttributeType;
  /** Must be present and non-empty on every row. */
  required: boolean;
}

/** The PostgreSQL column type of each attribute type. */
export const PG_TYPE: Record<AttributeType, string> = {
  text: "text",
  integer: "bigint",
  numeric: "numeric",
  boolean: "boolean",
  date: "date",
  timestamp: "timestamptz",
};

const BOOLEAN_WORDS = ["true", "false", "t", "f", "yes", "no", "y", "n", "1", "0"];

function typeReason(type: AttributeType, value: RawBuilder<unknown>): RawBuilder<string | null> {
  switch (type) {
    case "text":
      return sql`null::text`;
    case "integer":
      return sql`case when ${value} !~ '^[+-]?[0-9]{1,18}$' then ${"not an integer"} end`;
    case "numeric":
      return sql`case when ${value} !~ '^[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)([eE][+-]?[0-9]{1,3})?$'
        then ${"not a number (use digits with a . decimal point)"} end`;
    case "boolean":
      return sql`case when lower(${value}) <> all(${BOOLEAN_WORDS}::text[])
        then ${"not a boolean (use true/false, yes/no or 1/0)"} end`;
    case "date":
      return sql`case when not nightjar_is_date(${value}) then ${"not a valid date (YYYY-MM-DD)"} end`;
    case "timestamp":
      return sql`case when not nightjar_is_timestamp(${value})
        then ${"not a valid timestamp (YYYY-MM-DD[ HH:MM[:SS]][Z|±HH:MM])"} end`;
  }
}

/** SQL giving the reason a staged value is refused, or null when it is fine. */
export function refusalReason(column: ColumnSpec, table: string): RawBuilder<string | null> {
  const raw = sql.ref(`${table}.${column.name}`);
  const value = sql`btrim(${raw})`;
  const empty = sql`(${raw} is null or btrim(${raw}) = '')`;
  const missing = column.required ? sql`${"required value is missing"}` : sql`null::text`;
  return sql<
    string | null
  >`case when ${empty} then ${missing} else ${typeReason(column.type, value)} end`;
}

/** The check of one configured column of staging table `s`. */
export function valueCheck(column: ColumnSpec): {
  column: string;
  reason: RawBuilder<string | null>;
} {
  return { column: column.name, reason: refusalReason(column, "s") };
}

/** SQL converting a staged (already checked) text value into its typed value; empty is null. */
export function typedValue(column: ColumnSpec, table: string): RawBuilder<unknown> {
  const raw = sql.ref(`${table}.${column.name}`);
  if (column.type === "text") return sql`nullif(${raw}, '')`;
  return sql`nullif(btrim(${raw}), '')::${sql.raw(PG_TYPE[column.type])}`;
}
