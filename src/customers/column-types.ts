import type { AttributeType } from "../config/schema.ts";

/** The PostgreSQL column type of each attribute type (staging, customers and history alike). */
export const PG_TYPE: Record<AttributeType, string> = {
  text: "text",
  integer: "bigint",
  numeric: "numeric",
  boolean: "boolean",
  date: "date",
  timestamp: "timestamptz",
};
