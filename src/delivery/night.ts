/**
 * What the plan and the freeze share, so that the plan predicts what the freeze stores: the
 * occurrences a night hands over (and which of them are frozen already), their selection with
 * priorities and the frequency cap, and the budget slots other batches already hold.
 */
import { sql } from "kysely";
import { type App, accountOfUnit } from "../app.ts";
import { type Campaign, listCampaigns } from "../campaigns/campaigns.ts";
import { nightlyRunInstant, occurrencesDue } from "../campaigns/occurrences.ts";
import type { NightjarConfig } from "../config/schema.ts";
import type { Db } from "../db/connect.ts";
import { NightjarError } from "../errors.ts";
import { groupRuleLoader } from "../targeting/count.ts";
import type { Rule } from "../targeting/rule.ts";
import { addDays } from "../time/zones.ts";
import {
  accountBudgets,
  BudgetLedger,
  type ExecutionSchedule,
  type HandedOverBatch,
  scheduleExecution,
} from "./execution-schedule.ts";
import { type SelectionCount, selectionCounts, selectRecipients } from "./selection.ts";

/** A campaign's group is gone (or its business unit no longer configured). */
export class PlanError extends NightjarError {
  override name = "PlanError";
}

/** One occurrence a night hands over. */
export interface NightOccurrence {
  campaign: Campaign;
  localDate: string;
  sendAt: Date;
  rule: Rule;
  /** The client id of the business unit's SFMC account; null when the BU is no longer configured. */
  budgetKey: string | null;
  /** Its stored occurrence, once frozen. */
  frozenId: number | null;
}

/** The occurrences the run of `date` hands over: those of scheduled campaigns, and those already frozen. */
export async function nightOccurrences(app: App, date: string): Promise<NightOccurrence[]> {
  const { config } = app;
  const nightly = { nightlyAt: config.schedule.nightlyAt, timeZone: config.schedule.timeZone };
  const frozen = await app.db.kysely
    .selectFrom("campaign_occurrences")
    .select(["id", "campaign_id", "local_date"])
    .where("run_date", "=", date)
    .execute();
  const frozenIds = new Map(frozen.map((o) => [`${o.campaign_id}:${o.local_date}`, o.id]));
  const campaigns = await listCampaigns(app, { archived: true });
  // A campaign paused or completed after its occurrence was frozen still shows that occurrence.
  const due = occurrencesDue(campaigns, date, nightly).filter(
    ({ campaign, localDate }) =>
      campaign.status === "scheduled" || frozenIds.has(`${campaign.id}:${localDate}`),
  );
  const loadRule = groupRuleLoader(app.db.kysely);
  const rules = new Map<number, Rule>();
  for (const { campaign } of due) {
    if (rules.has(campaign.targetGroupId)) continue;
    const rule = await loadRule(campaign.targetGroupId);
    if (rule === null)
      throw new PlanError(
        `campaign #${campaign.id} "${campaign.name}": its target group #${campaign.targetGroupId} is gone`,
      );
    rules.set(campaign.targetGroupId, rule as Rule);
  }
  return due.map(({ campaign, localDate, sendAt }) => ({
    campaign,
    localDate,
    sendAt,
    rule: rules.get(campaign.targetGroupId) as Rule,
    budgetKey: accountOfUnit(config, campaign.businessUnit)?.clientId ?? null,
    frozenId: frozenIds.get(`${campaign.id}:${localDate}`) ?? null,
  }));
}

/** When the frequency cap starts counting for the run of `date` (null: no cap). */
export function capSince(config: NightjarConfig, date: string): Date | null {
  const cap = config.campaigns.frequencyCap;
  if (!cap) return null;
  const { nightlyAt, timeZone } = config.schedule;
  // The night's window starts at its run; the cap looks back `perDays` days from the next run.
  return nightlyRunInstant(addDays(date, 1 - cap.perDays), nightlyAt, timeZone);
}

/**
 * Selects the members of the occurrences not frozen yet into the temporary table `selection`
 * (occ = index in `pending`), in the caller's transaction; answers the counts per index.
 */
