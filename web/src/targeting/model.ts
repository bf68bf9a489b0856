/**
 * The rule builder's tree: groups (all / any / not) of leaves, each with a stable id for React,
 * converted to and from the rule JSON of src/targeting/rule.ts. Every node knows the JSON path
 * the server's problems name (`rule.any[1].all[0].value`), so an error lands at its leaf.
 */

/** A field's type, as src/targeting/rule.ts has it. */
export type FieldType = "text" | "number" | "boolean" | "date" | "timestamp" | "stage";

export interface FieldInfo {
  name: string;
  type: FieldType;
  source: "attribute" | "model";
}

/** The lifecycle stages (src/model/run/stages.ts), in the order the UI lists them. */
export const STAGES = [
  { value: "prospect", label: "Prospect" },
  { value: "new", label: "New" },
  { value: "active", label: "Active" },
  { value: "at_risk", label: "At-risk" },
  { value: "churned", label: "Churned" },
  { value: "reactivated", label: "Reactivated" },
];

/** The customer's own columns, which every configuration has (beside its attributes). */
export const OWN_FIELDS: FieldInfo[] = [
  { name: "contact_key", type: "text", source: "attribute" },
  { name: "first_seen_on", type: "date", source: "attribute" },
];

/** The model's outputs a rule may name (src/targeting/rule.ts MODEL_FIELDS). */
export const MODEL_FIELDS: FieldInfo[] = (
  [
    ["lifecycle_stage", "stage"],
    ["stage_since", "date"],
    ["micro_segment", "text"],
    ["value_tier", "number"],
    ["p_alive", "number"],
    ["expected_purchases", "number"],
    ["expected_spend", "number"],
    ["clv", "number"],
    ["purchases", "number"],
    ["recency_days", "number"],
    ["tenure_days", "number"],
    ["last_purchase_on", "date"],
  ] as const
).map(([name, type]) => ({ name, type, source: "model" as const }));

const ATTRIBUTE_TYPE: Record<string, FieldType> = {
  text: "text",
  integer: "number",
  numeric: "number",
  boolean: "boolean",
  date: "date",
  timestamp: "timestamp",
};

/** Every field: own columns, the configured attributes, the model's outputs. */
export function allFields(attributes: { name: string; type: string }[]): FieldInfo[] {
  return [
    ...OWN_FIELDS,
    ...attributes.map((a) => ({
      name: a.name,
      type: ATTRIBUTE_TYPE[a.type] ?? "text",
      source: "attribute" as const,
    })),
    ...MODEL_FIELDS,
  ];
}

export type Op =
  | "eq"
  | "neq"
  | "in"
  | "not_in"
  | "is_null"
  | "is_not_null"
  | "gt"
  | "gte"
  | "lt"
  | "lte"
  | "between"
  | "contains"
  | "starts_with"
  | "within_last_days"
  | "more_than_days_ago";

export const OP_LABELS: Record<Op, string> = {
  eq: "is",
  neq: "is not",
  in: "is one of",
  not_in: "is none of",
  is_null: "is empty",
  is_not_null: "is not empty",
  gt: "greater than",
  gte: "at least",
  lt: "less than",
  lte: "at most",
  between: "between",
  contains: "contains",
  starts_with: "starts with",
  within_last_days: "within the last",
  more_than_days_ago: "more than … days ago",
};

const COMMON: Op[] = ["eq", "neq", "in", "not_in", "is_null", "is_not_null"];
const ORDERED: Op[] = ["gt", "gte", "lt", "lte", "between"];
const DAYS: Op[] = ["within_last_days", "more_than_days_ago"];

/** The operators each field type allows (src/targeting/rule.ts OPS_BY_TYPE). */
export const OPS_BY_TYPE: Record<FieldType, Op[]> = {
  text: [...COMMON, "contains", "starts_with"],
  number: [...COMMON, ...ORDERED],
  boolean: COMMON,
  date: [...COMMON, ...ORDERED, ...DAYS],
  timestamp: [...COMMON, ...ORDERED, ...DAYS],
  stage: COMMON,
};

export interface PurchasedSpec {
  withinDays?: number;
  minCount?: number;
  minAmount?: number;
}

export interface StageChangedSpec {
  from?: string;
  to?: string;
  withinDays?: number;
}

export type Leaf =
  | { kind: "condition"; field: string; op: Op; value?: unknown }
  | { kind: "purchased" | "notPurchased"; spec: PurchasedSpec }
  | { kind: "stageChanged"; spec: StageChangedSpec }
  | { kind: "inTargetGroup"; id?: number };

export type GroupKind = "all" | "any" | "not";

