/**
 * Pausing or archiving a campaign stops only the batches not yet handed over: SFMC offers no way
 * to cancel a scheduled send, so batches handed over with a SendTime still ahead go out anyway.
 * The change says so.
 */
import type { App } from "../app.ts";
import type { Actor } from "../audit/audit.ts";
import { type Campaign, changeCampaignStatus } from "../campaigns/campaigns.ts";

/** Use case: pauses, resumes or archives a campaign; answers it with what will still go out. */
export async function changeCampaignStatusNoting(
  app: App,
  actor: Actor,
  id: number,
  action: "pause" | "resume" | "archive",
): Promise<{ campaign: Campaign; warnings: string[] }> {
  const campaign = await changeCampaignStatus(app, actor, id, action);
  if (action === "resume") return { campaign, warnings: [] };
  const ahead = await app.db.kysely
    .selectFrom("send_batches as b")
    .innerJoin("campaign_occurrences as o", "o.id", "b.occurrence_id")
    .select([
      (eb) => eb.fn.countAll<number>().as("batches"),
      (eb) => eb.fn.sum<number>("b.size").as("recipients"),
      (eb) => eb.fn.max("b.send_at").as("last"),
    ])
    .where("o.campaign_id", "=", id)
    // `unknown`: SFMC may have it scheduled as well.
    .where("b.state", "in", ["sending", "sent", "unknown"])
    .where("b.send_at", ">", app.clock.now())
    .executeTakeFirst();
  const batches = Number(ahead?.batches ?? 0);
  if (batches === 0 || !ahead?.last) return { campaign, warnings: [] };
  const recipients = Number(ahead.recipients ?? 0);
  return {
    campaign,
    warnings: [
      `${batches} batch${batches === 1 ? " was" : "es were"} (${recipients} recipients) already handed over to SFMC with a SendTime still ahead (the last at ${new Date(ahead.last).toISOString()}): SFMC cannot cancel a scheduled send, so ${batches === 1 ? "it goes" : "they go"} out anyway. Only batches not yet handed over are stopped.`,
    ],
  };
}
