/** One SFMC account's night: recipients per budget window as bars, the budget as a line. */
import { BarChart } from "@mantine/charts";
import { Card, Text, Title } from "@mantine/core";
import type { Schemas } from "../../api/client";

type AccountTimeline = Schemas["NightPlan"]["timeline"][number];

const time = (iso: string) =>
  new Date(iso).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });

export function PlanTimeline({ timeline }: { timeline: AccountTimeline }) {
  const { budget, windows } = timeline;
  const data = windows.map((w) => ({ window: time(w.from), recipients: w.recipients }));
  const peak = Math.max(budget.limit, ...windows.map((w) => w.recipients));
  const first = windows[0];
  const last = windows.at(-1);
  const batches = windows.reduce((n, w) => n + w.batches, 0);
  return (
    <Card withBorder>
      <Title order={4}>SFMC account {timeline.accounts.join(", ")}</Title>
      <Text size="sm" c="dimmed" mb="sm">
        Send budget {budget.text}.{" "}
        {first && last
          ? `${batches} batch${batches === 1 ? "" : "es"} from ${time(first.from)} to ${time(
              new Date(Date.parse(last.from) + budget.windowMinutes * 60_000).toISOString(),
            )} (your time), in ${budget.windowMinutes}-minute windows.`
          : ""}
      </Text>
      <BarChart
        role="img"
        h={240}
        data={data}
        dataKey="window"
        series={[{ name: "recipients", label: "Recipients", color: "indigo.6" }]}
        yAxisProps={{ domain: [0, Math.ceil(peak * 1.1)] }}
        referenceLines={[{ y: budget.limit, label: "Budget", color: "red.6" }]}
        valueFormatter={(v) => v.toLocaleString()}
        aria-label={`Recipients per ${budget.windowMinutes} minutes of ${timeline.accounts.join(", ")}`}
      />
    </Card>
  );
}
