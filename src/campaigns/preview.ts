/**
 * What the campaign builder shows before saving: the campaign's problems at their paths (none
 * means it can be saved), its next occurrence, its group's size, the test and control split, the
 * batches and when they would go out, and the warnings.
 */
import { type App, accountOfUnit } from "../app.ts";
import { scheduleExecution } from "../delivery/execution-schedule.ts";
import type { InputProblem } from "../errors.ts";
import { groupResponseRate } from "../metrics/baseline.ts";
import { minimumDetectableUplift } from "../metrics/stats.ts";
import { countTargetGroup, groupRuleLoader } from "../targeting/count.ts";
import { formatSendTime } from "../time/sfmc-time.ts";
import { todayIn } from "../time/zones.ts";
import { checkCampaign, parseCampaignInput } from "./campaign-input.ts";
import { nextSendAfter } from "./next-send.ts";

/** The builder's view of an unsaved campaign. */
export interface CampaignPreview {
  valid: boolean;
  problems: InputProblem[];
  warnings: string[];
  nextOccurrence: { date: string; sendAt: string; sfmcSendTime: string } | null;
  targetGroup: { total: number; reachable: number } | null;
  /** Reachable members split by the control share (before other campaigns' priorities). */
  test: number;
  control: number;
  batches: number;
  firstBatchAt: string | null;
  lastBatchAt: string | null;
  latenessMinutes: number;
  /** The group's response rate over the `measurementDays` before the next occurrence. */
  baselineResponseRate: number | null;
  /** The smallest response-rate uplift (fraction) the split can detect (95%, 80% power). */
  minimumDetectableUplift: number | null;
}

/** Use case: the preview of an unsaved campaign (`selfId`: the campaign being edited). */
export async function previewCampaign(
  app: App,
  input: unknown,
  selfId?: number,
): Promise<CampaignPreview> {
  const empty = {
    nextOccurrence: null,
    targetGroup: null,
    test: 0,
    control: 0,
    batches: 0,
    firstBatchAt: null,
    lastBatchAt: null,
    latenessMinutes: 0,
    baselineResponseRate: null,
    minimumDetectableUplift: null,
  };
  const parsed = parseCampaignInput(input);
  if (!parsed.ok) return { valid: false, problems: parsed.problems, warnings: [], ...empty };
  const campaign = parsed.campaign;
  const check = await checkCampaign(app.db.kysely, app, campaign, selfId);
  const preview: CampaignPreview = {
    valid: check.problems.length === 0,
    problems: check.problems,
    warnings: [...check.warnings],
    ...empty,
  };
  if (check.problems.some((p) => p.path === "timeZone" || p.path === "targetGroupId"))
    return preview;
  const next = nextSendAfter(
    campaign.schedule,
    campaign.sendTime,
    campaign.timeZone,
    app.clock.now(),
  );
  if (next)
    preview.nextOccurrence = {
      date: next.date,
      sendAt: next.sendAt.toISOString(),
      sfmcSendTime: formatSendTime(next.sendAt),
    };
  const rule = await groupRuleLoader(app.db.kysely)(campaign.targetGroupId);
  if (rule === null) return preview;
  const counted = await countTargetGroup(app, rule);
  preview.targetGroup = { total: counted.total, reachable: counted.reachable };
  preview.control = Math.round((counted.reachable * campaign.controlGroupPercent) / 100);
  preview.test = counted.reachable - preview.control;
  preview.baselineResponseRate = await groupResponseRate(
    app,
    rule,
    preview.nextOccurrence?.date ?? todayIn(campaign.timeZone, app.clock),
    campaign,
  );
  preview.minimumDetectableUplift = minimumDetectableUplift(
    preview.baselineResponseRate,
    preview.test,
    preview.control,
  );
  const account = accountOfUnit(app.config, campaign.businessUnit);
  if (account && preview.nextOccurrence) {
    const execution = scheduleExecution({
      budgets: [{ key: account.clientId, ...account.sendBudget }],
      occurrences: [
        {
          id: "preview",
          budgetKey: account.clientId,
          sendAt: new Date(preview.nextOccurrence.sendAt),
          priority: campaign.priority,
          campaignId: selfId ?? 0,
          recipients: preview.test,
        },
      ],
    });
    const planned = execution.occurrences[0];
    if (planned) {
      preview.batches = planned.batches;
      preview.firstBatchAt = planned.firstBatchAt?.toISOString() ?? null;
      preview.lastBatchAt = planned.lastBatchAt?.toISOString() ?? null;
      preview.latenessMinutes = planned.latenessMinutes;
      preview.warnings.push(...planned.warnings);
    }
  }
  return preview;
}
