/**
 * The plan's execution timeline: per SFMC account (client id), the recipients its batches of the
 * night hand over in each window of its send budget, beside the budget. Built from the same
 * batches the plan's occurrences sum up (the execution schedule, or the stored batches once
 * frozen), so the chart and the occurrences' first and last batch agree.
 */
import { sql } from "kysely";
import type { NightjarConfig } from "../config/schema.ts";
import type { Db } from "../db/connect.ts";
import { accountBudgets, limitsByKey } from "./execution-schedule.ts";

/** One account's night, window by window. */
export interface AccountTimeline {
  /** The configured accounts sharing this client id (and so its budget). */
  accounts: string[];
  budget: {
    /** Recipients per window, after the reserve. */
    limit: number;
    windowMinutes: number;
    text: string;
  };
  /** Every window from the first batch's to the last one's, empty ones included. */
  windows: { from: string; recipients: number; batches: number }[];
}

/** A batch of the night, by the client id it is sent with. */
export type TimelineBatch = { budgetKey: string; at: Date; size: number };

/** The stored batches of frozen occurrences (those still to go out or gone out). */
export async function frozenBatches(
  db: Db,
  occurrences: { id: number; budgetKey: string | null }[],
): Promise<TimelineBatch[]> {
  const keys = new Map(occurrences.flatMap((o) => (o.budgetKey ? [[o.id, o.budgetKey]] : [])));
  if (keys.size === 0) return [];
  const rows = await sql<{ occurrence_id: number; send_at: Date; size: number }>`
    select occurrence_id, send_at, size from send_batches
    where occurrence_id in (${sql.join([...keys.keys()])})
      and state not in ('expired', 'abandoned')`.execute(db);
  return rows.rows.map((r) => ({
    budgetKey: keys.get(r.occurrence_id) as string,
    at: new Date(r.send_at),
    size: r.size,
  }));
}

/** The batches summed per budget window of each account (windows start at multiples of their width since the epoch: the half hours for 30 minutes). */
export function accountTimelines(
  config: NightjarConfig,
  batches: readonly TimelineBatch[],
): AccountTimeline[] {
  const limits = limitsByKey(accountBudgets(config.sfmc.accounts));
  const byKey = new Map<string, TimelineBatch[]>();
  for (const batch of batches) {
    const list = byKey.get(batch.budgetKey);
    if (list) list.push(batch);
    else byKey.set(batch.budgetKey, [batch]);
  }
  const timelines: AccountTimeline[] = [];
  for (const [key, list] of byKey) {
    const limit = limits.get(key);
    if (!limit) continue;
    const width = limit.minutes * 60_000;
    const slot = (at: Date) => Math.floor(at.getTime() / width);
    const sums = new Map<number, { recipients: number; batches: number }>();
    for (const batch of list) {
      const sum = sums.get(slot(batch.at)) ?? { recipients: 0, batches: 0 };
      sum.recipients += batch.size;
      sum.batches += 1;
      sums.set(slot(batch.at), sum);
    }
    const first = Math.min(...sums.keys());
    const last = Math.max(...sums.keys());
    const windows: AccountTimeline["windows"] = [];
    for (let s = first; s <= last; s++)
      windows.push({
        from: new Date(s * width).toISOString(),
        ...(sums.get(s) ?? { recipients: 0, batches: 0 }),
      });
    timelines.push({
      accounts: config.sfmc.accounts.filter((a) => a.clientId === key).map((a) => a.name),
      budget: { limit: limit.limit, windowMinutes: limit.minutes, text: limit.text },
      windows,
    });
  }
  return timelines.sort((a, b) => (a.accounts[0] ?? "").localeCompare(b.accounts[0] ?? ""));
}
