/**
 * Test sends: a campaign's push message pushed now (no SendTime) to the team's own devices
 * (`campaigns.testContacts`). Recorded in `test_sends` like a batch — `sending` written and
 * committed before the call, then `sent` with its tokenId, `failed` or `unknown` — and never in
 * an occurrence, so no analysis and no frequency cap counts it (the send budget does).
 */
import { type App, sfmcClientOfUnit } from "../app.ts";
import { type Actor, recordChange } from "../audit/audit.ts";
import { getCampaign } from "../campaigns/campaigns.ts";
import { inTransaction } from "../db/transaction.ts";
import { NightjarError } from "../errors.ts";
import { sendFailure } from "./send-outcome.ts";

/** The configuration does not allow a test send (no test contacts, no SFMC account for the BU). */
export class TestSendConfigError extends NightjarError {
  override name = "TestSendConfigError";
  override readonly kind = "config";
}

/** One test send. */
export interface TestSend {
  id: number;
  campaignId: number;
  businessUnit: string;
  messageId: string;
  contactKeys: string[];
  state: "sending" | "sent" | "failed" | "unknown";
  tokenId: string | null;
  error: string | null;
  sentBy: string;
  sentAt: string;
}

/** Use case: pushes campaign `campaignId`'s message now to the configured test contacts (audited). */
export async function testSend(app: App, actor: Actor, campaignId: number): Promise<TestSend> {
  const keys = app.config.campaigns.testContacts;
  if (keys.length === 0)
    throw new TestSendConfigError(
      "no test contacts are configured: list the contact keys of your own devices in campaigns.testContacts",
    );
  const campaign = await getCampaign(app, campaignId);
  const client = sfmcClientOfUnit(app, campaign.businessUnit);
  if (!client)
    throw new TestSendConfigError(
      `campaign #${campaign.id}'s business unit ${campaign.businessUnit} is not configured (sfmc.accounts[].businessUnits)`,
    );
  const db = app.db.kysely;
  const sentAt = app.clock.now();
  const id = await inTransaction(db, {}, async (trx) => {
    const row = await trx
      .insertInto("test_sends")
      .values({
        campaign_id: campaign.id,
        business_unit: campaign.businessUnit,
        message_id: campaign.messageId,
        budget_key: client.account.clientId,
        contact_keys: [...keys],
        state: "sending",
        sent_by: actor.label,
        sent_at: sentAt,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    await recordChange(trx, app.clock, actor, {
      entity: "campaign",
      entityId: campaign.id,
      action: "test-send",
      after: { testSendId: row.id, contactKeys: keys, messageId: campaign.messageId },
    });
    return row.id;
  });
  // `sending` is committed: a crash from here on leaves it for the next run to mark unknown.
  let values: { state: TestSend["state"]; token_id: string | null; error: string | null };
  try {
    const tokenId = await client.client.sendToContacts(
      campaign.businessUnit,
      campaign.messageId,
      keys,
    );
    values = { state: "sent", token_id: tokenId, error: null };
  } catch (error) {
    const failure = sendFailure(error);
    values = { state: failure.state, token_id: null, error: failure.error };
  }
  await db.updateTable("test_sends").set(values).where("id", "=", id).execute();
  return {
    id,
    campaignId: campaign.id,
    businessUnit: campaign.businessUnit,
    messageId: campaign.messageId,
    contactKeys: [...keys],
    state: values.state,
    tokenId: values.token_id,
    error: values.error,
    sentBy: actor.label,
    sentAt: sentAt.toISOString(),
  };
}
