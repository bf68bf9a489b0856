import { z } from "zod";
import type { App } from "../../app.ts";
import { userActor } from "../../audit/audit.ts";
import { CAMPAIGN_STATUSES, CampaignInput } from "../../campaigns/campaign-input.ts";
import {
  createCampaign,
  deleteDraftCampaign,
  duplicateCampaign,
  getCampaign,
  listCampaigns,
  type Campaign as StoredCampaign,
  updateCampaign,
} from "../../campaigns/campaigns.ts";
import { Schedule } from "../../campaigns/schedule.ts";
import { changeCampaignStatusNoting } from "../../delivery/campaign-status.ts";
import { testSend } from "../../delivery/test-send.ts";
import { principalOf } from "../auth.ts";
import type { ZodServer } from "../server.ts";

export const Campaign = z
  .object({
    id: z.number().int(),
    name: z.string(),
    targetGroupId: z.number().int(),
    channel: z.literal("sfmc_mobilepush"),
    businessUnit: z.string(),
    appId: z.string(),
    messageId: z.string(),
    schedule: Schedule,
    sendTime: z.string(),
    timeZone: z.string(),
    controlGroupPercent: z.number(),
    priority: z.number().int(),
    exclusive: z.boolean(),
    measurementDays: z.number().int(),
    status: z.enum(CAMPAIGN_STATUSES),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
    nextOccurrence: z.object({ date: z.string(), sendAt: z.iso.datetime() }).nullable(),
  })
  .meta({ id: "Campaign" });

const Saved = Campaign.extend({ warnings: z.array(z.string()) });
const Id = z.object({ id: z.coerce.number().int().positive() });

/** A campaign as the API answers it. */
export function campaignBody(c: StoredCampaign): z.infer<typeof Campaign> {
  return {
    ...c,
    createdAt: c.createdAt.toISOString(),
    updatedAt: c.updatedAt.toISOString(),
    nextOccurrence: c.nextOccurrence
      ? { date: c.nextOccurrence.date, sendAt: c.nextOccurrence.sendAt.toISOString() }
      : null,
  };
}

/** Campaigns: viewers read, marketers change. */
export function registerCampaignRoutes(server: ZodServer, app: App): void {
  const tags = ["campaigns"];
  const viewer = { role: "viewer" as const };
  const marketer = { role: "marketer" as const };
  server.get(
    "/api/campaigns",
    {
      config: viewer,
      schema: {
        summary: "The campaigns (not archived ones unless asked), by priority",
        tags,
        querystring: z.object({
          status: z.enum(CAMPAIGN_STATUSES).optional(),
          archived: z.enum(["true", "false"]).optional(),
        }),
        response: { 200: z.array(Campaign) },
      },
    },
    async (request) =>
      (
        await listCampaigns(app, {
          status: request.query.status,
          archived: request.query.archived === "true",
        })
      ).map(campaignBody),
  );
  server.get(
    "/api/campaigns/:id",
    {
      config: viewer,
      schema: { summary: "One campaign", tags, params: Id, response: { 200: Campaign } },
    },
    async (request) => campaignBody(await getCampaign(app, request.params.id)),
  );
  server.post(
    "/api/campaigns",
    {
      config: marketer,
      schema: {
        summary: "Save a campaign (scheduled, or a draft)",
        tags,
        body: CampaignInput,
        response: { 201: Saved },
      },
    },
    async (request, reply) => {
      const saved = await createCampaign(app, userActor(principalOf(request)), request.body);
      return reply.code(201).send({ ...campaignBody(saved.campaign), warnings: saved.warnings });
    },
  );
  server.put(
    "/api/campaigns/:id",
    {
      config: marketer,
      schema: {
        summary: "Replace a campaign's settings (later occurrences only)",
        tags,
        params: Id,
        body: CampaignInput.omit({ status: true }),
        response: { 200: Saved },
      },
    },
    async (request) => {
      const saved = await updateCampaign(
        app,
        userActor(principalOf(request)),
        request.params.id,
        request.body,
      );
      return { ...campaignBody(saved.campaign), warnings: saved.warnings };
    },
  );
  for (const action of ["pause", "resume", "archive"] as const)
    server.post(
      `/api/campaigns/:id/${action}`,
      {
        config: marketer,
        schema: {
          summary: {
            pause:
              "Pause a scheduled campaign (batches already handed over to SFMC still go out: its warnings say so)",
            resume: "Schedule a paused or draft campaign",
            archive: "Archive a campaign (batches already handed over to SFMC still go out)",
          }[action],
          tags,
          params: Id,
          response: { 200: Saved },
        },
      },
      async (request) => {
        const { campaign, warnings } = await changeCampaignStatusNoting(
          app,
          userActor(principalOf(request)),
          request.params.id,
          action,
        );
        return { ...campaignBody(campaign), warnings };
      },
    );
  server.post(
    "/api/campaigns/:id/test-send",
    {
      config: marketer,
      schema: {
        summary:
          "Push the campaign's message now to the test contacts (campaigns.testContacts); not counted in any analysis or the frequency cap",
        tags,
        params: Id,
        response: {
          200: z.object({
            id: z.number().int(),
            campaignId: z.number().int(),
            businessUnit: z.string(),
            messageId: z.string(),
            contactKeys: z.array(z.string()),
            state: z.enum(["sending", "sent", "failed", "unknown"]),
            tokenId: z.string().nullable(),
            error: z.string().nullable(),
            sentBy: z.string(),
            sentAt: z.string(),
          }),
        },
      },
    },
    async (request) => testSend(app, userActor(principalOf(request)), request.params.id),
  );
  server.delete(
    "/api/campaigns/:id",
    {
      config: marketer,
      schema: { summary: "Delete a draft campaign (others are archived)", tags, params: Id },
    },
    async (request, reply) => {
      await deleteDraftCampaign(app, userActor(principalOf(request)), request.params.id);
      return reply.code(204).send();
    },
  );
  server.post(
    "/api/campaigns/:id/duplicate",
    {
      config: marketer,
      schema: {
        summary: "A draft copy of a campaign",
        tags,
        params: Id,
        response: { 201: Campaign },
      },
    },
    async (request, reply) =>
      reply
        .code(201)
        .send(
          campaignBody(
            await duplicateCampaign(app, userActor(principalOf(request)), request.params.id),
          ),
        ),
  );
}
