/** Overview: the last nightly run and tonight's plan with its warnings (part 2 adds the charts). */
import { Alert, Badge, Card, Group, Loader, SimpleGrid, Stack, Text, Title } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { Link } from "react-router";
import { api, unwrap } from "../api/client";
import { Problem } from "../components/Problem";

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
      <SimpleGrid cols={2}>
        <Card withBorder>
          <Title order={4}>Last nightly run</Title>
          <Problem error={runs.error} />
          {runs.isPending && <Loader size="sm" aria-label="Loading runs" />}
          {runs.data && !last && <Text c="dimmed">No nightly run yet.</Text>}
          {last && (
            <Group>
              <Link to={`/runs/${last.id}`}>Run #{last.id}</Link>
              <Text>{last.date}</Text>
              <Badge>{last.status}</Badge>
            </Group>
          )}
        </Card>
        <Card withBorder>
          <Title order={4}>Tonight's plan</Title>
          <Problem error={plan.error} />
          {plan.isPending && <Loader size="sm" aria-label="Loading the plan" />}
          {plan.data && (
            <Text>
              {plan.data.date}: {plan.data.occurrences.length} occurrence
              {plan.data.occurrences.length === 1 ? "" : "s"},{" "}
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
