/**
 * A campaign as the marketer gives it (CLI file, API body), and the checks against the config,
 * the synced messages and the stored groups and campaigns. Every problem is reported at its JSON
 * path, all at once; a refused campaign changes nothing.
 */
import { sql } from "kysely";
import { z } from "zod";
import type { App } from "../app.ts";
import type { Db } from "../db/connect.ts";
import type { InputProblem } from "../errors.ts";
import { isTimeZone } from "../time/zones.ts";
import { nextOccurrenceDate, Schedule, sendInstant } from "./schedule.ts";

/** Campaign statuses: only `scheduled` campaigns are due. */
export const CAMPAIGN_STATUSES = ["draft", "scheduled", "paused", "completed", "archived"] as const;
export type CampaignStatus = (typeof CAMPAIGN_STATUSES)[number];

/** A campaign as it is given. */
export const CampaignInput = z.object({
  name: z.string().trim().min(1, "must not be empty").max(200),
  targetGroupId: z.coerce.number().int().positive(),
  channel: z.literal("sfmc_mobilepush").default("sfmc_mobilepush"),
  businessUnit: z.string().min(1).describe("the business unit's MID"),
  appId: z.string().min(1),
  messageId: z.string().min(1),
  schedule: Schedule,
  sendTime: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "must be a time of day, HH:MM (24-hour)"),
  timeZone: z.string().min(1).describe("IANA time zone of the schedule's dates and the send time"),
  controlGroupPercent: z
    .number()
    .min(0, "must be between 0 and 90")
    .max(90, "must be between 0 and 90")
    .default(10),
  priority: z.number().int().min(1, "1 is the highest priority").default(1),
  exclusive: z.boolean().default(true),
  measurementDays: z.number().int().min(1).max(90).default(7),
  status: z.enum(["draft", "scheduled"]).default("scheduled"),
});
export type CampaignInput = z.infer<typeof CampaignInput>;

/** Parses a campaign as given; the zod problems at their paths, or the campaign. */
export function parseCampaignInput(
  input: unknown,
): { ok: true; campaign: CampaignInput } | { ok: false; problems: InputProblem[] } {
  const parsed = CampaignInput.safeParse(input);
  if (parsed.success) return { ok: true, campaign: parsed.data };
  return {
    ok: false,
    problems: parsed.error.issues.map((issue) => ({
      path: issue.path.map(String).join(".") || "(body)",
      message: issue.message,
    })),
  };
}

/** What the checks found: problems refuse the campaign, warnings do not. */
export interface CampaignCheck {
  problems: InputProblem[];
  warnings: string[];
}

/**
 * Checks a parsed campaign against the config (business unit, app of that unit), the synced
 * messages, the time zone and schedule, the target group and the other campaigns' names.
 * `selfId` is the campaign being updated.
 */
export async function checkCampaign(
  db: Db,
  app: Pick<App, "config" | "clock">,
  campaign: CampaignInput,
  selfId?: number,
): Promise<CampaignCheck> {
  const problems: InputProblem[] = [];
  const warnings: string[] = [];
  const { config } = app;
  const mids = config.sfmc.accounts.flatMap((a) => a.businessUnits.map((bu) => bu.mid));
  if (!mids.includes(campaign.businessUnit))
    problems.push({
      path: "businessUnit",
      message: `"${campaign.businessUnit}" is not a configured business unit (sfmc.accounts[].businessUnits[].mid)`,
    });
  const pushApp = config.sfmc.apps.find((a) => a.id === campaign.appId);
  if (!pushApp)
    problems.push({
      path: "appId",
      message: `"${campaign.appId}" is not a configured app (sfmc.apps)`,
    });
  else if (pushApp.businessUnit !== campaign.businessUnit)
    problems.push({
      path: "appId",
      message: `app "${pushApp.name}" belongs to business unit ${pushApp.businessUnit}, not ${campaign.businessUnit}`,
    });
  const message = await db
    .selectFrom("sfmc_messages")
    .select(["name", "app_id", "status"])
    .where("business_unit", "=", campaign.businessUnit)
    .where("message_id", "=", campaign.messageId)
    .executeTakeFirst();
  if (!message)
    problems.push({
      path: "messageId",
      message: `no synced push message ${campaign.messageId} in business unit ${campaign.businessUnit} (run \`nightjar sfmc sync\`)`,
    });
  else if (message.status !== "active")
    problems.push({
      path: "messageId",
      message: `push message "${message.name}" is ${message.status === "removed" ? "removed from SFMC (or no longer qualifies)" : "inactive in SFMC"}`,
    });
  else if (pushApp && message.app_id !== campaign.appId)
    problems.push({
      path: "messageId",
      message: `push message "${message.name}" is a message of app ${message.app_id}, not of ${campaign.appId}`,
    });
  const zoneKnown = isTimeZone(campaign.timeZone);
  if (!zoneKnown)
    problems.push({
      path: "timeZone",
      message: `"${campaign.timeZone}" is not a known IANA time zone`,
    });
  if (zoneKnown) {
    const today = app.clock.now();
    if (campaign.schedule.type === "once") {
      const at = sendInstant(campaign.schedule.date, campaign.sendTime, campaign.timeZone);
      if (at.getTime() <= today.getTime())
        problems.push({
          path: "schedule.date",
          message: `${campaign.schedule.date} ${campaign.sendTime} (${campaign.timeZone}) is already past`,
        });
    } else if (campaign.schedule.end !== undefined) {
      const last = sendInstant(campaign.schedule.end, campaign.sendTime, campaign.timeZone);
      if (last.getTime() <= today.getTime())
        problems.push({
          path: "schedule.end",
          message: `${campaign.schedule.end} is already past`,
        });
    }
  }
  const group = await db
    .selectFrom("target_groups")
    .select("id")
    .where("id", "=", campaign.targetGroupId)
    .where("deleted_at", "is", null)
    .executeTakeFirst();
  if (!group)
    problems.push({ path: "targetGroupId", message: `no target group #${campaign.targetGroupId}` });
  let named = db
    .selectFrom("campaigns")
    .select("id")
    .where(sql`lower(name)`, "=", campaign.name.toLowerCase())
    .where("status", "<>", "archived");
  if (selfId !== undefined) named = named.where("id", "<>", selfId);
  const other = await named.executeTakeFirst();
  if (other)
    problems.push({
      path: "name",
      message: `campaign #${other.id} is already named "${campaign.name}" (archive it, or choose another name)`,
    });
  if (campaign.controlGroupPercent === 0)
    warnings.push(
      "no control group (controlGroupPercent 0): the campaign's effect cannot be measured",
    );
  if (zoneKnown && problems.length === 0) {
    const next = nextOccurrenceDate(
      campaign.schedule,
      campaign.schedule.type === "once" ? campaign.schedule.date : campaign.schedule.start,
    );
    if (next === null) warnings.push("the schedule has no occurrence");
  }
  return { problems, warnings };
}
