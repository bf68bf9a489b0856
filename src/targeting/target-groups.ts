/**
 * Saved target groups: a name and a rule, validated before anything is stored; every change
 * writes its audit row in the same transaction. A deleted group keeps its row (campaigns and
 * sizes refer to it) but leaves the lists; a group that a campaign still uses cannot be deleted.
 */
import { sql } from "kysely";
import { z } from "zod";
import type { App } from "../app.ts";
import { type Actor, recordChange } from "../audit/audit.ts";
import type { Db } from "../db/connect.ts";
import { inTransaction, type Trx } from "../db/transaction.ts";
import { InvalidInputError, NightjarError } from "../errors.ts";
import { groupRuleLoader } from "./count.ts";
import { backfillGroupSizes } from "./group-sizes.ts";
import type { Rule } from "./rule.ts";
import { validateRule } from "./validate.ts";

/** No (live) target group has that id. */
export class UnknownTargetGroupError extends NightjarError {
  override name = "UnknownTargetGroupError";
  override readonly kind = "not_found";
}

/** The change contradicts what is stored (a name in use, a group a campaign uses). */
export class TargetGroupConflictError extends NightjarError {
  override name = "TargetGroupConflictError";
  override readonly kind = "conflict";
}

/** A target group as it is given (CLI file, API body). */
export const TargetGroupInput = z.object({
  name: z.string().trim().min(1, "must not be empty").max(200),
  rule: z.unknown(),
  description: z.string().max(2000).nullable().optional(),
});
export type TargetGroupInput = z.infer<typeof TargetGroupInput>;

/** A saved target group. */
export interface TargetGroup {
  id: number;
  name: string;
  description: string | null;
  rule: Rule;
  createdAt: Date;
  updatedAt: Date;
  /** The latest recorded or computed size, if any. */
  lastSize: { date: string; total: number; reachable: number } | null;
}

type GroupRow = {
  id: number;
  name: string;
  description: string | null;
  rule: unknown;
  created_at: Date;
  updated_at: Date;
};

function toGroup(row: GroupRow, size?: TargetGroup["lastSize"]): TargetGroup {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    rule: row.rule as Rule,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    lastSize: size ?? null,
  };
}

/** The ids of the groups a rule refers to with `inTargetGroup`, at any depth. */
export function referencedGroups(rule: unknown): number[] {
  if (Array.isArray(rule)) return rule.flatMap(referencedGroups);
  if (!rule || typeof rule !== "object") return [];
  const node = rule as Record<string, unknown>;
  const own = typeof node.inTargetGroup === "number" ? [node.inTargetGroup] : [];
  return [...own, ...Object.values(node).flatMap(referencedGroups)];
}

/** Validates a group as given; the problems at their paths, or the parsed group. */
async function checkGroup(
  db: Db,
  app: Pick<App, "config">,
  input: unknown,
  selfId?: number,
): Promise<{ name: string; rule: Rule; description: string | null }> {
  const parsed = TargetGroupInput.safeParse(input);
  if (!parsed.success)
    throw new InvalidInputError(
      parsed.error.issues.map((i) => ({ path: i.path.join(".") || "(body)", message: i.message })),
      "the target group",
    );
  const loadRule = groupRuleLoader(db);
  const checked = await validateRule(parsed.data.rule, {
    attributes: app.config.customers.attributes,
    loadGroupRule: loadRule,
    ...(selfId === undefined ? {} : { groupId: selfId }),
  });
  if (!checked.ok) throw new InvalidInputError(checked.problems, "the target group");
  return {
    name: parsed.data.name,
    rule: checked.rule,
    description: parsed.data.description ?? null,
  };
}

async function nameTaken(trx: Trx, name: string, selfId?: number): Promise<void> {
  let query = trx
    .selectFrom("target_groups")
    .select("id")
    .where(sql`lower(name)`, "=", name.toLowerCase())
    .where("deleted_at", "is", null);
  if (selfId !== undefined) query = query.where("id", "<>", selfId);
  if (await query.executeTakeFirst())
    throw new TargetGroupConflictError(`a target group named "${name}" exists already`);
}

