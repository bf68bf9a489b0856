/**
 * Overview: the customer base by lifecycle stage over time and the last 7 days' stage movements,
 * the last nightly run with its steps, and tonight's plan with its warnings.
 */
import { AreaChart } from "@mantine/charts";
import {
  Alert,
  Badge,
  Card,
  Group,
  List,
  Loader,
  SimpleGrid,
  Stack,
  Text,
  Title,
} from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { Link } from "react-router";
import { api, unwrap } from "../api/client";
import { Problem } from "../components/Problem";

const STAGE_COLORS: Record<string, string> = {
  prospect: "gray.5",
  new: "cyan.6",
  active: "teal.6",
  at_risk: "yellow.6",
  churned: "red.6",
  reactivated: "grape.6",
};

const STATUS_COLORS: Record<string, string> = {
  completed: "teal",
  running: "blue",
  failed: "red",
  skipped: "gray",
};

function count(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString("en-US")} ${n === 1 ? one : many}`;
}

function StagesCard() {
  const stages = useQuery({
    queryKey: ["model", "stages", 90],
    queryFn: async () =>
      unwrap(await api.GET("/api/model/stages", { params: { query: { days: 90 } } })),
  });
  const data = stages.data;
  return (
    <Card withBorder>
      <Title order={4}>Customers by stage</Title>
      <Problem error={stages.error} title="The customer base could not be loaded" />
      {stages.isPending && <Loader size="sm" aria-label="Loading the customer base" />}
      {data && data.runs.length === 0 && (
        <Text c="dimmed">No model run yet: the customer model has not run.</Text>
      )}
      {data && data.runs.length > 0 && (
        <SimpleGrid cols={{ base: 1, md: 3 }} mt="xs">
          <figure
            aria-label="Customers by stage over the last 90 days"
            style={{ gridColumn: "span 2", margin: 0 }}
          >
            <AreaChart
              h={280}
              type="stacked"
              data={data.runs.map((r) => ({ date: r.date, ...r.stages }))}
              dataKey="date"
              series={data.stages.map((s) => ({
                name: s.stage,
                label: s.label,
                color: STAGE_COLORS[s.stage] ?? "blue.6",
              }))}
              withLegend
              withDots={data.runs.length === 1}
              curveType="linear"
              valueFormatter={(v) => v.toLocaleString("en-US")}
            />
          </figure>
          <section aria-label="Stage movements">
            <Title order={5}>Movements of the last 7 days</Title>
            {data.movements && (
              <Text size="xs" c="dimmed">
                Model runs of {data.movements.since} to {data.movements.until}
              </Text>
            )}
            {data.movements?.moves.length === 0 && (
              <Text c="dimmed" size="sm" mt="xs">
                Nobody changed stage.
              </Text>
            )}
            <List size="sm" mt="xs" spacing={4}>
              {data.movements?.moves.map((m) => (
                <List.Item key={`${m.from}-${m.to}`}>
                  {count(m.customers, "customer")} moved from {m.fromLabel} to {m.toLabel}
                </List.Item>
              ))}
            </List>
          </section>
        </SimpleGrid>
      )}
    </Card>
  );
}

function LastRunSteps({ id }: { id: number }) {
  const report = useQuery({
    queryKey: ["runs", id],
    queryFn: async () => unwrap(await api.GET("/api/runs/{id}", { params: { path: { id } } })),
  });
  if (report.isPending) return <Loader size="xs" aria-label="Loading the run's steps" />;
  if (report.error) return <Problem error={report.error} />;
  return (
    <List size="sm" mt="xs" spacing={4} aria-label="Steps of the last run">
      {report.data.steps.map((s) => (
        <List.Item key={s.step}>
          <Group gap="xs">
            <Text size="sm">{s.step}</Text>
            <Badge size="sm" variant="light" color={STATUS_COLORS[s.status] ?? "gray"}>
              {s.status}
            </Badge>
            {s.error && (
              <Text size="xs" c="red">
                {s.error}
              </Text>
            )}
          </Group>
        </List.Item>
      ))}
    </List>
  );
}

export function OverviewPage() {
  const runs = useQuery({
    queryKey: ["runs"],
    queryFn: async () => unwrap(await api.GET("/api/runs")),
  });
  const plan = useQuery({
    queryKey: ["plan", "tonight"],
    queryFn: async () => unwrap(await api.GET("/api/plan")),
  });
  const last = runs.data?.[0];
  const warnings = [
    ...(plan.data?.warnings ?? []),
    ...(plan.data?.occurrences.flatMap((o) => o.warnings.map((w) => `${o.campaignName}: ${w}`)) ??
      []),
  ];
  return (
    <Stack>
      <Title order={2}>Overview</Title>
      <StagesCard />
      <SimpleGrid cols={2}>
        <Card withBorder>
          <Title order={4}>Last nightly run</Title>
          <Problem error={runs.error} />
          {runs.isPending && <Loader size="sm" aria-label="Loading runs" />}
          {runs.data && !last && <Text c="dimmed">No nightly run yet.</Text>}
          {last && (
            <>
              <Group>
                <Link to={`/runs/${last.id}`}>Run #{last.id}</Link>
                <Text>{last.date}</Text>
                <Badge color={STATUS_COLORS[last.status] ?? "gray"}>{last.status}</Badge>
              </Group>
              <LastRunSteps id={last.id} />
            </>
          )}
        </Card>
        <Card withBorder>
          <Title order={4}>Tonight's plan</Title>
          <Problem error={plan.error} />
          {plan.isPending && <Loader size="sm" aria-label="Loading the plan" />}
          {plan.data && (
            <Text>
              {plan.data.date}: {count(plan.data.occurrences.length, "occurrence")},{" "}
              {plan.data.occurrences.reduce((n, o) => n + o.test, 0).toLocaleString()} recipients
            </Text>
          )}
          {warnings.map((w) => (
            <Alert key={w} color="yellow" mt="xs">
              {w}
            </Alert>
          ))}
        </Card>
      </SimpleGrid>
    </Stack>
  );
}
