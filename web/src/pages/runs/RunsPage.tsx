/**
 * The nightly runs, newest first (read again every 2 s while one runs), and the admins' "Run now"
 * (refused in words while one runs).
 */
import { Alert, Badge, Button, Group, Loader, Stack, Table, Text, Title } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link, useNavigate } from "react-router";
import { ApiError, api, unwrap } from "../../api/client";
import { allows, useSession } from "../../app/session";
import { Problem } from "../../components/Problem";
import { RUN_COLOR } from "./format";

export function RunsPage() {
  const session = useSession();
  const navigate = useNavigate();
  const client = useQueryClient();
  const runs = useQuery({
    queryKey: ["runs"],
    queryFn: async () => unwrap(await api.GET("/api/runs")),
    refetchInterval: (query) =>
      query.state.data?.some((run) => run.status === "running") ? 2000 : false,
  });
  const runNow = useMutation({
    mutationFn: async () => unwrap(await api.POST("/api/runs", { body: {} })),
    onSuccess: async (started) => {
      await client.invalidateQueries({ queryKey: ["runs"] });
      navigate(`/runs/${started.runId}`);
    },
  });
  const refused = runNow.error instanceof ApiError && runNow.error.status === 409;
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>Nightly runs</Title>
        {allows(session.role, "admin") && (
          <Button onClick={() => runNow.mutate()} loading={runNow.isPending}>
            Run now
          </Button>
        )}
      </Group>
      {refused ? (
        <Alert color="orange" title="A nightly run is already under way" role="alert">
          {runNow.error?.message} Only one run at a time: wait until it finishes, then start again.
        </Alert>
      ) : (
        <Problem error={runNow.error} title="The run did not start" />
      )}
      <Problem error={runs.error} />
      {runs.isPending && <Loader aria-label="Loading runs" />}
      {runs.data?.length === 0 && <Text c="dimmed">No nightly run yet.</Text>}
      {runs.data && runs.data.length > 0 && (
        <Table striped aria-label="Nightly runs">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Run</Table.Th>
              <Table.Th>Date</Table.Th>
              <Table.Th>Status</Table.Th>
              <Table.Th>Started by</Table.Th>
              <Table.Th>Started</Table.Th>
              <Table.Th>Finished</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {runs.data.map((run) => (
              <Table.Tr key={run.id}>
                <Table.Td>
                  <Link to={`/runs/${run.id}`}>#{run.id}</Link>
                </Table.Td>
                <Table.Td>{run.date}</Table.Td>
                <Table.Td>
                  <Badge color={RUN_COLOR[run.status]}>{run.status}</Badge>
                </Table.Td>
                <Table.Td>{run.startedBy}</Table.Td>
                <Table.Td>{new Date(run.startedAt).toLocaleString()}</Table.Td>
                <Table.Td>
                  {run.finishedAt ? new Date(run.finishedAt).toLocaleString() : "–"}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Stack>
  );
}
