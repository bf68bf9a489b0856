/**
 * A nightly run: its steps, its campaigns with their batches by state, the late and expired
 * batches, and the unknown ones for the operator to resolve. Live (every 2 s) while it runs: the
 * step under way and the hand-over per SFMC account; the batches are read again once it ends.
 */
import { Badge, Group, Loader, Progress, Stack, Table, Text, Title } from "@mantine/core";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef } from "react";
import { useParams } from "react-router";
import { api, type Schemas, unwrap } from "../../api/client";
import { Problem } from "../../components/Problem";
import { BATCH_COLOR, RUN_COLOR, when } from "./format";
import { UnknownBatches } from "./UnknownBatches";

type AccountProgress = Schemas["NightReport"]["accounts"][number];

export function RunPage() {
  const id = Number(useParams().id);
  const client = useQueryClient();
  const run = useQuery({
    queryKey: ["runs", id],
    queryFn: async () => unwrap(await api.GET("/api/runs/{id}", { params: { path: { id } } })),
    refetchInterval: (query) => (query.state.data?.status === "running" ? 2000 : false),
  });
  const date = run.data?.date;
  const running = run.data?.status === "running";
  const batches = useQuery({
    queryKey: ["batches", { date }],
    enabled: date !== undefined,
    queryFn: async () =>
      unwrap(await api.GET("/api/batches", { params: { query: { date: date ?? "" } } })),
    refetchInterval: running ? 2000 : false,
  });
  // The last poll of the batches may be up to 2 s older than the run's end: read them again.
  const wasRunning = useRef(false);
  const status = run.data?.status;
  useEffect(() => {
    if (status === "running") wasRunning.current = true;
    else if (status !== undefined && wasRunning.current) {
      wasRunning.current = false;
      void client.invalidateQueries({ queryKey: ["batches"] });
    }
  }, [status, client]);
  const lateOrExpired = (batches.data ?? []).filter(
    (b) => b.state === "expired" || b.lateMinutes > 0,
  );
  const step = run.data?.steps.find((s) => s.status === "running")?.step;
  return (
    <Stack>
      <Title order={2}>Nightly run #{id}</Title>
      <Problem error={run.error} />
      {run.isPending && <Loader aria-label="Loading the run" />}
      {run.data && (
        <>
          <Text>
            {run.data.date} ·{" "}
            <Badge color={RUN_COLOR[run.data.status]} role="status" aria-label="Run status">
              {run.data.status}
            </Badge>{" "}
            · started by {run.data.startedBy}
            {run.data.error ? ` · ${run.data.error}` : ""}
          </Text>
          {running && (
            <Stack gap={4} role="region" aria-label="Progress of the run">
              <Group gap="xs">
                <Loader size="xs" />
                <Text size="sm">Under way{step ? `: ${step}` : ""}</Text>
              </Group>
              {run.data.accounts.map((a) => (
                <AccountBar key={a.account} progress={a} />
              ))}
            </Stack>
          )}
          <Title order={3}>Steps</Title>
          <Table aria-label="Steps">
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
          <Table aria-label="Campaigns">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Campaign</Table.Th>
                <Table.Th>Recipients</Table.Th>
                <Table.Th>Control</Table.Th>
                <Table.Th>Batches</Table.Th>
                <Table.Th>Sent</Table.Th>
                <Table.Th>Unknown</Table.Th>
                <Table.Th>Late</Table.Th>
                <Table.Th>Planned</Table.Th>
                <Table.Th>Failed</Table.Th>
                <Table.Th>Expired</Table.Th>
                <Table.Th>Abandoned</Table.Th>
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
                  <Table.Td>{c.planned}</Table.Td>
                  <Table.Td>{c.failed}</Table.Td>
                  <Table.Td>{c.expired}</Table.Td>
                  <Table.Td>{c.abandoned}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
          <UnknownBatches date={run.data.date} live={running} />
          <Title order={3}>Late and expired batches</Title>
          <Problem error={batches.error} />
          {batches.data && lateOrExpired.length === 0 && (
            <Text c="dimmed">No batch went out late or expired.</Text>
          )}
          {lateOrExpired.length > 0 && (
            <Table aria-label="Late and expired batches">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Batch</Table.Th>
                  <Table.Th>Campaign</Table.Th>
                  <Table.Th>Keys</Table.Th>
                  <Table.Th>State</Table.Th>
                  <Table.Th>Send time</Table.Th>
                  <Table.Th>Late by</Table.Th>
                  <Table.Th>Error</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {lateOrExpired.map((b) => (
                  <Table.Tr key={b.id}>
                    <Table.Td>#{b.id}</Table.Td>
                    <Table.Td>{b.campaignName}</Table.Td>
                    <Table.Td>{b.size.toLocaleString()}</Table.Td>
                    <Table.Td>
                      <Badge color={BATCH_COLOR[b.state]} miw="max-content">
                        {b.state}
                      </Badge>
                    </Table.Td>
                    <Table.Td>{when(b.sendAt)}</Table.Td>
                    <Table.Td>{b.lateMinutes} min</Table.Td>
                    <Table.Td>{b.error ?? ""}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          )}
        </>
      )}
    </Stack>
  );
}

/** One SFMC account's hand-over: batches (and recipients) handed over or settled of the night's. */
function AccountBar({ progress: a }: { progress: AccountProgress }) {
  return (
    <Stack gap={2}>
      <Text size="sm">
        {a.account}: {a.batchesDone} of {a.batches} batches · {a.recipientsDone.toLocaleString()} of{" "}
        {a.recipients.toLocaleString()} recipients handed over or settled
      </Text>
      <Progress
        value={a.batches === 0 ? 0 : (100 * a.batchesDone) / a.batches}
        aria-label={`Batches of ${a.account} handed over`}
        animated
      />
    </Stack>
  );
}