export type Node =
  | { id: string; type: "group"; kind: GroupKind; children: Node[] }
  | { id: string; type: "leaf"; leaf: Leaf };

let nextId = 0;
function newId(): string {
  nextId += 1;
  return `n${nextId}`;
}

export function newGroup(kind: GroupKind = "all", children: Node[] = []): Node {
  return { id: newId(), type: "group", kind, children };
}

export function newLeaf(leaf?: Leaf): Node {
  return {
    id: newId(),
    type: "leaf",
    leaf: leaf ?? { kind: "condition", field: "contact_key", op: "starts_with", value: "" },
  };
}

/**
 * The path of a group's children: a `not` group is written `{"not": {"any": [...]}}` ("none of
 * these"), so that it can hold several conditions like the others.
 */
export function childrenPath(kind: GroupKind, path: string): string {
  return kind === "not" ? `${path}.not.any` : `${path}.${kind}`;
}

/** The rule JSON of a tree. */
export function toRule(node: Node): unknown {
  if (node.type === "group") {
    const children = node.children.map(toRule);
    return node.kind === "not" ? { not: { any: children } } : { [node.kind]: children };
  }
  const leaf = node.leaf;
  switch (leaf.kind) {
    case "condition":
      return leaf.value === undefined
        ? { field: leaf.field, op: leaf.op }
        : { field: leaf.field, op: leaf.op, value: leaf.value };
    case "purchased":
    case "notPurchased":
    case "stageChanged":
      return { [leaf.kind]: dropUndefined(leaf.spec) };
    case "inTargetGroup":
      return { inTargetGroup: leaf.id ?? null };
  }
}

function dropUndefined(spec: object): object {
  return Object.fromEntries(Object.entries(spec).filter(([, v]) => v !== undefined && v !== ""));
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The tree of a saved rule (always a group at the top). */
export function fromRule(rule: unknown): Node {
  const node = nodeOf(rule);
  return node.type === "group" ? node : newGroup("all", [node]);
}

function nodeOf(rule: unknown): Node {
  if (!isObject(rule)) return newLeaf();
  if (Array.isArray(rule.all)) return newGroup("all", rule.all.map(nodeOf));
  if (Array.isArray(rule.any)) return newGroup("any", rule.any.map(nodeOf));
  if ("not" in rule) {
    const inner = rule.not;
    const children = isObject(inner) && Array.isArray(inner.any) ? inner.any : [inner];
    return newGroup("not", children.map(nodeOf));
  }
  if (typeof rule.field === "string")
    return newLeaf({ kind: "condition", field: rule.field, op: rule.op as Op, value: rule.value });
  for (const kind of ["purchased", "notPurchased"] as const)
    if (isObject(rule[kind])) return newLeaf({ kind, spec: rule[kind] as PurchasedSpec });
  if (isObject(rule.stageChanged))
    return newLeaf({ kind: "stageChanged", spec: rule.stageChanged as StageChangedSpec });
  if (typeof rule.inTargetGroup === "number")
    return newLeaf({ kind: "inTargetGroup", id: rule.inTargetGroup });
  return newLeaf();
}

/** The tree with node `id` replaced by `replace(node)` (or removed when it answers null). */
export function updateNode(root: Node, id: string, replace: (node: Node) => Node | null): Node {
  if (root.id === id) return replace(root) ?? root;
  if (root.type !== "group") return root;
  const children: Node[] = [];
  for (const child of root.children) {
    if (child.id === id) {
      const next = replace(child);
      if (next) children.push(next);
    } else children.push(updateNode(child, id, replace));
  }
  return { ...root, children };
}

/** A problem the server names, at a JSON path of the rule. */
export interface Problem {
  path: string;
  message: string;
}

/** The problems no node of the tree shows (a group shows its own, a leaf those below it). */
export function unplacedProblems(root: Node, problems: Problem[]): Problem[] {
  const leaves: string[] = [];
  const groups: string[] = [];
  const walk = (node: Node, path: string) => {
    if (node.type === "leaf") return leaves.push(path);
    groups.push(path, childrenPath(node.kind, path));
    const base = childrenPath(node.kind, path);
    node.children.forEach((child, i) => {
      walk(child, `${base}[${i}]`);
    });
  };
  walk(root, "rule");
  return problems.filter(
    (p) =>
      !groups.includes(p.path) && !leaves.some((l) => p.path === l || p.path.startsWith(`${l}.`)),
  );
}

/** A problem's path as the rule names it: `body.rule.all[0]` → `rule.all[0]`. */
export function rulePath(path: string): string {
  return path.startsWith("body.") ? path.slice(5) : path;
}
