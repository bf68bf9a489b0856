/**
 * One leaf of the rule builder: a field condition (the field's type decides the operators and
 * the value input), a behaviour (purchased / not purchased / stage changed) or "in target group".
 * The server's problems at this leaf's path appear at the input they concern.
 */
import { ActionIcon, Group, NumberInput, Paper, Select, Text } from "@mantine/core";
import type { FieldInfo, Leaf, Op, Problem, PurchasedSpec, StageChangedSpec } from "./model";
import { OP_LABELS, OPS_BY_TYPE, STAGES } from "./model";
import { emptyValue, ValueInput, valueShape } from "./ValueInput";

interface Props {
  leaf: Leaf;
  /** The leaf's JSON path (`rule.any[0]`), to find its problems. */
  path: string;
  /** Its number for people ("2.1"), in its accessible name. */
  label: string;
  fields: FieldInfo[];
  groups: { value: string; label: string }[];
  problems: Problem[];
  onChange(leaf: Leaf): void;
  onRemove(): void;
}

const BEHAVIOURS = [
  { value: "purchased", label: "Purchased" },
  { value: "notPurchased", label: "Not purchased" },
  { value: "stageChanged", label: "Stage changed" },
];

function kindKey(leaf: Leaf): string {
  return leaf.kind === "condition" ? `field:${leaf.field}` : leaf.kind;
}

/** The leaf a choice in the "Field" select starts. */
function leafOf(key: string, fields: FieldInfo[]): Leaf {
  if (key === "purchased" || key === "notPurchased") return { kind: key, spec: { withinDays: 30 } };
  if (key === "stageChanged") return { kind: "stageChanged", spec: { withinDays: 30 } };
  if (key === "inTargetGroup") return { kind: "inTargetGroup" };
  const name = key.slice("field:".length);
  const type = fields.find((f) => f.name === name)?.type ?? "text";
  const op = OPS_BY_TYPE[type][0] as Op;
  return { kind: "condition", field: name, op, value: emptyValue(type, op) };
}

function days(v: string | number): number | undefined {
  return v === "" ? undefined : Number(v);
}

