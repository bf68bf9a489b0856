/**
 * The freeze: each occurrence of the night gets its recipient list (test and control) and its
 * send batches with their SendTimes, stored in one transaction through the plan's selection and
 * execution schedule. A frozen occurrence is never selected again: a re-run, a resumed run or an
 * audit sees the same list.
 */
import { sql } from "kysely";
import type { App } from "../app.ts";
import { inTransaction } from "../db/transaction.ts";
import { BATCH_SIZE } from "./execution-schedule.ts";
import { NO_HOOKS, type RunHooks } from "./hooks.ts";
import { type NightOccurrence, nightOccurrences, schedulePending, selectPending } from "./night.ts";

/** What one occurrence was frozen with. */
export interface FrozenOccurrence {
  occurrenceId: number;
  campaignId: number;
  campaignName: string;
  localDate: string;
  test: number;
  control: number;
  batches: number;
}

export interface FreezeResult {
  /** Frozen by this freeze. */
  frozen: FrozenOccurrence[];
  /** Occurrences of the night frozen before (left as they are). */
  alreadyFrozen: number;
  /** Occurrences left out, with why (e.g. the business unit is no longer configured). */
  skipped: { campaignId: number; localDate: string; reason: string }[];
}

/** Use case: freezes the occurrences of the run of `date` not frozen yet. */
export async function freezeNight(
  app: App,
  options: { date: string; hooks?: RunHooks },
): Promise<FreezeResult> {
  const { config } = app;
  const hooks = options.hooks ?? NO_HOOKS;
  const night = await nightOccurrences(app, options.date);
  const skipped: FreezeResult["skipped"] = [];
  const pending: (NightOccurrence & { budgetKey: string })[] = [];
  for (const occurrence of night) {
    if (occurrence.frozenId !== null) continue;
    if (occurrence.budgetKey === null) {
      skipped.push({
        campaignId: occurrence.campaign.id,
        localDate: occurrence.localDate,
        reason: `business unit ${occurrence.campaign.businessUnit} is no longer configured`,
      });
      continue;
    }
    pending.push(occurrence as NightOccurrence & { budgetKey: string });
  }
  const alreadyFrozen = night.filter((o) => o.frozenId !== null).length;
  if (pending.length === 0) return { frozen: [], alreadyFrozen, skipped };
  const frozen = await inTransaction(
    app.db.kysely,
    { timeZone: config.schedule.timeZone, jit: false, locks: ["deliveryTables"] },
    async (trx) => {
      // Another process may have frozen some of them meanwhile: checked again under the lock.
      const taken = await trx
        .selectFrom("campaign_occurrences")
        .select(["campaign_id", "local_date"])
        .where("run_date", "=", options.date)
        .execute();
      const done = new Set(taken.map((o) => `${o.campaign_id}:${o.local_date}`));
      const todo = pending.filter((o) => !done.has(`${o.campaign.id}:${o.localDate}`));
      if (todo.length === 0) return [];
      const counts = await selectPending(trx, config, options.date, todo, taken.length > 0);
      const schedule = await schedulePending(trx, config, todo, counts);
      const now = app.clock.now();
      const ids: number[] = [];
      for (const [index, o] of todo.entries()) {
        const count = counts.get(index);
        const row = await trx
          .insertInto("campaign_occurrences")
          .values({
            campaign_id: o.campaign.id,
            local_date: o.localDate,
            run_date: options.date,
            send_at: o.sendAt,
            state: "frozen",
            business_unit: o.campaign.businessUnit,
            app_id: o.campaign.appId,
            message_id: o.campaign.messageId,
            budget_key: o.budgetKey,
            priority: o.campaign.priority,
            exclusive: o.campaign.exclusive,
            control_percent: String(o.campaign.controlGroupPercent),
            measurement_days: o.campaign.measurementDays,
            reachable: count?.reachable ?? 0,
            test: count?.test ?? 0,
            control: count?.control ?? 0,
            frozen_at: now,
          })
          .returning("id")
          .executeTakeFirstOrThrow();
        ids.push(row.id);
      }
      const occIds = sql.join(ids.map((id, index) => sql`(${index}::integer, ${id}::integer)`));
      await sql`
        insert into occurrence_recipients (occurrence_id, contact_key, control)
        select ids.id, s.contact_key, s.control
        from selection s join (values ${occIds}) ids (occ, id) on ids.occ = s.occ
        where s.assigned`.execute(trx);
      if (schedule.batches.length > 0) {
        const slots = sql.join(
          schedule.batches.map(
            (b) =>
              sql`(${Number(b.occurrenceId)}::integer, ${b.index}::integer, ${b.at}::timestamptz)`,
          ),
        );
        // Batch n of an occurrence holds its test keys n×5000+1 … (n+1)×5000 in key order, the
        // sizes splitIntoBatches gave the schedule. Aggregated group by group from sorted keys:
        // a hash aggregate would hold every batch's array at once (a million keys in PGlite's
        // memory, which never shrinks).
        await sql`select set_config('enable_hashagg', 'off', true)`.execute(trx);
        await sql`
          insert into send_batches (occurrence_id, seq, budget_key, size, contact_keys, state, planned_at, send_at)
          select o.id, k.seq, o.budget_key, count(*)::integer, array_agg(k.contact_key order by k.contact_key),
            'planned', slot.at, slot.at
          from (
            select occ, contact_key,
              ((row_number() over (partition by occ order by contact_key)) - 1) / ${BATCH_SIZE}::integer as seq
            from selection where assigned and not control
          ) k
          join (values ${occIds}) ids (occ, id) on ids.occ = k.occ
          join campaign_occurrences o on o.id = ids.id
          join (values ${slots}) slot (occ, seq, at) on slot.occ = k.occ and slot.seq = k.seq
          group by o.id, k.seq, o.budget_key, slot.at`.execute(trx);
      }
      hooks.reached("freeze-write");
      return todo.map(
        (o, index): FrozenOccurrence => ({
          occurrenceId: ids[index] as number,
          campaignId: o.campaign.id,
          campaignName: o.campaign.name,
          localDate: o.localDate,
          test: counts.get(index)?.test ?? 0,
          control: counts.get(index)?.control ?? 0,
          batches: schedule.batches.filter((b) => b.occurrenceId === String(index)).length,
        }),
      );
    },
  );
  hooks.reached("frozen");
  return { frozen, alreadyFrozen: alreadyFrozen + (pending.length - frozen.length), skipped };
}