/** Live target groups (all, or the one `id` names), by name, with their latest size. */
async function readGroups(db: Db, id?: number): Promise<TargetGroup[]> {
  let query = db
    .selectFrom("target_groups as g")
    .leftJoin(
      (eb) => {
        let sizes = eb
          .selectFrom("target_group_sizes")
          .distinctOn("target_group_id")
          .select(["target_group_id", "on_date", "total", "reachable"]);
        if (id !== undefined) sizes = sizes.where("target_group_id", "=", id);
        return sizes.orderBy("target_group_id").orderBy("on_date", "desc").as("s");
      },
      (join) => join.onRef("s.target_group_id", "=", "g.id"),
    )
    .select([
      "g.id",
      "g.name",
      "g.description",
      "g.rule",
      "g.created_at",
      "g.updated_at",
      "s.on_date",
      "s.total",
      "s.reachable",
    ])
    .where("g.deleted_at", "is", null);
  if (id !== undefined) query = query.where("g.id", "=", id);
  const rows = await query.orderBy(sql`lower(g.name)`).execute();
  return rows.map((row) =>
    toGroup(
      row,
      row.on_date === null || row.total === null || row.reachable === null
        ? null
        : { date: row.on_date, total: row.total, reachable: row.reachable },
    ),
  );
}

/** Every live target group, by name, with its latest size. */
export function listTargetGroups(db: Db): Promise<TargetGroup[]> {
  return readGroups(db);
}

/** One live target group, or an UnknownTargetGroupError. */
export async function getTargetGroup(db: Db, id: number): Promise<TargetGroup> {
  const [group] = await readGroups(db, id);
  if (!group) throw new UnknownTargetGroupError(`no target group #${id}`);
  return group;
}

/** Use case: saves a new target group (refused whole when any part is invalid). */
export async function createTargetGroup(
  app: App,
  actor: Actor,
  input: unknown,
): Promise<TargetGroup> {
  const db = app.db.kysely;
  const group = await checkGroup(db, app, input);
  const now = app.clock.now();
  const id = await inTransaction(db, {}, async (trx) => {
    await nameTaken(trx, group.name);
    const row = await trx
      .insertInto("target_groups")
      .values({
        name: group.name,
        rule: JSON.stringify(group.rule),
        description: group.description,
        created_at: now,
        updated_at: now,
      })
      .returning(["id", "name", "description", "rule", "created_at", "updated_at"])
      .executeTakeFirstOrThrow();
    await recordChange(trx, app.clock, actor, {
      entity: "target_group",
      entityId: row.id,
      action: "create",
      after: toGroup(row),
    });
    return row.id;
  });
  // Its sizes of the last 90 days, from the history (where its rule allows it).
  await backfillGroupSizes(app, id);
  return getTargetGroup(db, id);
}

/** Use case: replaces a group's name, rule and description. */
export async function updateTargetGroup(
  app: App,
  actor: Actor,
  id: number,
  input: unknown,
): Promise<TargetGroup> {
  const db = app.db.kysely;
  const before = await getTargetGroup(db, id);
  const group = await checkGroup(db, app, input, id);
  await inTransaction(db, {}, async (trx) => {
    await nameTaken(trx, group.name, id);
    await trx
      .updateTable("target_groups")
      .set({
        name: group.name,
        rule: JSON.stringify(group.rule),
        description: group.description,
        updated_at: app.clock.now(),
      })
      .where("id", "=", id)
      .execute();
    await recordChange(trx, app.clock, actor, {
      entity: "target_group",
      entityId: id,
      action: "update",
      before,
      after: { ...before, ...group },
    });
  });
  await backfillGroupSizes(app, id);
  return getTargetGroup(db, id);
}

/** Use case: deletes a group no campaign (other than archived ones) uses, nor another group. */
export async function deleteTargetGroup(app: App, actor: Actor, id: number): Promise<void> {
  const db = app.db.kysely;
  const before = await getTargetGroup(db, id);
  await inTransaction(db, {}, async (trx) => {
    const used = await trx
      .selectFrom("campaigns")
      .select(["id", "name"])
      .where("target_group_id", "=", id)
      .where("status", "<>", "archived")
      .execute();
    if (used.length > 0)
      throw new TargetGroupConflictError(
        `target group #${id} is used by ${used.map((c) => `campaign #${c.id} "${c.name}"`).join(", ")}; archive those first`,
      );
    const groups = await trx
      .selectFrom("target_groups")
      .select(["id", "name", "rule"])
      .where("deleted_at", "is", null)
      .where("id", "<>", id)
      .execute();
    const referring = groups.filter((g) => referencedGroups(g.rule).includes(id));
    if (referring.length > 0)
      throw new TargetGroupConflictError(
        `target group #${id} is part of ${referring.map((g) => `target group #${g.id} "${g.name}"`).join(", ")}`,
      );
    await trx
      .updateTable("target_groups")
      .set({ deleted_at: app.clock.now() })
      .where("id", "=", id)
      .execute();
    await recordChange(trx, app.clock, actor, {
      entity: "target_group",
      entityId: id,
      action: "delete",
      before,
    });
  });
}
