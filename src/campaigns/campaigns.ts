/**
 * Campaigns: stored, checked and changed as use cases, each change with its audit row in the
 * same transaction. A campaign sends one push message of one app of one business unit to the
 * reachable members of a target group, on a schedule, at a local send time.
 */
import { sql } from "kysely";
import type { App } from "../app.ts";
import { type Actor, recordChange } from "../audit/audit.ts";
import type { Db } from "../db/connect.ts";
import type { Database } from "../db/tables.ts";
import { inTransaction } from "../db/transaction.ts";
import { InvalidInputError, NightjarError } from "../errors.ts";
import {
  type CampaignInput,
  type CampaignStatus,
  checkCampaign,
  parseCampaignInput,
} from "./campaign-input.ts";
import { nextSendAfter } from "./next-send.ts";
import { nextOccurrenceDate, type Schedule, sendInstant } from "./schedule.ts";

/** No campaign has that id. */
export class UnknownCampaignError extends NightjarError {
  override name = "UnknownCampaignError";
  override readonly kind = "not_found";
}

/** The change is not possible in the campaign's state. */
export class CampaignStateError extends NightjarError {
  override name = "CampaignStateError";
  override readonly kind = "conflict";
}

/** A stored campaign, as the API and the CLI show it. */
export interface Campaign {
  id: number;
  name: string;
  targetGroupId: number;
  channel: "sfmc_mobilepush";
  businessUnit: string;
  appId: string;
  messageId: string;
  schedule: Schedule;
  sendTime: string;
  timeZone: string;
  controlGroupPercent: number;
  priority: number;
  exclusive: boolean;
  measurementDays: number;
  status: CampaignStatus;
  createdAt: Date;
  updatedAt: Date;
  /** The next occurrence from today on (in the campaign's zone), while it is scheduled. */
  nextOccurrence: { date: string; sendAt: Date } | null;
}

type Row = Database["campaigns"] & {
  id: number;
  channel: "sfmc_mobilepush";
  exclusive: boolean;
  measurement_days: number;
};

function toCampaign(row: Row, now: Date): Campaign {
  const schedule = row.schedule as Schedule;
  const campaign: Campaign = {
    id: row.id,
    name: row.name,
    targetGroupId: row.target_group_id,
    channel: row.channel,
    businessUnit: row.business_unit,
    appId: row.app_id,
    messageId: row.message_id,
    schedule,
    sendTime: row.send_time,
    timeZone: row.time_zone,
    controlGroupPercent: Number(row.control_percent),
    priority: row.priority,
    exclusive: row.exclusive,
    measurementDays: row.measurement_days,
    status: row.status,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    nextOccurrence: null,
  };
  if (row.status === "scheduled" || row.status === "draft")
    campaign.nextOccurrence = nextSendAfter(schedule, row.send_time, row.time_zone, now);
  return campaign;
}

function rowValues(campaign: CampaignInput) {
  return {
    name: campaign.name,
    target_group_id: campaign.targetGroupId,
    channel: campaign.channel,
    business_unit: campaign.businessUnit,
    app_id: campaign.appId,
    message_id: campaign.messageId,
    schedule: JSON.stringify(campaign.schedule),
    send_time: campaign.sendTime,
    time_zone: campaign.timeZone,
    control_percent: String(campaign.controlGroupPercent),
    priority: campaign.priority,
    exclusive: campaign.exclusive,
    measurement_days: campaign.measurementDays,
  };
}

/** Which campaigns to list. */
export interface CampaignFilter {
  status?: CampaignStatus | undefined;
  /** Archived campaigns too (Default: false, unless `status` asks for them). */
  archived?: boolean | undefined;
}

/** The campaigns, by priority then id. */
export async function listCampaigns(
  app: Pick<App, "db" | "clock">,
  filter: CampaignFilter = {},
): Promise<Campaign[]> {
  let query = app.db.kysely.selectFrom("campaigns").selectAll();
  if (filter.status) query = query.where("status", "=", filter.status);
  else if (!filter.archived) query = query.where("status", "<>", "archived");
  const rows = await query.orderBy("priority").orderBy("id").execute();
  const now = app.clock.now();
  return rows.map((row) => toCampaign(row as Row, now));
}

async function readCampaign(db: Db, id: number, now: Date): Promise<Campaign> {
  const row = await db.selectFrom("campaigns").selectAll().where("id", "=", id).executeTakeFirst();
  if (!row) throw new UnknownCampaignError(`no campaign #${id}`);
  return toCampaign(row as Row, now);
}

/** One campaign, or an UnknownCampaignError. */
export function getCampaign(app: Pick<App, "db" | "clock">, id: number): Promise<Campaign> {
  return readCampaign(app.db.kysely, id, app.clock.now());
}

/** A saved campaign and what its checks warn about. */
export interface SavedCampaign {
  campaign: Campaign;
  warnings: string[];
}

async function checked(app: App, input: unknown, selfId?: number) {
  const parsed = parseCampaignInput(input);
  if (!parsed.ok) throw new InvalidInputError(parsed.problems, "the campaign");
  const check = await checkCampaign(app.db.kysely, app, parsed.campaign, selfId);
  if (check.problems.length > 0) throw new InvalidInputError(check.problems, "the campaign");
  return { campaign: parsed.campaign, warnings: check.warnings };
}

