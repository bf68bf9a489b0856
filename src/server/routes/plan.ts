import { z } from "zod";
import type { App } from "../../app.ts";
import { listCampaigns } from "../../campaigns/campaigns.ts";
import { occurrencesBetween } from "../../campaigns/occurrences.ts";
import { previewCampaign } from "../../campaigns/preview.ts";
import { planNight } from "../../delivery/plan.ts";
import { InvalidInputError } from "../../errors.ts";
import { daysBetween } from "../../time/zones.ts";
import type { ZodServer } from "../server.ts";

const Day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "must be a date, YYYY-MM-DD");
const Problem = z.object({ path: z.string(), message: z.string() });

const PlannedOccurrence = z.object({
  campaignId: z.number().int(),
  campaignName: z.string(),
  priority: z.number().int(),
  exclusive: z.boolean(),
  businessUnit: z.string(),
  account: z.string().nullable(),
  appId: z.string(),
  messageId: z.string(),
  localDate: z.string(),
  frozen: z.boolean(),
  sendTime: z.object({
    local: z.string(),
    timeZone: z.string(),
    utc: z.string(),
    sfmc: z.string(),
  }),
  targetGroup: z.object({
    id: z.number().int(),
    total: z.number().int(),
    reachable: z.number().int(),
  }),
  afterPriorities: z.number().int(),
  lostToHigherPriority: z.number().int(),
  cappedByFrequency: z.number().int(),
  control: z.number().int(),
  test: z.number().int(),
  batches: z.number().int(),
  firstBatchAt: z.string().nullable(),
  lastBatchAt: z.string().nullable(),
  latenessMinutes: z.number(),
  baselineResponseRate: z.number().nullable(),
  minimumDetectableUplift: z.number().nullable(),
  warnings: z.array(z.string()),
});

const NightPlan = z
  .object({
    date: z.string(),
    window: z.object({ from: z.string(), to: z.string() }),
    occurrences: z.array(PlannedOccurrence),
    overlaps: z.object({
      customersInSeveral: z.number().int(),
      pairs: z.array(
        z.object({
          campaignA: z.number().int(),
          campaignB: z.number().int(),
          customers: z.number().int(),
        }),
      ),
    }),
    timeline: z
      .array(
        z.object({
          accounts: z.array(z.string()).describe("the configured accounts of one client id"),
          budget: z.object({
            limit: z.number().int().describe("recipients per window, after the reserve"),
            windowMinutes: z.number().int(),
            text: z.string(),
          }),
          windows: z.array(
            z.object({
              from: z.string(),
              recipients: z.number().int(),
              batches: z.number().int(),
            }),
          ),
        }),
      )
      .describe("per SFMC account, the night's recipients in each window of its send budget"),
    warnings: z.array(z.string()),
  })
  .meta({ id: "NightPlan" });

/** The nightly plan, the calendar of occurrences and the campaign builder's preview. */
export function registerPlanRoutes(server: ZodServer, app: App): void {
  const tags = ["plan"];
  server.get(
    "/api/plan",
    {
      config: { role: "viewer" },
      schema: {
        summary: "What the nightly run of a date will send, to whom (counts) and when",
        tags,
        querystring: z.object({ date: Day.optional() }),
        response: { 200: NightPlan },
      },
    },
    async (request) => planNight(app, { date: request.query.date }),
  );
  server.get(
    "/api/occurrences",
    {
      config: { role: "viewer" },
      schema: {
        summary:
          "The calendar: every occurrence of the scheduled campaigns handed over by the runs from..to",
        tags,
        querystring: z.object({ from: Day, to: Day }),
        response: {
          200: z.array(
            z.object({
              campaignId: z.number().int(),
              campaignName: z.string(),
              runDate: z.string(),
              localDate: z.string(),
              sendAt: z.string(),
            }),
          ),
        },
      },
    },
    async (request) => {
      const { from, to } = request.query;
      const span = daysBetween(from, to);
      if (span < 0 || span > 400)
        throw new InvalidInputError(
          [{ path: "query.to", message: "must be on or after from, and at most 400 days later" }],
          "the calendar",
        );
      const campaigns = await listCampaigns(app, { status: "scheduled" });
      const nightly = {
        nightlyAt: app.config.schedule.nightlyAt,
        timeZone: app.config.schedule.timeZone,
      };
      return occurrencesBetween(campaigns, from, to, nightly).map((o) => ({
        campaignId: o.campaign.id,
        campaignName: o.campaign.name,
        runDate: o.runDate,
        localDate: o.localDate,
        sendAt: o.sendAt.toISOString(),
      }));
    },
  );
  server.post(
    "/api/campaigns/preview",
    {
      config: { role: "viewer" },
      schema: {
        summary:
          "An unsaved campaign's problems, next occurrence, sizes, batches, execution schedule and warnings",
        tags: ["campaigns"],
        body: z.unknown(),
        querystring: z.object({ campaignId: z.coerce.number().int().positive().optional() }),
        response: {
          200: z.object({
            valid: z.boolean(),
            problems: z.array(Problem),
            warnings: z.array(z.string()),
            nextOccurrence: z
              .object({ date: z.string(), sendAt: z.string(), sfmcSendTime: z.string() })
              .nullable(),
            targetGroup: z
              .object({ total: z.number().int(), reachable: z.number().int() })
              .nullable(),
            test: z.number().int(),
            control: z.number().int(),
            batches: z.number().int(),
            firstBatchAt: z.string().nullable(),
            lastBatchAt: z.string().nullable(),
            latenessMinutes: z.number(),
            baselineResponseRate: z.number().nullable(),
            minimumDetectableUplift: z.number().nullable(),
          }),
        },
      },
    },
    async (request) => previewCampaign(app, request.body, request.query.campaignId),
  );
}
