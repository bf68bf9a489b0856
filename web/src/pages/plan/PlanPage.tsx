/**
 * Tonight's plan: for a chosen night, the campaigns with their sizes after the priorities, the
 * execution timeline per SFMC account against its budget, the overlaps and the warnings.
 */
import { Alert, Badge, Card, Group, List, Loader, Stack, Table, Text, Title } from "@mantine/core";
import { DatePickerInput } from "@mantine/dates";
import { useQuery } from "@tanstack/react-query";
import { Link, useSearchParams } from "react-router";
import { api, unwrap } from "../../api/client";
import { Problem } from "../../components/Problem";
import { detectableUplift } from "../../format";
import { PlanTimeline } from "./PlanTimeline";

const n = (v: number) => v.toLocaleString();
const clock = (iso: string | null) =>
  iso ? new Date(iso).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }) : "–";

export function PlanPage() {
  const [params, setParams] = useSearchParams();
  // Without a date the server plans its own today (in the schedule's zone).
  const date = params.get("date") ?? undefined;
  const plan = useQuery({
    queryKey: ["plan", date ?? "tonight"],
    queryFn: async ({ signal }) =>
      unwrap(await api.GET("/api/plan", { params: { query: date ? { date } : {} }, signal })),
  });
  const p = plan.data;
  const names = new Map(p?.occurrences.map((o) => [o.campaignId, o.campaignName]));
  return (
    <Stack>
      <Title order={2}>Tonight's plan</Title>
      <Group align="end">
        <DatePickerInput
          label="Date"
          description="The night of the run"
          value={date ?? p?.date ?? null}
          onChange={(value) => value && setParams({ date: value })}
          valueFormat="YYYY-MM-DD"
          w={200}
        />
        {plan.isFetching && <Loader size="sm" aria-label="Loading the plan" />}
      </Group>
      <Problem error={plan.error} title="Could not plan this night" />
      {p && (
        <>
          <Text c="dimmed">
            The run of {p.date} hands over what is due from{" "}
            {new Date(p.window.from).toLocaleString()} to {new Date(p.window.to).toLocaleString()}.
          </Text>
          {p.warnings.map((w) => (
            <Alert key={w} color="yellow" title="Warning">
              {w}
            </Alert>
          ))}
          {p.occurrences.length === 0 ? (
            <Text>No campaign is due that night.</Text>
          ) : (
            <Table striped aria-label="Campaigns of the night">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Campaign</Table.Th>
                  <Table.Th>Priority</Table.Th>
                  <Table.Th>Send time</Table.Th>
                  <Table.Th>Reachable</Table.Th>
                  <Table.Th>Lost to priorities</Table.Th>
                  <Table.Th>Capped</Table.Th>
                  <Table.Th>Control</Table.Th>
                  <Table.Th>Test</Table.Th>
                  <Table.Th>Batches</Table.Th>
                  <Table.Th>Min. detectable uplift</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {p.occurrences.map((o) => (
                  <Table.Tr key={`${o.campaignId} ${o.localDate}`}>
                    <Table.Td>
                      <Link to={`/campaigns/${o.campaignId}`}>{o.campaignName}</Link>
                      {o.exclusive && (
                        <Badge ml="xs" size="xs" variant="light">
                          exclusive
                        </Badge>
                      )}
                      {o.frozen && (
                        <Badge ml="xs" size="xs" color="gray">
                          frozen
                        </Badge>
                      )}
                    </Table.Td>
                    <Table.Td>{o.priority}</Table.Td>
                    <Table.Td>
                      {o.sendTime.local} {o.sendTime.timeZone}
                    </Table.Td>
                    <Table.Td>{n(o.targetGroup.reachable)}</Table.Td>
                    <Table.Td>{n(o.lostToHigherPriority)}</Table.Td>
                    <Table.Td>{n(o.cappedByFrequency)}</Table.Td>
                    <Table.Td>{n(o.control)}</Table.Td>
                    <Table.Td>{n(o.test)}</Table.Td>
                    <Table.Td>
                      {o.batches === 0
                        ? "–"
                        : `${o.batches} (${clock(o.firstBatchAt)}–${clock(o.lastBatchAt)})`}
                    </Table.Td>
                    <Table.Td>{detectableUplift(o.minimumDetectableUplift)}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          )}
          {p.occurrences.some((o) => o.warnings.length > 0) && (
            <Card withBorder>
              <Title order={3} mb="xs">
                Warnings
              </Title>
              <List spacing="xs">
                {p.occurrences.flatMap((o) =>
                  o.warnings.map((w) => (
                    <List.Item key={`${o.campaignId} ${w}`}>
                      <Text span fw={600}>
                        {o.campaignName}:
                      </Text>{" "}
                      {w}
                    </List.Item>
                  )),
                )}
              </List>
            </Card>
          )}
          {p.timeline.length > 0 && <Title order={3}>Execution timeline</Title>}
          {p.timeline.map((t) => (
            <PlanTimeline key={t.accounts.join(",")} timeline={t} />
          ))}
          <Card withBorder>
            <Title order={3} mb="xs">
              Overlaps
            </Title>
            {p.overlaps.customersInSeveral === 0 ? (
              <Text>No customer is in more than one campaign tonight.</Text>
            ) : (
              <>
                <Text mb="xs">
                  {n(p.overlaps.customersInSeveral)} customers are in more than one campaign.
                </Text>
                <List>
                  {p.overlaps.pairs.map((pair) => (
                    <List.Item key={`${pair.campaignA} ${pair.campaignB}`}>
                      {names.get(pair.campaignA)} and {names.get(pair.campaignB)}:{" "}
                      {n(pair.customers)}
                    </List.Item>
                  ))}
                </List>
              </>
            )}
          </Card>
        </>
      )}
    </Stack>
  );
}
