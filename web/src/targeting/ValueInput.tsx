/** A condition's value, by the field's type and the operator: text, number, date, stage, days. */
import { Group, MultiSelect, NumberInput, Select, TagsInput, TextInput } from "@mantine/core";
import { DateInput } from "@mantine/dates";
import type { FieldType, Op } from "./model";
import { STAGES } from "./model";

interface Props {
  type: FieldType;
  op: Op;
  value: unknown;
  onChange(value: unknown): void;
  /** The problem at the value (or at one end of a range), if any. */
  error?: string | undefined;
  endErrors?: [string | undefined, string | undefined];
}

/** The kind of value an operator takes: a change of operator keeps the value when it is the same. */
export function valueShape(op: Op): "none" | "list" | "range" | "days" | "one" {
  if (op === "is_null" || op === "is_not_null") return "none";
  if (op === "in" || op === "not_in") return "list";
  if (op === "between") return "range";
  if (op === "within_last_days" || op === "more_than_days_ago") return "days";
  return "one";
}

/** The empty value of an operator on a field of `type`. */
export function emptyValue(type: FieldType, op: Op): unknown {
  if (op === "is_null" || op === "is_not_null") return undefined;
  if (op === "in" || op === "not_in") return [];
  if (op === "between") return [null, null];
  if (op === "within_last_days" || op === "more_than_days_ago") return 30;
  if (type === "text") return "";
  if (type === "boolean") return true;
  if (type === "stage") return "active";
  return undefined;
}

function numberOrUndefined(v: string | number): number | undefined {
  return typeof v === "number" ? v : v === "" ? undefined : Number(v);
}

function Scalar({
  type,
  value,
  onChange,
  label,
  error,
}: {
  type: FieldType;
  value: unknown;
  onChange(value: unknown): void;
  label: string;
  error?: string | undefined;
}) {
  switch (type) {
    case "number":
      return (
        <NumberInput
          label={label}
          error={error}
          value={typeof value === "number" ? value : ""}
          onChange={(v) => onChange(numberOrUndefined(v))}
          w={160}
        />
      );
    case "boolean":
      return (
        <Select
          label={label}
          error={error}
          data={["true", "false"]}
          value={value === false ? "false" : "true"}
          onChange={(v) => onChange(v !== "false")}
          allowDeselect={false}
          w={120}
        />
      );
    case "stage":
      return (
        <Select
          label={label}
          error={error}
          data={STAGES}
          value={typeof value === "string" ? value : null}
          onChange={(v) => onChange(v ?? undefined)}
          allowDeselect={false}
          w={170}
        />
      );
    case "date":
    case "timestamp":
      return (
        <DateInput
          label={label}
          error={error}
          valueFormat="YYYY-MM-DD"
          value={typeof value === "string" ? value : null}
          onChange={(v) => onChange(v ?? undefined)}
          clearable
          w={160}
        />
      );
    default:
      return (
        <TextInput
          label={label}
          error={error}
          value={typeof value === "string" ? value : ""}
          onChange={(e) => onChange(e.currentTarget.value)}
          w={200}
        />
      );
  }
}

export function ValueInput({ type, op, value, onChange, error, endErrors }: Props) {
  if (op === "is_null" || op === "is_not_null") return null;
  if (op === "within_last_days" || op === "more_than_days_ago")
    return (
      <NumberInput
        label="Days"
        error={error}
        suffix=" days"
        min={0}
        allowDecimal={false}
        value={typeof value === "number" ? value : ""}
        onChange={(v) => onChange(numberOrUndefined(v))}
        w={140}
      />
    );
  if (op === "between") {
    const [low, high] = Array.isArray(value) ? value : [null, null];
    const set = (at: 0 | 1) => (v: unknown) =>
      onChange(at === 0 ? [v ?? null, high ?? null] : [low ?? null, v ?? null]);
    return (
      <Group gap="xs" align="flex-start">
        <Scalar type={type} label="From" value={low} onChange={set(0)} error={endErrors?.[0]} />
        <Scalar
          type={type}
          label="To"
          value={high}
          onChange={set(1)}
          error={endErrors?.[1] ?? error}
        />
      </Group>
    );
  }
  if (op === "in" || op === "not_in") {
    const list = Array.isArray(value) ? value.map(String) : [];
    if (type === "stage")
      return (
        <MultiSelect label="Values" error={error} data={STAGES} value={list} onChange={onChange} />
      );
    const parse = (items: string[]) =>
      type === "number"
        ? items.map(Number)
        : type === "boolean"
          ? items.map((s) => s === "true")
          : items;
    return (
      <TagsInput
        label="Values"
        error={error}
        value={list}
        onChange={(items) => onChange(parse(items))}
        w={260}
      />
    );
  }
  return <Scalar type={type} label="Value" value={value} onChange={onChange} error={error} />;
}
