/**
 * The rule builder: nested groups (all of / any of / none of) of leaves. It edits the tree of
 * model.ts; the page turns the tree into rule JSON. Problems are placed by their JSON path: at a
 * leaf's input, at a group, or (when they name no node here) above the builder.
 */
import { Button, Group, Paper, SegmentedControl, Stack, Text } from "@mantine/core";
import { LeafEditor } from "./LeafEditor";
import {
  childrenPath,
  type FieldInfo,
  type GroupKind,
  type Node,
  newGroup,
  newLeaf,
  type Problem,
  updateNode,
} from "./model";

interface Shared {
  root: Node;
  fields: FieldInfo[];
  groups: { value: string; label: string }[];
  problems: Problem[];
  onChange(root: Node): void;
}

const KINDS: { value: GroupKind; label: string }[] = [
  { value: "all", label: "all of" },
  { value: "any", label: "any of" },
  { value: "not", label: "none of" },
];

function GroupEditor({
  node,
  path,
  label,
  shared,
  onRemove,
}: {
  node: Extract<Node, { type: "group" }>;
  path: string;
  label: string;
  shared: Shared;
  onRemove?: () => void;
}) {
  const { root, onChange } = shared;
  const base = childrenPath(node.kind, path);
  const own = shared.problems.filter((p) => p.path === path || p.path === base);
  const replace = (id: string, f: (n: Node) => Node | null) => onChange(updateNode(root, id, f));
  const add = (child: Node) =>
    replace(node.id, (n) => (n.type === "group" ? { ...n, children: [...n.children, child] } : n));
  const name = label === "" ? "Rule" : `Group ${label}`;
  return (
    <Paper
      withBorder
      p="sm"
      role="group"
      aria-label={name}
      bg={label === "" ? undefined : "gray.0"}
    >
      <Stack gap="xs">
        <Group gap="sm">
          <Text size="sm" fw={500}>
            Match
          </Text>
          <SegmentedControl
            size="xs"
            aria-label={`${name}: match`}
            data={KINDS}
            value={node.kind}
            onChange={(v) => replace(node.id, (n) => ({ ...n, kind: v as GroupKind }))}
          />
          {onRemove && (
            <Button size="xs" variant="subtle" color="red" onClick={onRemove}>
              Remove group {label}
            </Button>
          )}
        </Group>
        {own.map((p) => (
          <Text key={p.path + p.message} c="red" size="sm">
            {p.message}
          </Text>
        ))}
        {node.children.length === 0 && (
          <Text size="sm" c="dimmed">
            {node.kind === "any"
              ? "No conditions: nobody matches."
              : "No conditions: every customer matches."}
          </Text>
        )}
        {node.children.map((child, i) => {
          const childPath = `${base}[${i}]`;
          const childLabel = label === "" ? String(i + 1) : `${label}.${i + 1}`;
          const remove = () => replace(child.id, () => null);
          return child.type === "group" ? (
            <GroupEditor
              key={child.id}
              node={child}
              path={childPath}
              label={childLabel}
              shared={shared}
              onRemove={remove}
            />
          ) : (
            <LeafEditor
              key={child.id}
              leaf={child.leaf}
              path={childPath}
              label={childLabel}
              fields={shared.fields}
              groups={shared.groups}
              problems={shared.problems}
              onChange={(leaf) => replace(child.id, (n) => ({ ...n, leaf }) as Node)}
              onRemove={remove}
            />
          );
        })}
        <Group gap="xs">
          <Button size="xs" variant="light" onClick={() => add(newLeaf())}>
            Add condition{label === "" ? "" : ` to group ${label}`}
          </Button>
          <Button size="xs" variant="default" onClick={() => add(newGroup("all", [newLeaf()]))}>
            Add group{label === "" ? "" : ` to group ${label}`}
          </Button>
        </Group>
      </Stack>
    </Paper>
  );
}

/** The builder of a whole rule; `root` is always a group. */
export function RuleBuilder(props: Shared) {
  const { root } = props;
  if (root.type !== "group") return null;
  return <GroupEditor node={root} path="rule" label="" shared={props} />;
}
