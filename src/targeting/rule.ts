/**
 * The target-group rule language: the JSON shape (a zod schema, for request bodies and OpenAPI)
 * and the table of fields a rule may name, with their types. What a rule means is in README.md;
 * `validate.ts` checks a rule against the config, `compile.ts` turns it into SQL.
 */
import { z } from "zod";
import type { CustomerAttribute } from "../config/schema.ts";

/** Operators of a field condition. */
export const OPS = [
  "eq",
  "neq",
  "in",
  "not_in",
  "is_null",
  "is_not_null",
  "gt",
  "gte",
  "lt",
  "lte",
  "between",
  "contains",
  "starts_with",
  "within_last_days",
  "more_than_days_ago",
] as const;
export type Op = (typeof OPS)[number];

/** A rule field's type: the attribute types, plus `stage` (text restricted to the STAGES). */
export type FieldType = "text" | "number" | "boolean" | "date" | "timestamp" | "stage";

const COMMON_OPS: readonly Op[] = ["eq", "neq", "in", "not_in", "is_null", "is_not_null"];
const ORDERED_OPS: readonly Op[] = ["gt", "gte", "lt", "lte", "between"];
const DAY_OPS: readonly Op[] = ["within_last_days", "more_than_days_ago"];

/** The operators each field type allows. */
export const OPS_BY_TYPE: Record<FieldType, readonly Op[]> = {
  text: [...COMMON_OPS, "contains", "starts_with"],
  number: [...COMMON_OPS, ...ORDERED_OPS],
  boolean: COMMON_OPS,
  date: [...COMMON_OPS, ...ORDERED_OPS, ...DAY_OPS],
  timestamp: [...COMMON_OPS, ...ORDERED_OPS, ...DAY_OPS],
  stage: COMMON_OPS,
};

/** Where a field's value lives: the customer row (alias `c`) or the model row (alias `m`). */
export interface RuleField {
  name: string;
  type: FieldType;
  table: "c" | "m";
  column: string;
  /**
   * Whether the value can be known for a past date: attributes and the customer's own columns
   * are versioned, and the model history keeps stage, stage_since and segment only.
   */
  historical: boolean;
}

/** The model's outputs a rule may name, and the customer_model column behind each. */
export const MODEL_FIELDS: readonly RuleField[] = [
  { name: "lifecycle_stage", type: "stage", table: "m", column: "stage", historical: true },
  { name: "stage_since", type: "date", table: "m", column: "stage_since", historical: true },
  { name: "micro_segment", type: "text", table: "m", column: "segment", historical: true },
  { name: "value_tier", type: "number", table: "m", column: "value_tier", historical: false },
  { name: "p_alive", type: "number", table: "m", column: "p_alive", historical: false },
  {
    name: "expected_purchases",
    type: "number",
    table: "m",
    column: "expected_purchases",
    historical: false,
  },
  {
    name: "expected_spend",
    type: "number",
    table: "m",
    column: "expected_spend",
    historical: false,
  },
  { name: "clv", type: "number", table: "m", column: "clv", historical: false },
  { name: "purchases", type: "number", table: "m", column: "purchases", historical: false },
  { name: "recency_days", type: "number", table: "m", column: "recency_days", historical: false },
  { name: "tenure_days", type: "number", table: "m", column: "tenure_days", historical: false },
  {
    name: "last_purchase_on",
    type: "date",
    table: "m",
    column: "last_purchase_on",
    historical: false,
  },
];

const ATTRIBUTE_FIELD_TYPE: Record<CustomerAttribute["type"], FieldType> = {
  text: "text",
  integer: "number",
  numeric: "number",
  boolean: "boolean",
  date: "date",
  timestamp: "timestamp",
};

/** The fields every configuration has: the customer's own columns and the model's outputs. */
export const RULE_FIELDS: readonly RuleField[] = [
  { name: "contact_key", type: "text", table: "c", column: "contact_key", historical: true },
  { name: "first_seen_on", type: "date", table: "c", column: "first_seen_on", historical: true },
  ...MODEL_FIELDS,
];

/**
 * Every field a rule may name with these configured attributes, by name. A Map, so that a name
 * such as `__proto__` or `toString` is simply unknown.
 */
export function ruleFields(attributes: readonly CustomerAttribute[]): Map<string, RuleField> {
  const fields: RuleField[] = [
    ...RULE_FIELDS,
    ...attributes.map((a) => ({
      name: a.name,
      type: ATTRIBUTE_FIELD_TYPE[a.type],
      table: "c" as const,
      column: a.name,
      historical: true,
    })),
  ];
  return new Map(fields.map((f) => [f.name, f]));
}

/** A comparison of one field with a value (`value` is absent for is_null / is_not_null). */
export interface Condition {
  field: string;
  op: Op;
  value?: unknown;
}

/** Purchases (transactions with amount >= 0) in the last `withinDays` days. */
export interface PurchasedSpec {
  withinDays: number;
  /** At least this many purchases (Default: 1). */
  minCount?: number;
  /** Summing to at least this amount (Default: 0). */
  minAmount?: number;
}

/** A change of lifecycle stage that started in the last `withinDays` days. */
export interface StageChangedSpec {
  from?: string;
  to?: string;
  withinDays: number;
}

export type Rule =
  | { all: Rule[] }
  | { any: Rule[] }
  | { not: Rule }
  | Condition
  | { purchased: PurchasedSpec }
  | { notPurchased: PurchasedSpec }
  | { stageChanged: StageChangedSpec }
  | { inTargetGroup: number };

const Days = z.number().int().min(1).max(36_500);

const Purchased = z.strictObject({
  withinDays: Days,
  minCount: z.number().int().min(1).optional(),
  minAmount: z.number().min(0).optional(),
});

/** The JSON shape of a rule (the meaning of fields and values is checked by `validateRule`). */
export const Rule: z.ZodType<Rule> = z.lazy(() =>
  z.union([
    z.strictObject({ all: z.array(Rule) }),
    z.strictObject({ any: z.array(Rule) }),
    z.strictObject({ not: Rule }),
    z.strictObject({ field: z.string(), op: z.enum(OPS), value: z.unknown().optional() }),
    z.strictObject({ purchased: Purchased }),
    z.strictObject({ notPurchased: Purchased }),
    z.strictObject({
      stageChanged: z.strictObject({
        from: z.string().optional(),
        to: z.string().optional(),
        withinDays: Days,
      }),
    }),
    z.strictObject({ inTargetGroup: z.number().int().min(1) }),
  ]),
);
