/**
 * The rule's live answers from the server: its count and a preview of its customers, asked
 * ~300 ms after the last change. Each is a query keyed by the rule: a change makes the previous
 * query unused, and TanStack Query aborts it through the signal handed to openapi-fetch.
 */
import { useDebouncedValue } from "@mantine/hooks";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { api, unwrap } from "../api/client";

const DEBOUNCE_MS = 300;

/** The rule's JSON text, once it has stopped changing for a moment; and whether it has. */
export function useSettledRule(rule: unknown): { text: string; settled: boolean } {
  const text = JSON.stringify(rule);
  const [debounced] = useDebouncedValue(text, DEBOUNCE_MS);
  return { text: debounced, settled: debounced === text };
}

/** The total and reachable counts of the (settled) rule. */
export function useRuleCount(ruleText: string) {
  return useQuery({
    queryKey: ["target-groups", "count", ruleText],
    queryFn: async ({ signal }) =>
      unwrap(
        await api.POST("/api/target-groups/count", {
          body: { rule: JSON.parse(ruleText) as unknown },
          signal,
        }),
      ),
    placeholderData: keepPreviousData,
  });
}

/** The first matching customers of the (settled) rule. */
export function useRulePreview(ruleText: string) {
  return useQuery({
    queryKey: ["target-groups", "preview", ruleText],
    queryFn: async ({ signal }) =>
      unwrap(
        await api.POST("/api/target-groups/preview", {
          body: { rule: JSON.parse(ruleText) as unknown, limit: 20 },
          signal,
        }),
      ),
    placeholderData: keepPreviousData,
  });
}

/** "1,234 reachable of 2,000": the live count's exact words. */
export function countText(counts: { total: number; reachable: number }): string {
  const n = (x: number) => x.toLocaleString("en-US");
  return `${n(counts.reachable)} reachable of ${n(counts.total)}`;
}
