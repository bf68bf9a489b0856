/**
 * /campaigns/:id/analysis[?occurrence=D]: an occurrence's send metrics per day, its test against
 * control (response rate, revenue per customer, CUPED, the chance test beats control, the
 * incremental customers and revenue, the verdict) and the cumulative response of both groups;
 * for a campaign with several occurrences, all of them side by side.
 */
import { BarChart, LineChart } from "@mantine/charts";
import {
  Alert,
  Anchor,
  Badge,
  Card,
  Group,
  Loader,
  SimpleGrid,
  Stack,
  Table,
  Text,
  Title,
} from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { Link, useParams, useSearchParams } from "react-router";
import { api, unwrap } from "../../api/client";
import { Problem } from "../../components/Problem";
import {
  count,
  detectableUplift,
  interval,
  money,
  percent,
  points,
  pValue,
  relative,
} from "../../format";

async function fetchAnalysis(id: number, occurrence: string | undefined) {
  return unwrap(
    await api.GET("/api/campaigns/{id}/analysis", {
      params: { path: { id }, query: occurrence ? { occurrence } : {} },
    }),
  );
}

type Analysis = Awaited<ReturnType<typeof fetchAnalysis>>;
type Occurrence = Analysis["occurrences"][number];

const SIGNIFICANCE_COLOR: Record<Occurrence["significance"], string> = {
  significant: "green",
  not_significant: "gray",
  borderline: "yellow",
  not_enough_data: "orange",
  not_measurable: "gray",
};

export function AnalysisPage() {
  const id = Number(useParams().id);
  const [search] = useSearchParams();
  const occurrence = search.get("occurrence") ?? undefined;
  const analysis = useQuery({
    queryKey: ["campaigns", id, "analysis", occurrence ?? null],
    queryFn: () => fetchAnalysis(id, occurrence),
    retry: false,
  });
  const a = analysis.data;
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>{a ? `Analysis: ${a.campaignName}` : "Campaign analysis"}</Title>
        <Anchor component={Link} to="/campaigns">
          Back to the campaigns
        </Anchor>
      </Group>
      {analysis.isPending && <Loader aria-label="Loading the analysis" />}
      <Problem error={analysis.error} title="No analysis" />
      {a && <Occurrence analysis={a} />}
      {a && a.occurrences.length > 1 && (
        <Occurrences id={id} chosen={a.occurrence} occurrences={a.occurrences} />
      )}
    </Stack>
  );
}

