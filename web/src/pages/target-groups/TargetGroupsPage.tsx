/**
 * Every target group with its size: counted now by the count API (total / reachable), beside the
 * size the last nightly run recorded.
 */
import { Button, Group, Loader, Stack, Table, Text, Title } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { Link, useNavigate } from "react-router";
import { api, type Schemas, unwrap } from "../../api/client";
import { allows, useSession } from "../../app/session";
import { Problem } from "../../components/Problem";
import { countText } from "../../targeting/queries";

function CurrentSize({ group }: { group: Schemas["TargetGroup"] }) {
  const count = useQuery({
    queryKey: ["target-groups", "count", JSON.stringify(group.rule)],
    queryFn: async ({ signal }) =>
      unwrap(await api.POST("/api/target-groups/count", { body: { rule: group.rule }, signal })),
  });
  if (count.isPending) return <Loader size="xs" aria-label={`Counting ${group.name}`} />;
  if (count.error)
    return (
      <Text c="red" size="sm">
        {count.error.message}
      </Text>
    );
  return <Text size="sm">{countText(count.data)}</Text>;
}

export function TargetGroupsPage() {
  const session = useSession();
  const navigate = useNavigate();
  const groups = useQuery({
    queryKey: ["target-groups"],
    queryFn: async () => unwrap(await api.GET("/api/target-groups")),
  });
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>Target groups</Title>
        {allows(session.role, "marketer") && (
          <Button onClick={() => navigate("/target-groups/new")}>New target group</Button>
        )}
      </Group>
      <Problem error={groups.error} />
      {groups.isPending && <Loader aria-label="Loading target groups" />}
      {groups.data?.length === 0 && <Text c="dimmed">No target group yet.</Text>}
      {groups.data && groups.data.length > 0 && (
        <Table striped aria-label="Target groups">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Name</Table.Th>
              <Table.Th>Size now</Table.Th>
              <Table.Th>Last recorded size</Table.Th>
              <Table.Th>Updated</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {groups.data.map((g) => (
              <Table.Tr key={g.id}>
                <Table.Td>
                  <Link to={`/target-groups/${g.id}`}>{g.name}</Link>
                  {g.description && (
                    <Text size="xs" c="dimmed">
                      {g.description}
                    </Text>
                  )}
                </Table.Td>
                <Table.Td>
                  <CurrentSize group={g} />
                </Table.Td>
                <Table.Td>
                  {g.lastSize ? (
                    <Text size="sm">
                      {countText(g.lastSize)} on {g.lastSize.date}
                    </Text>
                  ) : (
                    <Text size="sm" c="dimmed">
                      not recorded yet
                    </Text>
                  )}
                </Table.Td>
                <Table.Td>{new Date(g.updatedAt).toLocaleString()}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Stack>
  );
}
