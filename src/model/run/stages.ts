import { type RawBuilder, sql } from "kysely";
import type { ModelSettings } from "../../config/schema.ts";

/** Lifecycle stage ids, in the order the UI lists them. */
export const STAGES = ["prospect", "new", "active", "at_risk", "churned", "reactivated"] as const;
export type Stage = (typeof STAGES)[number];

/** Labels for people (the UI and the CLI summary). */
export const STAGE_LABELS: Record<Stage, string> = {
  prospect: "Prospect",
  new: "New",
  active: "Active",
  at_risk: "At-risk",
  churned: "Churned",
  reactivated: "Reactivated",
};

/**
 * The columns a stage is decided from, as SQL expressions over one customer's row.
 * `priorStage`/`priorStageSince` are the stage in force before the run date (null for a customer
 * the model has not seen before).
 */
export interface StageInputs {
  runDate: RawBuilder<unknown>;
  purchases: RawBuilder<unknown>;
  firstPurchaseOn: RawBuilder<unknown>;
  lastPurchaseOn: RawBuilder<unknown>;
  /** Days between a customer's purchases: their own average, or the typical one for one-time buyers. */
  usualGapDays: RawBuilder<unknown>;
  pAlive: RawBuilder<unknown>;
  priorStage: RawBuilder<unknown>;
  priorStageSince: RawBuilder<unknown>;
}

/**
 * The lifecycle stage as one SQL expression:
 * - Prospect: no purchase yet.
 * - New: the first purchase is less than `newDays` old.
 * - Churned: P(alive) below `churned.maxPAlive`, or no purchase for more than
 *   `churned.overdueFactor` of the customer's usual gaps. A churned customer stays churned until
 *   they buy again (a refit alone does not bring anyone back).
 * - Reactivated: bought again after having been Churned; stays so for `reactivatedDays` unless
 *   the rules put them at risk or churned again.
 * - At-risk: as Churned, with the `atRisk` thresholds.
 * - Active: everyone else with purchases.
 * P(alive) is null when the data could not support a fit: the rhythm rules then decide alone.
 */
export function stageExpression(
  inputs: StageInputs,
  settings: ModelSettings["stages"],
): RawBuilder<string> {
  const { runDate, purchases, firstPurchaseOn, lastPurchaseOn, usualGapDays, pAlive } = inputs;
  const { priorStage, priorStageSince } = inputs;
  const overdue = sql`((${runDate} - ${lastPurchaseOn})::float8 / greatest(${usualGapDays}, 1))`;
  const churnedByRules = sql`(coalesce(${pAlive} < ${settings.churned.maxPAlive}::float8, false)
    or ${overdue} > ${settings.churned.overdueFactor}::float8)`;
  const atRiskByRules = sql`(coalesce(${pAlive} < ${settings.atRisk.maxPAlive}::float8, false)
    or ${overdue} > ${settings.atRisk.overdueFactor}::float8)`;
  const boughtSinceStageStart = sql`(${lastPurchaseOn} >= ${priorStageSince})`;
  return sql<string>`case
    when coalesce(${purchases}, 0) = 0 then 'prospect'
    when ${firstPurchaseOn} > ${runDate} - ${settings.newDays}::int then 'new'
    when ${churnedByRules} then 'churned'
    when ${priorStage} = 'churned' and not ${boughtSinceStageStart} then 'churned'
    when ${priorStage} = 'churned' then 'reactivated'
    when ${priorStage} = 'reactivated' and not ${atRiskByRules}
      and ${runDate} - ${priorStageSince} < ${settings.reactivatedDays}::int then 'reactivated'
    when ${atRiskByRules} then 'at_risk'
    else 'active'
  end`;
}