function Occurrence({ analysis: a }: { analysis: Analysis }) {
  const rr = a.responseRate;
  const rpc = a.revenuePerCustomer;
  return (
    <Stack>
      <Group gap="xs">
        <Text>
          Occurrence of {a.occurrence} · window {a.window.from} to {a.window.to} ({a.timeZone}) ·
          pre-period {a.preperiod.from} to {a.preperiod.to}
        </Text>
        {!a.complete && (
          <Badge color="yellow" variant="light">
            not complete yet
          </Badge>
        )}
      </Group>
      <Alert
        color={SIGNIFICANCE_COLOR[a.significance]}
        title="Verdict"
        aria-label="Verdict"
        variant="light"
      >
        <Text size="lg" fw={600}>
          {a.verdict}
        </Text>
        {!a.complete && (
          <Text size="sm" c="dimmed">
            The measurement window has not ended: the figures are the purchases so far.
          </Text>
        )}
      </Alert>

      <Title order={3}>Sending</Title>
      <SimpleGrid cols={{ base: 2, sm: 5 }}>
        <Figure label="Targeted" value={count(a.metrics.targeted)} />
        <Figure label="Control" value={count(a.metrics.control)} />
        <Figure label="Pushed" value={count(a.metrics.pushed)} />
        <Figure label="SFMC count" value={count(a.metrics.count)} />
        <Figure label="Send rate" value={percent(a.metrics.sendRate)} />
      </SimpleGrid>
      <Text size="sm">
        Batches: {count(a.metrics.sentBatches)} sent of {count(a.metrics.batches)} · late{" "}
        {count(a.metrics.late)} · expired {count(a.metrics.expired)} · unknown{" "}
        {count(a.metrics.unknown)}
      </Text>
      <SendChart days={a.metrics.days} />

      <Title order={3}>Test against control</Title>
      <Table withTableBorder aria-label="Test against control">
        <Table.Thead>
          <Table.Tr>
            <Table.Th />
            <Table.Th>Test</Table.Th>
            <Table.Th>Control</Table.Th>
            <Table.Th>Uplift</Table.Th>
            <Table.Th>Relative</Table.Th>
            <Table.Th>95% CI</Table.Th>
            <Table.Th>p-value</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          <Table.Tr>
            <Table.Th>Customers</Table.Th>
            <Table.Td>{count(a.groups.test.customers)}</Table.Td>
            <Table.Td>{count(a.groups.control.customers)}</Table.Td>
            <Table.Td colSpan={4} />
          </Table.Tr>
          <Table.Tr>
            <Table.Th>Response rate</Table.Th>
            <Table.Td>{percent(rr.test)}</Table.Td>
            <Table.Td>{percent(rr.control)}</Table.Td>
            <Table.Td>{points(rr.uplift)}</Table.Td>
            <Table.Td>{relative(rr.relativeUplift)}</Table.Td>
            <Table.Td>{interval(rr.ci95, points)}</Table.Td>
            <Table.Td>{pValue(rr.pValue)}</Table.Td>
          </Table.Tr>
          <Table.Tr>
            <Table.Th>Revenue per customer</Table.Th>
            <Table.Td>{money(rpc.test)}</Table.Td>
            <Table.Td>{money(rpc.control)}</Table.Td>
            <Table.Td>{money(rpc.uplift, true)}</Table.Td>
            <Table.Td>{relative(rpc.relativeUplift)}</Table.Td>
            <Table.Td>{interval(rpc.ci95, (v) => money(v, true))}</Table.Td>
            <Table.Td>{pValue(rpc.pValue)}</Table.Td>
          </Table.Tr>
          <Table.Tr>
            <Table.Th>Revenue per customer, CUPED-adjusted</Table.Th>
            <Table.Td colSpan={2}>
              <Text size="sm">variance reduction {percent(a.cuped.varianceReduction)}</Text>
            </Table.Td>
            <Table.Td>{money(a.cuped.uplift, true)}</Table.Td>
            <Table.Td />
            <Table.Td>{interval(a.cuped.ci95, (v) => money(v, true))}</Table.Td>
            <Table.Td />
          </Table.Tr>
        </Table.Tbody>
      </Table>
      <SimpleGrid cols={{ base: 2, sm: 4 }}>
        <Figure label="Probability test beats control" value={percent(rr.probabilityTestBetter)} />
        <Figure label="Incremental customers" value={count(a.incremental.responders)} />
        <Figure label="Incremental revenue" value={money(a.incremental.revenue, true)} />
        <Figure
          label="Minimum detectable uplift"
          value={detectableUplift(a.minimumDetectableUplift)}
        />
      </SimpleGrid>

      <Title order={3}>Cumulative response</Title>
      <Text size="sm" c="dimmed">
        The share of each group that has bought since the send, by the end of each day of the
        window.
      </Text>
      <CumulativeChart days={a.cumulative} />
    </Stack>
  );
}

function Figure({ label, value }: { label: string; value: ReactNode }) {
  return (
    <Card withBorder padding="sm" aria-label={label}>
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <Text size="xl" fw={600}>
        {value}
      </Text>
    </Card>
  );
}

