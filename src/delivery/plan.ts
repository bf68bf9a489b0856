/**
 * The nightly plan: what the run of a date will send and when, before it runs. It goes through
 * the same selection and execution schedule as the freeze and the delivery (next issue), so the
 * plan predicts exactly what the night does.
 */
import type { App } from "../app.ts";
import { type Campaign, listCampaigns } from "../campaigns/campaigns.ts";
import { nightlyRunInstant, occurrencesDue } from "../campaigns/occurrences.ts";
import { inTransaction } from "../db/transaction.ts";
import { NightjarError } from "../errors.ts";
import { countTargetGroup, groupRuleLoader } from "../targeting/count.ts";
import type { Rule } from "../targeting/rule.ts";
import { formatSendTime } from "../time/sfmc-time.ts";
import { addDays, todayIn } from "../time/zones.ts";
import { accountBudgets, scheduleExecution } from "./execution-schedule.ts";
import { selectionCounts, selectionOverlaps, selectRecipients } from "./selection.ts";

/** One campaign occurrence of the night, as the plan shows it. */
export interface PlannedOccurrence {
  campaignId: number;
  campaignName: string;
  priority: number;
  exclusive: boolean;
  businessUnit: string;
  account: string | null;
  appId: string;
  messageId: string;
  /** The occurrence's local date, in the campaign's zone. */
  localDate: string;
  sendTime: { local: string; timeZone: string; utc: string; sfmc: string };
  targetGroup: { id: number; total: number; reachable: number };
  /** Members left after the priorities (exclusive campaigns), then split. */
  afterPriorities: number;
  lostToHigherPriority: number;
  control: number;
  test: number;
  batches: number;
  firstBatchAt: string | null;
  lastBatchAt: string | null;
  latenessMinutes: number;
  warnings: string[];
}

/** The plan of one night. */
export interface NightPlan {
  date: string;
  /** When the run of that date starts and the next one does (its occurrences lie between). */
  window: { from: string; to: string };
  occurrences: PlannedOccurrence[];
  overlaps: {
    customersInSeveral: number;
    pairs: { campaignA: number; campaignB: number; customers: number }[];
  };
  warnings: string[];
}

/** A campaign's group is gone (or its business unit no longer configured). */
export class PlanError extends NightjarError {
  override name = "PlanError";
}

/** Use case: the plan of the nightly run of `date` (Default: today in `schedule.timeZone`). */
export async function planNight(
  app: App,
  options: { date?: string | undefined } = {},
): Promise<NightPlan> {
  const { config } = app;
  const date = options.date ?? todayIn(config.schedule.timeZone, app.clock);
  const nightly = { nightlyAt: config.schedule.nightlyAt, timeZone: config.schedule.timeZone };
  const campaigns = await listCampaigns(app, { status: "scheduled" });
  const due = occurrencesDue(campaigns, date, nightly);
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
  // The members are taken as of the run's date (the data it imports that night).
  const asOf = date;
  const totals = new Map<number, { total: number; reachable: number; consent: string | null }>();
  for (const [groupId, rule] of rules) {
    const counted = await countTargetGroup(app, rule, { asOf });
    totals.set(groupId, {
      total: counted.total,
      reachable: counted.reachable,
      consent: counted.consentAttribute,
    });
  }
  const ruleOf = (c: Campaign) => rules.get(c.targetGroupId) as Rule;
  const { counts, overlaps } = await inTransaction(
    app.db.kysely,
    { timeZone: config.schedule.timeZone, jit: false },
    async (trx) => {
      await selectRecipients(
        trx,
        config,
        due.map(({ campaign }) => ({
          campaignId: campaign.id,
          rule: ruleOf(campaign),
          priority: campaign.priority,
          exclusive: campaign.exclusive,
          controlGroupPercent: campaign.controlGroupPercent,
        })),
        { asOf },
      );
      return { counts: await selectionCounts(trx), overlaps: await selectionOverlaps(trx) };
    },
  );
  const accountOf = (mid: string) =>
    config.sfmc.accounts.find((a) => a.businessUnits.some((bu) => bu.mid === mid));
  const execution = scheduleExecution({
    budgets: accountBudgets(config.sfmc.accounts),
    occurrences: due.map(({ campaign, sendAt }, index) => ({
      id: String(index),
      budgetKey:
        accountOf(campaign.businessUnit)?.clientId ?? `unconfigured:${campaign.businessUnit}`,
      sendAt,
      priority: campaign.priority,
      campaignId: campaign.id,
      recipients: counts.get(index)?.test ?? 0,
    })),
  });
  const scheduled = new Map(execution.occurrences.map((o) => [o.id, o]));
  const occurrences = due.map(({ campaign, localDate: day, sendAt }, index): PlannedOccurrence => {
    const count = counts.get(index) ?? { reachable: 0, assigned: 0, control: 0, test: 0, lost: 0 };
    const group = totals.get(campaign.targetGroupId) ?? { total: 0, reachable: 0, consent: null };
    const plan = scheduled.get(String(index));
    const account = accountOf(campaign.businessUnit);
    const warnings = [...(plan?.warnings ?? [])];
    if (!account)
      warnings.push(
        `business unit ${campaign.businessUnit} is no longer configured: nothing can be sent`,
      );
    if (campaign.controlGroupPercent === 0)
      warnings.push("no control group: the campaign's effect cannot be measured");
    if (count.test === 0) warnings.push("nobody to send to");
    return {
      campaignId: campaign.id,
      campaignName: campaign.name,
      priority: campaign.priority,
      exclusive: campaign.exclusive,
      businessUnit: campaign.businessUnit,
      account: account?.name ?? null,
      appId: campaign.appId,
      messageId: campaign.messageId,
      localDate: day,
      sendTime: {
        local: `${day} ${campaign.sendTime}`,
        timeZone: campaign.timeZone,
        utc: sendAt.toISOString(),
        sfmc: formatSendTime(sendAt),
      },
      targetGroup: { id: campaign.targetGroupId, total: group.total, reachable: group.reachable },
      afterPriorities: count.assigned,
      lostToHigherPriority: count.lost,
      control: count.control,
      test: count.test,
      batches: plan?.batches ?? 0,
      firstBatchAt: plan?.firstBatchAt?.toISOString() ?? null,
      lastBatchAt: plan?.lastBatchAt?.toISOString() ?? null,
      latenessMinutes: plan?.latenessMinutes ?? 0,
      warnings,
    };
  });
  const warnings: string[] = [];
  if ([...totals.values()].some((t) => t.consent === null))
    warnings.push(
      "no push-consent attribute is configured (customers.pushConsent): every present customer counts as consenting",
    );
  if (config.campaigns.frequencyCap)
    warnings.push(
      "the frequency cap counts the pushes the nightly runs record; none are recorded yet",
    );
  return {
    date,
    window: nightWindow(app, date),
    occurrences,
    overlaps: {
      customersInSeveral: overlaps.customersInSeveral,
      pairs: overlaps.pairs.map((p) => ({
        campaignA: due[p.a]?.campaign.id ?? -1,
        campaignB: due[p.b]?.campaign.id ?? -1,
        customers: p.customers,
      })),
    },
    warnings,
  };
}

/** The run of `date` hands over what is due from its start until the next night's start. */
function nightWindow(app: App, date: string): { from: string; to: string } {
  const { nightlyAt, timeZone } = app.config.schedule;
  return {
    from: nightlyRunInstant(date, nightlyAt, timeZone).toISOString(),
    to: nightlyRunInstant(addDays(date, 1), nightlyAt, timeZone).toISOString(),
  };
}
