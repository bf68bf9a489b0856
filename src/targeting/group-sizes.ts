/**
 * A target group's size per day: recorded by every nightly run (`recordGroupSizes`), and, when
 * the group is saved, filled in for the last 90 days from the history where its rule allows it
 * (`backfillGroupSizes`, through `computeSizes`: one query over the validity intervals). A
 * recorded size is never overwritten by a computed one.
 */
import { sql } from "kysely";
import type { App } from "../app.ts";
import type { Db } from "../db/connect.ts";
import { addDays, todayIn } from "../time/zones.ts";
import { countTargetGroup } from "./count.ts";
import { computeSizes } from "./sizes.ts";
import { getTargetGroup, listTargetGroups } from "./target-groups.ts";
import { RuleRefusedError } from "./validate.ts";

/** A group's size on one day. */
export interface GroupSizeDay {
  date: string;
  total: number;
  reachable: number;
  source: "recorded" | "computed";
}

/** Use case: the group's sizes over the last `days` days (to today in schedule.timeZone), oldest first. */
export async function targetGroupSizes(
  app: Pick<App, "db" | "config" | "clock">,
  id: number,
  options: { days: number },
): Promise<{ targetGroupId: number; days: GroupSizeDay[] }> {
  await getTargetGroup(app.db.kysely, id);
  const today = todayIn(app.config.schedule.timeZone, app.clock);
  const rows = await app.db.kysely
    .selectFrom("target_group_sizes")
    .select(["on_date", "total", "reachable", "source"])
    .where("target_group_id", "=", id)
    .where("on_date", ">", addDays(today, -options.days))
    .where("on_date", "<=", today)
    .orderBy("on_date")
    .execute();
  return {
    targetGroupId: id,
    days: rows.map((r) => ({
      date: r.on_date,
      total: r.total,
      reachable: r.reachable,
      source: r.source,
    })),
  };
}

async function storeSizes(
  db: Db,
  groupId: number,
  days: { date: string; total: number; reachable: number }[],
  source: "recorded" | "computed",
): Promise<void> {
  if (days.length === 0) return;
  await db
    .insertInto("target_group_sizes")
    .values(
      days.map((d) => ({
        target_group_id: groupId,
        on_date: d.date,
        total: d.total,
        reachable: d.reachable,
        source,
      })),
    )
    .onConflict((oc) =>
      oc
        .columns(["target_group_id", "on_date"])
        .doUpdateSet({
          total: (eb) => eb.ref("excluded.total"),
          reachable: (eb) => eb.ref("excluded.reachable"),
          source: (eb) => eb.ref("excluded.source"),
        })
        // A computed size never replaces a recorded one.
        .where(
          source === "computed"
            ? sql<boolean>`target_group_sizes.source = 'computed'`
            : sql<boolean>`true`,
        ),
    )
    .execute();
}

/** Use case (of the nightly run): records the size of every live group as of `date`. */
export async function recordGroupSizes(
  app: Pick<App, "db" | "config" | "clock">,
  date: string,
): Promise<number> {
  const groups = await listTargetGroups(app.db.kysely);
  for (const group of groups) {
    const counted = await countTargetGroup(app, group.rule, { asOf: date });
    await storeSizes(
      app.db.kysely,
      group.id,
      [{ date, total: counted.total, reachable: counted.reachable }],
      "recorded",
    );
  }
  return groups.length;
}

/**
 * Fills in the group's sizes of the last `days` days from the history, where its rule allows it;
 * a rule on a score the history does not keep has no computed past (only the nights record it),
 * and that is said. Replaces earlier computed sizes (the rule may have changed).
 */
export async function backfillGroupSizes(
  app: Pick<App, "db" | "config" | "clock">,
  id: number,
  days = 90,
): Promise<{ computed: number; refused: string | null }> {
  const group = await getTargetGroup(app.db.kysely, id);
  const today = todayIn(app.config.schedule.timeZone, app.clock);
  let computed: { date: string; total: number; reachable: number }[];
  try {
    computed = await computeSizes(app.db.kysely, app, group.rule, {
      from: addDays(today, -(days - 1)),
      to: today,
      groupId: id,
    });
  } catch (error) {
    if (error instanceof RuleRefusedError) return { computed: 0, refused: error.message };
    throw error;
  }
  await app.db.kysely
    .deleteFrom("target_group_sizes")
    .where("target_group_id", "=", id)
    .where("source", "=", "computed")
    .execute();
  await storeSizes(app.db.kysely, id, computed, "computed");
  return { computed: computed.length, refused: null };
}
