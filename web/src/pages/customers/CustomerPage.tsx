/**
 * One customer: current attributes, scores, the target groups it is in today, the last purchases,
 * and a timeline of its attribute and stage changes.
 */
import {
  Anchor,
  Badge,
  Card,
  Group,
  Loader,
  SimpleGrid,
  Stack,
  Table,
  Text,
  Timeline,
  Title,
} from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { Link, useParams } from "react-router";
import { api, unwrap } from "../../api/client";
import { Problem } from "../../components/Problem";
import { formatNumber, formatPercent, formatValue } from "./format";
import { customerTimeline } from "./timeline";

function Facts({ label, rows }: { label: string; rows: [string, string][] }) {
  return (
    <Table aria-label={label} variant="vertical" withTableBorder>
      <Table.Tbody>
        {rows.map(([name, value]) => (
          <Table.Tr key={name}>
            <Table.Th w="45%">{name}</Table.Th>
            <Table.Td>{value}</Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

export function CustomerPage() {
  const contactKey = useParams().contactKey ?? "";
  const customer = useQuery({
    queryKey: ["customers", contactKey],
    queryFn: async () =>
      unwrap(await api.GET("/api/customers/{contactKey}", { params: { path: { contactKey } } })),
  });
  const c = customer.data;
  const m = c?.model;
  return (
    <Stack>
      <Text size="sm">
        <Link to="/customers">← Customers</Link>
      </Text>
      <Group>
        <Title order={2}>Customer {contactKey}</Title>
        {c && (
          <Badge color={c.present ? "blue" : "gray"} variant="light">
            {c.present ? "present" : "removed"}
          </Badge>
        )}
      </Group>
      <Problem error={customer.error} title="Could not show this customer" />
      {customer.isPending && <Loader aria-label="Loading the customer" />}
      {c && (
        <>
          <Text c="dimmed">First seen on {c.firstSeenOn}</Text>
          <SimpleGrid cols={2}>
            <Card withBorder>
              <Title order={3} mb="sm">
                Attributes
              </Title>
              <Facts
                label="Attributes"
                rows={Object.entries(c.attributes).map(([k, v]) => [k, formatValue(v)])}
              />
            </Card>
            <Card withBorder>
              <Title order={3} mb="sm">
                Scores
              </Title>
              {m ? (
                <Facts
                  label="Scores"
                  rows={[
                    ["Lifecycle stage", `${m.stage} (since ${m.stageSince})`],
                    ["Micro-segment", m.segment],
                    ["P(alive)", formatPercent(m.pAlive)],
                    ["Expected purchases", formatNumber(m.expectedPurchases)],
                    ["Expected spend", formatNumber(m.expectedSpend)],
                    ["CLV", formatNumber(m.clv)],
                    ["Value tier", m.valueTier === null ? "–" : `${m.valueTier} of 10`],
                    ["Purchase days", String(m.purchases)],
                    ["Last purchase", m.lastPurchaseOn ?? "–"],
                    ["Model run", m.runDate],
                  ]}
                />
              ) : (
                <Text c="dimmed">No model run has scored this customer yet.</Text>
              )}
            </Card>
          </SimpleGrid>
          <SimpleGrid cols={2}>
            <Card withBorder>
              <Title order={3} mb="sm">
                Target groups today
              </Title>
              <Text size="sm" c="dimmed" mb="xs">
                As of {c.targetGroups.asOf}
              </Text>
              {c.targetGroups.groups.length === 0 ? (
                <Text>In no saved target group.</Text>
              ) : (
                <Stack gap={4} component="ul" p={0} m={0} style={{ listStyle: "none" }}>
                  {c.targetGroups.groups.map((g) => (
                    <Group key={g.id} component="li" gap="xs">
                      <Anchor component={Link} to={`/target-groups/${g.id}`}>
                        {g.name}
                      </Anchor>
                      {!g.reachable && (
                        <Badge color="orange" variant="light">
                          not reachable by push
                        </Badge>
                      )}
                    </Group>
                  ))}
                </Stack>
              )}
            </Card>
            <Card withBorder>
              <Title order={3} mb="sm">
                Last purchases
              </Title>
              {c.lastPurchases.length === 0 ? (
                <Text>No purchase yet.</Text>
              ) : (
                <Table aria-label="Last purchases">
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>When</Table.Th>
                      <Table.Th>Amount</Table.Th>
                      <Table.Th>Transaction</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {c.lastPurchases.map((p) => (
                      <Table.Tr key={`${p.occurredAt} ${p.transactionId} ${p.amount}`}>
                        <Table.Td>{new Date(p.occurredAt).toLocaleString()}</Table.Td>
                        <Table.Td c={p.amount.startsWith("-") ? "red" : undefined}>
                          {p.amount}
                          {p.amount.startsWith("-") ? " (refund)" : ""}
                        </Table.Td>
                        <Table.Td>{p.transactionId ?? "–"}</Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              )}
            </Card>
          </SimpleGrid>
          <Card withBorder>
            <Title order={3} mb="md">
              History
            </Title>
            <Timeline bulletSize={16} lineWidth={2} aria-label="History">
              {customerTimeline(c).map((e) => (
                <Timeline.Item
                  key={`${e.on} ${e.kind} ${e.title}`}
                  color={e.kind === "stage" ? "grape" : "blue"}
                  title={
                    <Group gap="xs">
                      <Text fw={600}>{e.title}</Text>
                      <Text size="sm" c="dimmed">
                        {e.on}
                      </Text>
                    </Group>
                  }
                >
                  {e.details.map((d) => (
                    <Text key={d} size="sm">
                      {d}
                    </Text>
                  ))}
                </Timeline.Item>
              ))}
            </Timeline>
          </Card>
        </>
      )}
    </Stack>
  );
}
