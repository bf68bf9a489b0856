/** The nightly runs: every run with its status, and a run's steps with their counts and errors. */
import { Badge, Loader, Stack, Table, Text, Title } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { Link, useParams } from "react-router";
import { api, unwrap } from "../api/client";
import { Problem } from "../components/Problem";

const COLOR = { running: "blue", completed: "green", failed: "red" } as const;

export function RunsPage() {
  const runs = useQuery({
    queryKey: ["runs"],
    queryFn: async () => unwrap(await api.GET("/api/runs")),
  });
  return (
    <Stack>
      <Title order={2}>Nightly runs</Title>
      <Problem error={runs.error} />
      {runs.isPending && <Loader aria-label="Loading runs" />}
      {runs.data?.length === 0 && <Text c="dimmed">No nightly run yet.</Text>}
      {runs.data && runs.data.length > 0 && (
        <Table striped>
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
                  <Badge color={COLOR[run.status]}>{run.status}</Badge>
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

export function RunPage() {
  const id = Number(useParams().id);
  const run = useQuery({
    queryKey: ["runs", id],
    queryFn: async () => unwrap(await api.GET("/api/runs/{id}", { params: { path: { id } } })),
  });
  return (
    <Stack>
      <Title order={2}>Nightly run #{id}</Title>
      <Problem error={run.error} />
      {run.isPending && <Loader aria-label="Loading the run" />}
      {run.data && (
        <>
          <Text>
            {run.data.date} · <Badge color={COLOR[run.data.status]}>{run.data.status}</Badge> ·
            started by {run.data.startedBy}
            {run.data.error ? ` · ${run.data.error}` : ""}
          </Text>
          <Title order={3}>Steps</Title>
          <Table>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Step</Table.Th>
                <Table.Th>Status</Table.Th>
                <Table.Th>Counts</Table.Th>
                <Table.Th>Note or error</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {run.data.steps.map((s) => (
                <Table.Tr key={s.step}>
                  <Table.Td>{s.step}</Table.Td>
                  <Table.Td>{s.status}</Table.Td>
                  <Table.Td>
                    {Object.entries(s.counts)
                      .map(([k, v]) => `${k} ${String(v)}`)
                      .join(" · ")}
                  </Table.Td>
                  <Table.Td>{s.error ?? s.note ?? ""}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
          <Title order={3}>Campaigns</Title>
          <Table>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Campaign</Table.Th>
                <Table.Th>Recipients</Table.Th>
                <Table.Th>Control</Table.Th>
                <Table.Th>Batches</Table.Th>
                <Table.Th>Sent</Table.Th>
                <Table.Th>Unknown</Table.Th>
                <Table.Th>Late</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {run.data.campaigns.map((c) => (
                <Table.Tr key={c.occurrenceId}>
                  <Table.Td>{c.name}</Table.Td>
                  <Table.Td>{c.recipients.toLocaleString()}</Table.Td>
                  <Table.Td>{c.control.toLocaleString()}</Table.Td>
                  <Table.Td>{c.batches}</Table.Td>
                  <Table.Td>{c.sent}</Table.Td>
                  <Table.Td>{c.unknownBatches}</Table.Td>
                  <Table.Td>{c.late}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </>
      )}
    </Stack>
  );
}