export async function selectPending(
  trx: Db,
  config: NightjarConfig,
  date: string,
  pending: readonly NightOccurrence[],
  anyFrozen: boolean,
): Promise<Map<number, SelectionCount>> {
  const since = capSince(config, date);
  const cap = config.campaigns.frequencyCap;
  await selectRecipients(
    trx,
    config,
    pending.map(({ campaign, rule }) => ({
      campaignId: campaign.id,
      rule,
      priority: campaign.priority,
      exclusive: campaign.exclusive,
      controlGroupPercent: campaign.controlGroupPercent,
    })),
    {
      asOf: date,
      frequencyCap: cap && since ? { maxPushes: cap.maxPushes, since } : null,
      takenOn: anyFrozen ? date : null,
    },
  );
  return selectionCounts(trx);
}

/**
 * The budget slots that batches already hold from `from` on (one window earlier counts too):
 * planned ones and those handed over, whatever their night.
 */
export async function takenSlots(
  db: Db,
  budgetKeys: readonly string[],
  from: Date,
  windowMinutes: number,
): Promise<HandedOverBatch[]> {
  if (budgetKeys.length === 0) return [];
  const since = new Date(from.getTime() - windowMinutes * 60_000);
  const rows = await db
    .selectFrom("send_batches")
    .select(["budget_key", "send_at", "size"])
    .where("budget_key", "in", budgetKeys)
    .where("send_at", ">=", since)
    .where("state", "in", ["planned", "sending", "sent", "unknown"])
    .execute();
  const tests = await db
    .selectFrom("test_sends")
    .select(["budget_key", "sent_at", sql<number>`cardinality(contact_keys)`.as("size")])
    .where("budget_key", "in", budgetKeys)
    .where("sent_at", ">=", since)
    .where("state", "in", ["sending", "sent", "unknown"])
    .execute();
  return [
    ...rows.map((r) => ({ budgetKey: r.budget_key, at: r.send_at, size: r.size })),
    ...tests.map((r) => ({ budgetKey: r.budget_key, at: r.sent_at, size: Number(r.size) })),
  ];
}

/** The longest budget window of the configured accounts, in minutes. */
export function longestWindow(config: NightjarConfig): number {
  return Math.max(30, ...config.sfmc.accounts.map((a) => a.sendBudget.perMinutes));
}

/** Account `key`'s budget ledger from `now` on, holding the slots its batches already take. */
export async function budgetLedger(
  db: Db,
  config: NightjarConfig,
  key: string,
  now: Date,
): Promise<BudgetLedger> {
  return new BudgetLedger(
    accountBudgets(config.sfmc.accounts),
    key,
    now,
    await takenSlots(db, [key], now, longestWindow(config)),
  );
}

/**
 * The execution schedule of the pending occurrences (each with its index in `pending` as id and
 * its test group from `counts`), counting the slots other batches already hold; an occurrence
 * whose business unit is no longer configured has none.
 */
export async function schedulePending(
  db: Db,
  config: NightjarConfig,
  pending: readonly NightOccurrence[],
  counts: ReadonlyMap<number, SelectionCount>,
): Promise<ExecutionSchedule> {
  const schedulable = pending.flatMap((o, index) =>
    o.budgetKey === null ? [] : [{ o, index, budgetKey: o.budgetKey }],
  );
  if (schedulable.length === 0) return { batches: [], occurrences: [] };
  const firstSend = new Date(Math.min(...schedulable.map(({ o }) => o.sendAt.getTime())));
  const keys = [...new Set(schedulable.map((s) => s.budgetKey))];
  return scheduleExecution({
    budgets: accountBudgets(config.sfmc.accounts),
    occurrences: schedulable.map(({ o, index, budgetKey }) => ({
      id: String(index),
      budgetKey,
      sendAt: o.sendAt,
      priority: o.campaign.priority,
      campaignId: o.campaign.id,
      recipients: counts.get(index)?.test ?? 0,
    })),
    handedOver: await takenSlots(db, keys, firstSend, longestWindow(config)),
  });
}
