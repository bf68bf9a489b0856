/** The group's size (total and reachable) on each of the last 90 days. */
import { LineChart } from "@mantine/charts";
import { Loader, Text } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { api, unwrap } from "../../api/client";
import { Problem } from "../../components/Problem";

export function SizeChart({ id }: { id: number }) {
  const sizes = useQuery({
    queryKey: ["target-groups", id, "sizes"],
    queryFn: async () =>
      unwrap(
        await api.GET("/api/target-groups/{id}/sizes", {
          params: { path: { id }, query: { days: 90 } },
        }),
      ),
  });
  if (sizes.isPending) return <Loader size="sm" aria-label="Loading the sizes" />;
  if (sizes.error) return <Problem error={sizes.error} title="The sizes could not be loaded" />;
  if (sizes.data.days.length === 0)
    return (
      <Text c="dimmed" size="sm">
        No sizes yet: the history has no day of this group.
      </Text>
    );
  return (
    <LineChart
      h={260}
      aria-label="Size over the last 90 days"
      data={sizes.data.days}
      dataKey="date"
      series={[
        { name: "total", label: "Total", color: "blue.6" },
        { name: "reachable", label: "Reachable", color: "teal.6" },
      ]}
      withLegend
      withDots={false}
      curveType="linear"
      valueFormatter={(v) => v.toLocaleString("en-US")}
    />
  );
}
