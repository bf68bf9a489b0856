/** The server state the campaign pages read: groups with their counts, BUs, apps, messages. */
import { useQueries, useQuery } from "@tanstack/react-query";
import { api, unwrap } from "../../api/client";

export function useTargetGroups() {
  return useQuery({
    queryKey: ["target-groups"],
    queryFn: async () => unwrap(await api.GET("/api/target-groups")),
  });
}

/** Each group's reachable count: its last recorded size, or counted now when it has none. */
export function useGroupCounts(
  groups: { id: number; rule: unknown; lastSize: { reachable: number } | null }[] | undefined,
): Map<number, number> {
  const counted = useQueries({
    queries: (groups ?? [])
      .filter((g) => g.lastSize === null)
      .map((g) => ({
        queryKey: ["target-groups", g.id, "count", g.rule],
        queryFn: async () =>
          unwrap(await api.POST("/api/target-groups/count", { body: { rule: g.rule } })),
        staleTime: 60_000,
      })),
  });
  const counts = new Map<number, number>();
  const missing = (groups ?? []).filter((g) => g.lastSize === null);
  for (const g of groups ?? []) if (g.lastSize) counts.set(g.id, g.lastSize.reachable);
  missing.forEach((g, i) => {
    const data = counted[i]?.data;
    if (data) counts.set(g.id, data.reachable);
  });
  return counts;
}

/** The business units of every configured SFMC account, with the account's name. */
export function useBusinessUnits() {
  return useQuery({
    queryKey: ["sfmc", "accounts"],
    queryFn: async () => unwrap(await api.GET("/api/sfmc/accounts")),
    select: (accounts) =>
      accounts.flatMap((a) =>
        a.businessUnits.map((bu) => ({ ...bu, account: a.name, sendBudget: a.sendBudget })),
      ),
  });
}

export function useApps() {
  return useQuery({
    queryKey: ["apps"],
    queryFn: async () => unwrap(await api.GET("/api/apps")),
  });
}

/** The synced, usable push messages of one app (none asked while no app is chosen). */
export function useMessages(appId: string) {
  return useQuery({
    queryKey: ["apps", appId, "messages"],
    queryFn: async () =>
      unwrap(await api.GET("/api/apps/{id}/messages", { params: { path: { id: appId } } })),
    enabled: appId !== "",
  });
}

/** The messages of several apps at once, by id (for the list's names). */
export function useMessageNames(appIds: string[]): Map<string, string> {
  const results = useQueries({
    queries: [...new Set(appIds)].map((id) => ({
      queryKey: ["apps", id, "messages"],
      queryFn: async () =>
        unwrap(await api.GET("/api/apps/{id}/messages", { params: { path: { id } } })),
    })),
  });
  const names = new Map<string, string>();
  for (const r of results) for (const m of r.data ?? []) names.set(`${m.appId}/${m.id}`, m.name);
  return names;
}

/** A date-time in a zone, as the marketer reads it: "Wed 2 Dec 2026, 10:00". */
export function formatIn(iso: string, timeZone: string): string {
  try {
    return new Intl.DateTimeFormat("en-GB", {
      timeZone,
      weekday: "short",
      day: "numeric",
      month: "short",
      year: "numeric",
      hour: "2-digit",
      minute: "2-digit",
    }).format(new Date(iso));
  } catch {
    return iso;
  }
}

/** A date-time in the campaign's zone and in UTC (once when the zone is UTC). */
export function inZoneAndUtc(iso: string, timeZone: string): string {
  const utc = `${formatIn(iso, "UTC")} UTC`;
  return timeZone === "UTC" ? utc : `${formatIn(iso, timeZone)} (${timeZone}), ${utc}`;
}