export function LeafEditor({
  leaf,
  path,
  label,
  fields,
  groups,
  problems,
  onChange,
  onRemove,
}: Props) {
  // The problems of this leaf (its path, or below it) that an input shows; the rest go below.
  const mine = problems.filter(
    (p) => p.path === path || p.path.startsWith(`${path}.`) || p.path.startsWith(`${path}[`),
  );
  const shown = new Set<Problem>();
  const words = (list: Problem[]) => {
    for (const p of list) shown.add(p);
    return list.map((p) => p.message).join("; ") || undefined;
  };
  const at = (suffix: string) => words(mine.filter((p) => p.path === `${path}${suffix}`));
  const below = (suffix: string) =>
    words(mine.filter((p) => p.path.startsWith(`${path}${suffix}`) && !shown.has(p)));
  const choices = [
    {
      group: "Attributes",
      items: fields
        .filter((f) => f.source === "attribute")
        .map((f) => ({ value: `field:${f.name}`, label: f.name })),
    },
    {
      group: "Model outputs",
      items: fields
        .filter((f) => f.source === "model")
        .map((f) => ({ value: `field:${f.name}`, label: f.name })),
    },
    { group: "Behaviour", items: BEHAVIOURS },
    { group: "Target groups", items: [{ value: "inTargetGroup", label: "In target group" }] },
  ];
  let body: React.ReactNode;
  if (leaf.kind === "condition") {
    const type = fields.find((f) => f.name === leaf.field)?.type ?? "text";
    body = (
      <>
        <Select
          label="Operator"
          data={OPS_BY_TYPE[type].map((op) => ({ value: op, label: OP_LABELS[op] }))}
          value={leaf.op}
          allowDeselect={false}
          error={at(".op")}
          onChange={(v) => {
            const op = (v ?? leaf.op) as Op;
            const keep = valueShape(op) === valueShape(leaf.op);
            onChange({ ...leaf, op, value: keep ? leaf.value : emptyValue(type, op) });
          }}
          w={190}
        />
        <ValueInput
          type={type}
          op={leaf.op}
          value={leaf.value}
          onChange={(value) => onChange({ ...leaf, value })}
          endErrors={
            leaf.op === "between" ? [at(".value[0]"), at(".value[1]")] : [undefined, undefined]
          }
          error={below(".value")}
        />
      </>
    );
  } else if (leaf.kind === "purchased" || leaf.kind === "notPurchased") {
    const base = `.${leaf.kind}`;
    const set = (patch: PurchasedSpec) => onChange({ ...leaf, spec: { ...leaf.spec, ...patch } });
    body = (
      <>
        <NumberInput
          label="Within the last"
          suffix=" days"
          allowDecimal={false}
          value={leaf.spec.withinDays ?? ""}
          onChange={(v) => set({ withinDays: days(v) })}
          error={at(`${base}.withinDays`)}
          w={150}
        />
        <NumberInput
          label="At least (purchases)"
          allowDecimal={false}
          value={leaf.spec.minCount ?? ""}
          onChange={(v) => set({ minCount: days(v) })}
          error={at(`${base}.minCount`)}
          w={160}
        />
        <NumberInput
          label="Amount at least"
          value={leaf.spec.minAmount ?? ""}
          onChange={(v) => set({ minAmount: days(v) })}
          error={at(`${base}.minAmount`)}
          w={150}
        />
      </>
    );
  } else if (leaf.kind === "stageChanged") {
    const set = (patch: StageChangedSpec) =>
      onChange({ ...leaf, spec: { ...leaf.spec, ...patch } });
    body = (
      <>
        <Select
          label="From stage"
          placeholder="any stage"
          data={STAGES}
          clearable
          value={leaf.spec.from ?? null}
          onChange={(v) => set({ from: v ?? undefined })}
          error={at(".stageChanged.from")}
          w={160}
        />
        <Select
          label="To stage"
          placeholder="any stage"
          data={STAGES}
          clearable
          value={leaf.spec.to ?? null}
          onChange={(v) => set({ to: v ?? undefined })}
          error={at(".stageChanged.to")}
          w={160}
        />
        <NumberInput
          label="Within the last"
          suffix=" days"
          allowDecimal={false}
          value={leaf.spec.withinDays ?? ""}
          onChange={(v) => set({ withinDays: days(v) })}
          error={at(".stageChanged.withinDays")}
          w={150}
        />
      </>
    );
  } else if (leaf.kind === "inTargetGroup") {
    body = (
      <Select
        label="Target group"
        placeholder="Choose a group"
        data={groups}
        searchable
        value={leaf.id === undefined ? null : String(leaf.id)}
        onChange={(v) => onChange({ kind: "inTargetGroup", ...(v ? { id: Number(v) } : {}) })}
        error={below(".inTargetGroup")}
        w={260}
      />
    );
  }
  const fieldError = at(".field");
  const rest = mine.filter((p) => !shown.has(p));
  return (
    <Paper withBorder p="xs" role="group" aria-label={`Condition ${label}`}>
      <Group gap="xs" align="flex-start" wrap="wrap">
        <Select
          label="Field"
          data={choices}
          value={kindKey(leaf)}
          searchable
          allowDeselect={false}
          error={fieldError}
          onChange={(v) => v && onChange(leafOf(v, fields))}
          w={210}
        />
        {body}
        <ActionIcon
          variant="subtle"
          color="red"
          mt={26}
          aria-label={`Remove condition ${label}`}
          onClick={onRemove}
        >
          ✕
        </ActionIcon>
      </Group>
      {rest.map((p) => (
        <Text key={p.path + p.message} c="red" size="sm" mt={4}>
          {p.message}
        </Text>
      ))}
    </Paper>
  );
}
