/**
 * The nightly plan: what the run of a date will send and when, before it runs. It goes through
 * the same selection and execution schedule as the freeze and the delivery (next issue), so the
 * plan predicts exactly what the night does.
 */
import { sql } from "kysely";
import { type App, accountOfUnit } from "../app.ts";
import { nightlyRunInstant } from "../campaigns/occurrences.ts";
import { inTransaction } from "../db/transaction.ts";
import { groupResponseRate } from "../metrics/baseline.ts";
import { minimumDetectableUplift } from "../metrics/stats.ts";
import { countTargetGroup } from "../targeting/count.ts";
import { asOfState } from "../targeting/sources.ts";
import { formatSendTime } from "../time/sfmc-time.ts";
import { addDays, todayIn } from "../time/zones.ts";
import { nightOccurrences, schedulePending, selectPending } from "./night.ts";
import { type AccountTimeline, accountTimelines, frozenBatches } from "./plan-timeline.ts";
import { type SelectionCount, selectionOverlaps } from "./selection.ts";

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
  /** Frozen already: the numbers are those of its stored list and batches. */
  frozen: boolean;
  sendTime: { local: string; timeZone: string; utc: string; sfmc: string };
  targetGroup: { id: number; total: number; reachable: number };
  /** Members left after the priorities (exclusive campaigns), then split. */
  afterPriorities: number;
  lostToHigherPriority: number;
  /** Test members the frequency cap kept from this push. */
  cappedByFrequency: number;
  control: number;
  test: number;
  batches: number;
  firstBatchAt: string | null;
  lastBatchAt: string | null;
  latenessMinutes: number;
  /**
   * The share of the group's reachable members who bought in the `measurementDays` before the
   * date, and the smallest response-rate uplift (fraction) the split can detect at 95%
   * confidence and 80% power; null without members or without a control group.
   */
  baselineResponseRate: number | null;
  minimumDetectableUplift: number | null;
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
  /** Per SFMC account, the recipients of each budget window against the budget. */
  timeline: AccountTimeline[];
  warnings: string[];
}

export { PlanError } from "./night.ts";