/** Use case: saves a new campaign (scheduled, or draft when it says so). */
export async function createCampaign(
  app: App,
  actor: Actor,
  input: unknown,
): Promise<SavedCampaign> {
  const { campaign, warnings } = await checked(app, input);
  const now = app.clock.now();
  const id = await inTransaction(app.db.kysely, {}, async (trx) => {
    const row = await trx
      .insertInto("campaigns")
      .values({ ...rowValues(campaign), status: campaign.status, created_at: now, updated_at: now })
      .returning("id")
      .executeTakeFirstOrThrow();
    await recordChange(trx, app.clock, actor, {
      entity: "campaign",
      entityId: row.id,
      action: "create",
      after: await readCampaign(trx, row.id, now),
    });
    return row.id;
  });
  return { campaign: await getCampaign(app, id), warnings };
}

/**
 * Use case: replaces a campaign's settings (its status changes only through pause, resume and
 * archive). Only later occurrences see the change; the control share cannot change once the
 * first occurrence's send time has passed (duplicate the campaign instead).
 */
export async function updateCampaign(
  app: App,
  actor: Actor,
  id: number,
  input: unknown,
): Promise<SavedCampaign> {
  const before = await getCampaign(app, id);
  if (before.status === "archived" || before.status === "completed")
    throw new CampaignStateError(`campaign #${id} is ${before.status}; duplicate it to send again`);
  const { campaign, warnings } = await checked(
    app,
    { ...(input as object), status: before.status === "draft" ? "draft" : "scheduled" },
    id,
  );
  if (
    campaign.controlGroupPercent !== before.controlGroupPercent &&
    (await hasStarted(app, before))
  )
    throw new InvalidInputError(
      [
        {
          path: "controlGroupPercent",
          message: `cannot change after the campaign's first occurrence (${before.controlGroupPercent}%); duplicate the campaign instead`,
        },
      ],
      "the campaign",
    );
  await inTransaction(app.db.kysely, {}, async (trx) => {
    await trx
      .updateTable("campaigns")
      .set({ ...rowValues(campaign), updated_at: app.clock.now() })
      .where("id", "=", id)
      .execute();
    await recordChange(trx, app.clock, actor, {
      entity: "campaign",
      entityId: id,
      action: "update",
      before,
      after: await readCampaign(trx, id, app.clock.now()),
    });
  });
  return { campaign: await getCampaign(app, id), warnings };
}

/** Whether the campaign's first occurrence's send time has passed. */
async function hasStarted(app: Pick<App, "clock">, campaign: Campaign): Promise<boolean> {
  const start =
    campaign.schedule.type === "once" ? campaign.schedule.date : campaign.schedule.start;
  const first = nextOccurrenceDate(campaign.schedule, start);
  return (
    first !== null && sendInstant(first, campaign.sendTime, campaign.timeZone) <= app.clock.now()
  );
}

const TRANSITIONS: Record<
  "pause" | "resume" | "archive",
  { from: CampaignStatus[]; to: CampaignStatus }
> = {
  pause: { from: ["scheduled"], to: "paused" },
  resume: { from: ["paused", "draft"], to: "scheduled" },
  archive: { from: ["draft", "scheduled", "paused", "completed"], to: "archived" },
};

/** Use case: pauses, resumes (or schedules a draft) or archives a campaign. */
export async function changeCampaignStatus(
  app: App,
  actor: Actor,
  id: number,
  action: keyof typeof TRANSITIONS,
): Promise<Campaign> {
  const { from, to } = TRANSITIONS[action];
  await inTransaction(app.db.kysely, {}, async (trx) => {
    const before = await readCampaign(trx, id, app.clock.now());
    if (!from.includes(before.status))
      throw new CampaignStateError(
        `campaign #${id} is ${before.status}: it cannot be ${action === "pause" ? "paused" : action === "resume" ? "resumed" : "archived"}`,
      );
    await trx
      .updateTable("campaigns")
      .set({ status: to, updated_at: app.clock.now() })
      .where("id", "=", id)
      .execute();
    await recordChange(trx, app.clock, actor, {
      entity: "campaign",
      entityId: id,
      action,
      before: { status: before.status },
      after: { status: to },
    });
  });
  return getCampaign(app, id);
}

/** Use case: a draft copy of a campaign (e.g. to change its control share), named "… (copy)". */
export async function duplicateCampaign(app: App, actor: Actor, id: number): Promise<Campaign> {
  const source = await getCampaign(app, id);
  const taken = new Set(
    (
      await app.db.kysely
        .selectFrom("campaigns")
        .select(sql<string>`lower(name)`.as("name"))
        .where("status", "<>", "archived")
        .execute()
    ).map((r) => r.name),
  );
  let name = `${source.name} (copy)`;
  for (let n = 2; taken.has(name.toLowerCase()); n++) name = `${source.name} (copy ${n})`;
  const now = app.clock.now();
  const newId = await inTransaction(app.db.kysely, {}, async (trx) => {
    const row = await trx
      .insertInto("campaigns")
      .values({
        ...rowValues({ ...source, name, status: "draft" }),
        status: "draft",
        created_at: now,
        updated_at: now,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    await recordChange(trx, app.clock, actor, {
      entity: "campaign",
      entityId: row.id,
      action: "duplicate",
      after: { from: id, name },
    });
    return row.id;
  });
  return getCampaign(app, newId);
}

/** Use case: deletes a draft (a campaign that was never scheduled); others are archived instead. */
export async function deleteDraftCampaign(app: App, actor: Actor, id: number): Promise<void> {
  await inTransaction(app.db.kysely, {}, async (trx) => {
    const before = await readCampaign(trx, id, app.clock.now());
    if (before.status !== "draft")
      throw new CampaignStateError(
        `campaign #${id} is ${before.status}: only a draft can be deleted; archive it instead`,
      );
    await trx.deleteFrom("campaigns").where("id", "=", id).execute();
    await recordChange(trx, app.clock, actor, {
      entity: "campaign",
      entityId: id,
      action: "delete",
      before,
    });
  });
}
