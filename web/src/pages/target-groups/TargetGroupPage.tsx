/**
 * A target group, new (/target-groups/new) or saved (/target-groups/:id): its name and the rule
 * builder, the live count, a preview of its customers and (once saved) its size over 90 days.
 * The server's problems, from the count or from saving, appear at the leaf they concern.
 */
import {
  Button,
  Card,
  Group,
  Loader,
  Stack,
  Text,
  Textarea,
  TextInput,
  Title,
} from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Link, useLocation, useNavigate, useParams } from "react-router";
import { ApiError, api, type Schemas, unwrap } from "../../api/client";
import { allows, RequireRole, useSession } from "../../app/session";
import { Problem } from "../../components/Problem";
import {
  allFields,
  fromRule,
  type Node,
  newGroup,
  rulePath,
  toRule,
  unplacedProblems,
} from "../../targeting/model";
import { countText, useRuleCount, useSettledRule } from "../../targeting/queries";
import { RuleBuilder } from "../../targeting/RuleBuilder";
import { Preview } from "./Preview";
import { SizeChart } from "./SizeChart";

type Saved = Schemas["TargetGroup"];

function problemsOf(error: unknown): { path: string; message: string }[] {
  return error instanceof ApiError
    ? error.fields.map((f) => ({ path: rulePath(f.path), message: f.message }))
    : [];
}

/** The live count: "N reachable of M", with a visible pending state while it is asked. */
function LiveCount({ ruleText, settled }: { ruleText: string; settled: boolean }) {
  const count = useRuleCount(ruleText);
  const pending = !settled || count.isFetching;
  return (
    <Group gap="xs" role="status" aria-live="polite" aria-busy={pending}>
      {count.data && !count.error ? (
        <Text fw={600} size="lg" c={pending ? "dimmed" : undefined}>
          {countText(count.data)}
        </Text>
      ) : (
        <Text c="dimmed">{count.error ? "Cannot count: see the rule" : "Counting…"}</Text>
      )}
      {pending && <Loader size="xs" aria-label="Counting" />}
      {count.data && !pending && (
        <Text size="xs" c="dimmed">
          as of {count.data.asOf}
        </Text>
      )}
    </Group>
  );
}