/** Use case: the plan of the nightly run of `date` (Default: today in `schedule.timeZone`). */
export async function planNight(
  app: App,
  options: { date?: string | undefined } = {},
): Promise<NightPlan> {
  const { config } = app;
  const date = options.date ?? todayIn(config.schedule.timeZone, app.clock);
  const night = await nightOccurrences(app, date);
  // The members are taken as of the run's date (the data it imports that night).
  const asOf = date;
  const totals = new Map<number, { total: number; reachable: number; consent: string | null }>();
  const baselines = new Map<string, number | null>();
  for (const { campaign, rule } of night) {
    const baseline = `${campaign.targetGroupId} ${campaign.measurementDays} ${campaign.timeZone}`;
    if (!baselines.has(baseline))
      baselines.set(baseline, await groupResponseRate(app, rule, date, campaign));
    if (totals.has(campaign.targetGroupId)) continue;
    const counted = await countTargetGroup(app, rule, { asOf });
    totals.set(campaign.targetGroupId, {
      total: counted.total,
      reachable: counted.reachable,
      consent: counted.consentAttribute,
    });
  }
  const pending = night.filter((o) => o.frozenId === null);
  const { counts, overlaps } = await inTransaction(
    app.db.kysely,
    { timeZone: config.schedule.timeZone, jit: false },
    async (trx) => {
      const counts = await selectPending(trx, config, date, pending, pending.length < night.length);
      return { counts, overlaps: await selectionOverlaps(trx) };
    },
  );
  const frozen = await frozenCounts(
    app,
    night.flatMap((o) => (o.frozenId === null ? [] : [o.frozenId])),
  );
  const execution = await schedulePending(app.db.kysely, config, pending, counts);
  const scheduled = new Map(execution.occurrences.map((o) => [o.id, o]));
  const timeline = accountTimelines(config, [
    ...(await frozenBatches(
      app.db.kysely,
      night.flatMap((o) =>
        o.frozenId === null ? [] : [{ id: o.frozenId, budgetKey: o.budgetKey }],
      ),
    )),
    ...execution.batches.map((b) => ({
      budgetKey: pending[Number(b.occurrenceId)]?.budgetKey ?? "",
      at: b.at,
      size: b.size,
    })),
  ]);
  const occurrences = night.map((occurrence): PlannedOccurrence => {
    const { campaign, localDate: day, sendAt } = occurrence;
    const index = pending.indexOf(occurrence);
    const stored = occurrence.frozenId === null ? undefined : frozen.get(occurrence.frozenId);
    const count = stored ?? counts.get(index) ?? EMPTY_COUNT;
    const group = totals.get(campaign.targetGroupId) ?? { total: 0, reachable: 0, consent: null };
    const plan = stored ?? scheduled.get(String(index));
    const account = accountOfUnit(config, campaign.businessUnit);
    const warnings = [...(stored ? [] : (scheduled.get(String(index))?.warnings ?? []))];
    if (!account)
      warnings.push(
        `business unit ${campaign.businessUnit} is no longer configured: nothing can be sent`,
      );
    if (campaign.controlGroupPercent === 0)
      warnings.push("no control group: the campaign's effect cannot be measured");
    if (count.test === 0) warnings.push("nobody to send to");
    const baselineResponseRate =
      baselines.get(`${campaign.targetGroupId} ${campaign.measurementDays} ${campaign.timeZone}`) ??
      null;
    if (count.capped > 0)
      warnings.push(
        `the frequency cap keeps ${count.capped.toLocaleString("en-US")} customers from this push`,
      );
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
      frozen: stored !== undefined,
      sendTime: {
        local: `${day} ${campaign.sendTime}`,
        timeZone: campaign.timeZone,
        utc: sendAt.toISOString(),
        sfmc: formatSendTime(sendAt),
      },
      targetGroup: { id: campaign.targetGroupId, total: group.total, reachable: group.reachable },
      afterPriorities: count.assigned,
      lostToHigherPriority: count.lost,
      cappedByFrequency: count.capped,
      control: count.control,
      test: count.test,
      batches: plan?.batches ?? 0,
      firstBatchAt: plan?.firstBatchAt?.toISOString() ?? null,
      lastBatchAt: plan?.lastBatchAt?.toISOString() ?? null,
      latenessMinutes: plan?.latenessMinutes ?? 0,
      baselineResponseRate,
      minimumDetectableUplift: minimumDetectableUplift(
        baselineResponseRate,
        count.test,
        count.control,
      ),
      warnings,
    };
  });
  const warnings: string[] = [];
  const lastImport = (await asOfState(app.db.kysely, date)).latestImport;
  if (pending.length > 0 && lastImport !== null && lastImport < date)
    warnings.push(
      `the counts are as of the last customer import (${lastImport}): the nightly run of ${date} imports its day's files first, so its lists may differ (a rule on recent sign-ups or stage changes finds its new customers only then)`,
    );
  if ([...totals.values()].some((t) => t.consent === null))
    warnings.push(
      "no push-consent attribute is configured (customers.pushConsent): every present customer counts as consenting",
    );
  return {
    date,
    window: nightWindow(app, date),
    occurrences,
    overlaps: {
      customersInSeveral: overlaps.customersInSeveral,
      pairs: overlaps.pairs.map((p) => ({
        campaignA: pending[p.a]?.campaign.id ?? -1,
        campaignB: pending[p.b]?.campaign.id ?? -1,
        customers: p.customers,
      })),
    },
    timeline,
    warnings,
  };
}

const EMPTY_COUNT: SelectionCount = {
  reachable: 0,
  assigned: 0,
  control: 0,
  test: 0,
  lost: 0,
  capped: 0,
};

/** What frozen occurrences hold: their counts and batches, as the plan shows them. */
async function frozenCounts(app: App, ids: number[]) {
  const result = new Map<
    number,
    SelectionCount & {
      batches: number;
      firstBatchAt: Date | null;
      lastBatchAt: Date | null;
      latenessMinutes: number;
    }
  >();
  if (ids.length === 0) return result;
  const rows = await sql<{
    id: number;
    reachable: number;
    test: number;
    control: number;
    batches: number;
    first: Date | null;
    last: Date | null;
    late: number | null;
  }>`
    select o.id, o.reachable, o.test, o.control, count(b.id)::integer as batches,
      min(b.send_at) as first, max(b.send_at) as last, max(b.late_minutes)::integer as late
    from campaign_occurrences o left join send_batches b on b.occurrence_id = o.id
      and b.state not in ('expired', 'abandoned')
    where o.id in (${sql.join(ids)}) group by o.id`.execute(app.db.kysely);
  for (const r of rows.rows)
    result.set(r.id, {
      reachable: r.reachable,
      assigned: r.test + r.control,
      control: r.control,
      test: r.test,
      lost: r.reachable - r.test - r.control,
      capped: 0,
      batches: r.batches,
      firstBatchAt: r.first,
      lastBatchAt: r.last,
      latenessMinutes: r.late ?? 0,
    });
  return result;
}

/** The run of `date` hands over what is due from its start until the next night's start. */
function nightWindow(app: App, date: string): { from: string; to: string } {
  const { nightlyAt, timeZone } = app.config.schedule;
  return {
    from: nightlyRunInstant(date, nightlyAt, timeZone).toISOString(),
    to: nightlyRunInstant(addDays(date, 1), nightlyAt, timeZone).toISOString(),
  };
}
