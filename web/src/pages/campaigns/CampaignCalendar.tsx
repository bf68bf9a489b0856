/** A month of the scheduled campaigns' occurrences (GET /api/occurrences), one cell a day. */
import { Badge, Button, Card, Group, Loader, Stack, Table, Text, Title } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { Link } from "react-router";
import { api, unwrap } from "../../api/client";
import { Problem } from "../../components/Problem";

const WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const pad = (n: number) => String(n).padStart(2, "0");
const iso = (y: number, m: number, d: number) => `${y}-${pad(m + 1)}-${pad(d)}`;

/** The month's days as weeks (Monday first), null for the days of the months around it. */
function weeksOf(year: number, month: number): (number | null)[][] {
  const days = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  const lead = (new Date(Date.UTC(year, month, 1)).getUTCDay() + 6) % 7;
  const cells: (number | null)[] = [
    ...Array<null>(lead).fill(null),
    ...Array.from({ length: days }, (_, i) => i + 1),
  ];
  while (cells.length % 7 !== 0) cells.push(null);
  const weeks: (number | null)[][] = [];
  for (let i = 0; i < cells.length; i += 7) weeks.push(cells.slice(i, i + 7));
  return weeks;
}

export function CampaignCalendar() {
  const now = new Date();
  const [{ year, month }, setMonth] = useState({ year: now.getFullYear(), month: now.getMonth() });
  const move = (by: number) =>
    setMonth(({ year, month }) => {
      const d = new Date(Date.UTC(year, month + by, 1));
      return { year: d.getUTCFullYear(), month: d.getUTCMonth() };
    });
  const from = iso(year, month, 1);
  const to = iso(year, month, new Date(Date.UTC(year, month + 1, 0)).getUTCDate());
  const occurrences = useQuery({
    queryKey: ["occurrences", from, to],
    queryFn: async () =>
      unwrap(await api.GET("/api/occurrences", { params: { query: { from, to } } })),
  });
  const byDay = new Map<string, NonNullable<typeof occurrences.data>>();
  for (const o of occurrences.data ?? []) {
    const list = byDay.get(o.localDate) ?? [];
    list.push(o);
    byDay.set(o.localDate, list);
  }
  const title = new Intl.DateTimeFormat("en-GB", {
    month: "long",
    year: "numeric",
    timeZone: "UTC",
  }).format(new Date(Date.UTC(year, month, 1)));
  const today = iso(now.getFullYear(), now.getMonth(), now.getDate());
  return (
    <Card withBorder component="section" aria-label="Calendar">
      <Stack gap="sm">
        <Group justify="space-between">
          <Title order={3}>Calendar: {title}</Title>
          <Group gap="xs">
            {occurrences.isFetching && <Loader size="xs" aria-label="Loading the calendar" />}
            <Button variant="default" size="xs" onClick={() => move(-1)}>
              Previous month
            </Button>
            <Button
              variant="default"
              size="xs"
              onClick={() => setMonth({ year: now.getFullYear(), month: now.getMonth() })}
            >
              This month
            </Button>
            <Button variant="default" size="xs" onClick={() => move(1)}>
              Next month
            </Button>
          </Group>
        </Group>
        <Problem error={occurrences.error} title="The calendar could not be read" />
        <Table
          withColumnBorders
          withTableBorder
          layout="fixed"
          aria-label={`Occurrences, ${title}`}
        >
          <Table.Thead>
            <Table.Tr>
              {WEEKDAYS.map((d) => (
                <Table.Th key={d}>{d}</Table.Th>
              ))}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {weeksOf(year, month).map((week) => (
              <Table.Tr key={week.find((d) => d !== null) ?? 0}>
                {week.map((day, i) => {
                  const date = day === null ? "" : iso(year, month, day);
                  return (
                    <Table.Td
                      // biome-ignore lint/suspicious/noArrayIndexKey: a week's cells are its weekdays
                      key={i}
                      valign="top"
                      h={72}
                      bg={date === today ? "var(--mantine-color-blue-light)" : undefined}
                    >
                      {day !== null && (
                        <Stack gap={2}>
                          <Text size="xs" fw={date === today ? 700 : 400}>
                            {day}
                          </Text>
                          {(byDay.get(date) ?? []).map((o) => (
                            <Badge
                              key={`${o.campaignId}-${o.localDate}`}
                              component={Link}
                              to={`/campaigns/${o.campaignId}`}
                              variant="light"
                              size="xs"
                              radius="sm"
                              style={{ cursor: "pointer", textTransform: "none" }}
                              title={`${o.campaignName}, sent ${new Date(o.sendAt).toLocaleString()}`}
                            >
                              {o.campaignName}
                            </Badge>
                          ))}
                        </Stack>
                      )}
                    </Table.Td>
                  );
                })}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
        {occurrences.data?.length === 0 && (
          <Text size="sm" c="dimmed">
            No occurrence of a scheduled campaign this month.
          </Text>
        )}
      </Stack>
    </Card>
  );
}
