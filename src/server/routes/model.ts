import { z } from "zod";
import type { App } from "../../app.ts";
import { STAGES } from "../../model/run/stages.ts";
import { stagesOverTime } from "../../model/stages-over-time.ts";
import type { ZodServer } from "../server.ts";

const StageId = z.enum(STAGES);

const StagesOverTime = z
  .object({
    stages: z.array(z.object({ stage: StageId, label: z.string() })),
    runs: z
      .array(
        z.object({
          date: z.string(),
          customers: z.number().int(),
          stages: z.record(StageId, z.number().int()),
        }),
      )
      .describe("per model run date, oldest first, the customers in each stage"),
    movements: z
      .object({
        since: z.string(),
        until: z.string(),
        moves: z.array(
          z.object({
            from: StageId,
            fromLabel: z.string(),
            to: StageId,
            toLabel: z.string(),
            customers: z.number().int(),
          }),
        ),
      })
      .nullable()
      .describe("stage movements of the 7 days up to the latest run; null before the first run"),
  })
  .meta({ id: "StagesOverTime" });

/** The customer model for the Overview page. */
export function registerModelRoutes(server: ZodServer, app: App): void {
  server.get(
    "/api/model/stages",
    {
      config: { role: "viewer" },
      schema: {
        summary:
          "The customer base by lifecycle stage per model run date over the days up to the latest run, and the last 7 days' stage movements",
        tags: ["model"],
        querystring: z.object({
          days: z.coerce.number().int().min(1).max(3660).default(90),
        }),
        response: { 200: StagesOverTime },
      },
    },
    async (request) => stagesOverTime(app, { days: request.query.days }),
  );
}