function GroupForm({ saved }: { saved: Saved | null }) {
  const session = useSession();
  const navigate = useNavigate();
  const location = useLocation();
  const client = useQueryClient();
  const [name, setName] = useState(saved?.name ?? "");
  const [description, setDescription] = useState(saved?.description ?? "");
  const [root, setRoot] = useState<Node>(() => (saved ? fromRule(saved.rule) : newGroup("all")));
  const rule = toRule(root);
  const { text: ruleText, settled } = useSettledRule(rule);
  const count = useRuleCount(ruleText);
  const attributes = useQuery({
    queryKey: ["customers", "attributes"],
    queryFn: async () => unwrap(await api.GET("/api/customers/attributes")),
  });
  const groups = useQuery({
    queryKey: ["target-groups"],
    queryFn: async () => unwrap(await api.GET("/api/target-groups")),
  });
  const save = useMutation({
    // The variable is the rule's text as saved: its problems hold only while the rule is that.
    mutationFn: async (_ruleText: string) => {
      const body = { name, rule, description: description.trim() === "" ? null : description };
      return saved
        ? unwrap(
            await api.PUT("/api/target-groups/{id}", { params: { path: { id: saved.id } }, body }),
          )
        : unwrap(await api.POST("/api/target-groups", { body }));
    },
    onSuccess: async (group) => {
      await client.invalidateQueries({ queryKey: ["target-groups"] });
      navigate(`/target-groups/${group.id}`, { state: { saved: true }, replace: saved !== null });
    },
  });
  const remove = useMutation({
    mutationFn: async (id: number) =>
      unwrap(await api.DELETE("/api/target-groups/{id}", { params: { path: { id } } })),
    onSuccess: async () => {
      await client.invalidateQueries({ queryKey: ["target-groups"] });
      navigate("/target-groups");
    },
  });
  const justSaved = (location.state as { saved?: boolean } | null)?.saved === true;
  // The count's problems follow the rule as it changes; a failed save's, while the rule is unchanged.
  const problems = problemsOf(count.error);
  if (save.variables === JSON.stringify(rule))
    for (const p of problemsOf(save.error))
      if (!problems.some((q) => q.path === p.path && q.message === p.message)) problems.push(p);
  const ruleProblems = problems.filter((p) => p.path === "rule" || p.path.startsWith("rule."));
  const nameError = save.error instanceof ApiError ? save.error.fieldError("name") : undefined;
  const elsewhere = unplacedProblems(root, ruleProblems);
  const canChange = allows(session.role, "marketer");
  const fields = allFields(attributes.data ?? []);
  const groupChoices = (groups.data ?? [])
    .filter((g) => g.id !== saved?.id)
    .map((g) => ({ value: String(g.id), label: g.name }));
  return (
    <Stack>
      <Group justify="space-between" align="flex-end">
        <Title order={2}>{saved ? saved.name : "New target group"}</Title>
        <Link to="/target-groups">All target groups</Link>
      </Group>
      <Card withBorder>
        <Group align="flex-start" justify="space-between">
          <Stack gap="xs" style={{ flex: 1 }}>
            <TextInput
              label="Name"
              value={name}
              onChange={(e) => {
                setName(e.currentTarget.value);
                // The refusal was of the name as it was; a new one is judged at the next save.
                if (nameError) save.reset();
              }}
              error={nameError}
              readOnly={!canChange}
              maw={420}
            />
            <Textarea
              label="Description"
              value={description}
              onChange={(e) => setDescription(e.currentTarget.value)}
              autosize
              readOnly={!canChange}
              minRows={1}
              maw={420}
            />
          </Stack>
          <Stack gap="xs" align="flex-end">
            <LiveCount ruleText={ruleText} settled={settled} />
            {canChange && (
              <Group gap="xs">
                {saved && (
                  <Button
                    variant="default"
                    color="red"
                    loading={remove.isPending}
                    onClick={() => {
                      if (window.confirm(`Delete the target group "${saved.name}"?`))
                        remove.mutate(saved.id);
                    }}
                  >
                    Delete
                  </Button>
                )}
                <Button onClick={() => save.mutate(JSON.stringify(rule))} loading={save.isPending}>
                  Save
                </Button>
              </Group>
            )}
            {justSaved && !save.error && (
              <Text size="sm" c="green">
                Saved.
              </Text>
            )}
          </Stack>
        </Group>
        {save.error && <Problem error={save.error} title="The target group was not saved" />}
      </Card>
      <Problem error={attributes.error} title="The attributes could not be loaded" />
      {count.error && !(count.error instanceof ApiError && count.error.fields.length > 0) && (
        <Problem error={count.error} title="The rule could not be counted" />
      )}
      {elsewhere.map((p) => (
        <Text key={p.path + p.message} c="red" size="sm">
          {p.path}: {p.message}
        </Text>
      ))}
      {/* Viewers read the rule; a disabled fieldset makes every input of it read-only. */}
      <fieldset disabled={!canChange} style={{ border: 0, padding: 0, margin: 0, minWidth: 0 }}>
        <RuleBuilder
          root={root}
          onChange={setRoot}
          fields={fields}
          groups={groupChoices}
          problems={ruleProblems}
        />
      </fieldset>
      <Group gap="xs" align="baseline">
        <Title order={3}>Matching customers</Title>
        <Text size="sm" c="dimmed">
          the first 20, by contact key
        </Text>
      </Group>
      <Preview ruleText={ruleText} />
      {saved && (
        <>
          <Title order={3}>Size over the last 90 days</Title>
          <SizeChart id={saved.id} />
        </>
      )}
    </Stack>
  );
}

export function NewTargetGroupPage() {
  return (
    <RequireRole least="marketer">
      <GroupForm saved={null} />
    </RequireRole>
  );
}

export function TargetGroupPage() {
  const id = Number(useParams().id);
  const group = useQuery({
    queryKey: ["target-groups", id],
    queryFn: async () =>
      unwrap(await api.GET("/api/target-groups/{id}", { params: { path: { id } } })),
  });
  if (group.error) return <Problem error={group.error} title="No such target group" />;
  if (group.isPending) return <Loader aria-label="Loading the target group" />;
  return <GroupForm key={`${id}:${group.data.updatedAt}`} saved={group.data} />;
}
