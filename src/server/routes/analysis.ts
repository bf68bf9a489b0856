import { z } from "zod";
import type { App } from "../../app.ts";
import { analyzeCampaign } from "../../metrics/analysis.ts";
import type { ZodServer } from "../server.ts";

const Day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "must be a date, YYYY-MM-DD");
const Rate = z.number().nullable();
const Interval = z.tuple([z.number(), z.number()]).nullable();
const Group = z.object({
  customers: z.number().int(),
  responders: z.number().int(),
  revenue: z.number(),
});

const OccurrenceAnalysis = z
  .object({
    campaignId: z.number().int(),
    occurrence: z.string(),
    complete: z.boolean(),
    window: z.object({ from: z.string(), to: z.string() }),
    preperiod: z.object({ from: z.string(), to: z.string() }),
    groups: z.object({ test: Group, control: Group }),
    responseRate: z.object({
      test: Rate,
      control: Rate,
      uplift: Rate,
      relativeUplift: Rate,
      ci95: Interval,
      pValue: Rate,
      probabilityTestBetter: Rate,
    }),
    revenuePerCustomer: z.object({
      test: Rate,
      control: Rate,
      uplift: Rate,
      relativeUplift: Rate,
      ci95: Interval,
      pValue: Rate,
      degreesOfFreedom: Rate,
    }),
    cuped: z.object({
      theta: Rate,
      uplift: Rate,
      ci95: Interval,
      varianceReduction: Rate,
    }),
    incremental: z.object({ responders: Rate, revenue: Rate }),
    minimumDetectableUplift: Rate,
    cumulative: z.array(
      z.object({ day: z.number().int(), date: z.string(), test: Rate, control: Rate }),
    ),
    metrics: z.object({
      occurrenceId: z.number().int(),
      campaignId: z.number().int(),
      localDate: z.string(),
      targeted: z.number().int(),
      control: z.number().int(),
      pushed: z.number().int(),
      count: z.number().int().nullable(),
      sendRate: Rate,
      late: z.number().int(),
      expired: z.number().int(),
      batches: z.number().int(),
      sentBatches: z.number().int(),
      unknown: z.number().int(),
      days: z.array(
        z.object({
          day: z.number().int(),
          date: z.string(),
          count: z.number().int().nullable(),
          sendRate: Rate,
          batchesAnswered: z.number().int(),
        }),
      ),
    }),
    significance: z.enum([
      "significant",
      "not_significant",
      "borderline",
      "not_enough_data",
      "not_measurable",
    ]),
    verdict: z.string(),
  })
  .meta({ id: "OccurrenceAnalysis" });

const CampaignAnalysis = OccurrenceAnalysis.extend({
  campaignName: z.string(),
  timeZone: z.string(),
  occurrences: z.array(OccurrenceAnalysis),
}).meta({ id: "CampaignAnalysis" });

/** A campaign's analysis: test against control, per occurrence, with the send metrics. */
export function registerAnalysisRoutes(server: ZodServer, app: App): void {
  server.get(
    "/api/campaigns/:id/analysis",
    {
      config: { role: "viewer" },
      schema: {
        summary:
          "An occurrence's send metrics per day and its test-against-control analysis (default: the latest occurrence), and every occurrence side by side",
        tags: ["analysis"],
        params: z.object({ id: z.coerce.number().int().positive() }),
        querystring: z.object({ occurrence: Day.optional() }),
        response: { 200: CampaignAnalysis },
      },
    },
    async (request) =>
      analyzeCampaign(app, request.params.id, { occurrence: request.query.occurrence }),
  );
}