function SendChart({ days }: { days: Occurrence["metrics"]["days"] }) {
  if (days.length === 0)
    return (
      <Text c="dimmed" size="sm">
        No send metrics yet: they are collected each night for 7 days after the send.
      </Text>
    );
  const data = days.map((d) => ({
    label: `Day ${d.day} (${d.date})`,
    count: d.count,
    sendRate: d.sendRate === null ? null : d.sendRate * 100,
  }));
  return (
    <SimpleGrid cols={{ base: 1, md: 2 }}>
      <Stack gap={4}>
        <Text size="sm" fw={500}>
          SFMC count per day
        </Text>
        <BarChart
          h={220}
          aria-label="SFMC count per day"
          data={data}
          dataKey="label"
          series={[{ name: "count", label: "SFMC count", color: "blue.6" }]}
          valueFormatter={(v) => count(v)}
        />
      </Stack>
      <Stack gap={4}>
        <Text size="sm" fw={500}>
          Send rate per day
        </Text>
        <LineChart
          h={220}
          aria-label="Send rate per day"
          data={data}
          dataKey="label"
          series={[{ name: "sendRate", label: "Send rate", color: "teal.6" }]}
          yAxisProps={{ domain: [0, 100] }}
          unit="%"
          curveType="linear"
          connectNulls={false}
          valueFormatter={(v) => `${v.toFixed(1)}`}
        />
      </Stack>
    </SimpleGrid>
  );
}

function CumulativeChart({ days }: { days: Occurrence["cumulative"] }) {
  if (days.length === 0)
    return (
      <Text c="dimmed" size="sm">
        –
      </Text>
    );
  const data = days.map((d) => ({
    label: `Day ${d.day} (${d.date})`,
    test: d.test === null ? null : d.test * 100,
    control: d.control === null ? null : d.control * 100,
  }));
  return (
    <LineChart
      h={260}
      aria-label="Cumulative response of both groups"
      data={data}
      dataKey="label"
      series={[
        { name: "test", label: "Test", color: "blue.6" },
        { name: "control", label: "Control", color: "gray.6" },
      ]}
      withLegend
      unit="%"
      curveType="linear"
      valueFormatter={(v) => `${v.toFixed(1)}`}
    />
  );
}

function Occurrences({
  id,
  chosen,
  occurrences,
}: {
  id: number;
  chosen: string;
  occurrences: Occurrence[];
}) {
  return (
    <Stack>
      <Title order={3}>Occurrences</Title>
      <Table striped highlightOnHover aria-label="Occurrences">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Occurrence</Table.Th>
            <Table.Th>Pushed</Table.Th>
            <Table.Th>Send rate</Table.Th>
            <Table.Th>Response test</Table.Th>
            <Table.Th>Response control</Table.Th>
            <Table.Th>Uplift</Table.Th>
            <Table.Th>p-value</Table.Th>
            <Table.Th>Incremental revenue</Table.Th>
            <Table.Th>Verdict</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {[...occurrences].reverse().map((o) => (
            <Table.Tr
              key={o.occurrence}
              aria-current={o.occurrence === chosen ? "true" : undefined}
            >
              <Table.Td>
                {o.occurrence === chosen ? (
                  <Text fw={700}>{o.occurrence}</Text>
                ) : (
                  <Link to={`/campaigns/${id}/analysis?occurrence=${o.occurrence}`}>
                    {o.occurrence}
                  </Link>
                )}
                {!o.complete && (
                  <Text size="xs" c="dimmed">
                    not complete yet
                  </Text>
                )}
              </Table.Td>
              <Table.Td>{count(o.metrics.pushed)}</Table.Td>
              <Table.Td>{percent(o.metrics.sendRate)}</Table.Td>
              <Table.Td>{percent(o.responseRate.test)}</Table.Td>
              <Table.Td>{percent(o.responseRate.control)}</Table.Td>
              <Table.Td>{points(o.responseRate.uplift)}</Table.Td>
              <Table.Td>{pValue(o.responseRate.pValue)}</Table.Td>
              <Table.Td>{money(o.incremental.revenue, true)}</Table.Td>
              <Table.Td>{o.verdict}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Stack>
  );
}
