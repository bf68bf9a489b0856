import { z } from "zod";
import type { App } from "../../app.ts";
import { userActor } from "../../audit/audit.ts";
import { BATCH_STATES, listBatches, resolveBatch } from "../../delivery/batches.ts";
import { nightReport } from "../../delivery/night-report.ts";
import { type BackgroundRuns, listRuns } from "../../delivery/runs.ts";
import { principalOf } from "../auth.ts";
import type { ZodServer } from "../server.ts";

const Day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "must be a date, YYYY-MM-DD");
const Id = z.object({ id: z.coerce.number().int().positive() });

const RunSummary = z
  .object({
    id: z.number().int(),
    date: z.string(),
    status: z.enum(["running", "completed", "failed"]),
    trigger: z.enum(["cli", "schedule", "api"]),
    startedBy: z.string(),
    startedAt: z.string(),
    finishedAt: z.string().nullable(),
    error: z.string().nullable(),
  })
  .meta({ id: "RunSummary" });

const NightReport = z
  .object({
    runId: z.number().int(),
    date: z.string(),
    status: z.enum(["running", "completed", "failed"]),
    trigger: z.string(),
    startedBy: z.string(),
    startedAt: z.string(),
    finishedAt: z.string().nullable(),
    error: z.string().nullable(),
    steps: z.array(
      z.object({
        step: z.string(),
        status: z.string(),
        startedAt: z.string(),
        finishedAt: z.string().nullable(),
        counts: z.record(z.string(), z.unknown()),
        note: z.string().nullable(),
        error: z.string().nullable(),
      }),
    ),
    campaigns: z.array(
      z.object({
        id: z.number().int(),
        name: z.string(),
        occurrenceId: z.number().int(),
        localDate: z.string(),
        state: z.string(),
        recipients: z.number().int(),
        control: z.number().int(),
        batches: z.number().int(),
        sent: z.number().int(),
        failed: z.number().int(),
        unknownBatches: z.number().int(),
        expired: z.number().int(),
        abandoned: z.number().int(),
        planned: z.number().int(),
        late: z.number().int(),
        firstSendTime: z.string().nullable(),
        lastSendTime: z.string().nullable(),
      }),
    ),
    accounts: z.array(
      z.object({
        account: z.string(),
        batches: z.number().int(),
        batchesDone: z.number().int(),
        recipients: z.number().int(),
        recipientsDone: z.number().int(),
      }),
    ),
    unknownBatches: z.number().int(),
  })
  .meta({ id: "NightReport" });

const Batch = z
  .object({
    id: z.number().int(),
    campaignId: z.number().int(),
    campaignName: z.string(),
    occurrenceId: z.number().int(),
    localDate: z.string(),
    runDate: z.string(),
    seq: z.number().int(),
    size: z.number().int(),
    state: z.enum(BATCH_STATES),
    sendAt: z.string(),
    lateMinutes: z.number().int(),
    handedAt: z.string().nullable(),
    tokenId: z.string().nullable(),
    error: z.string().nullable(),
    resendOf: z.number().int().nullable(),
    resolvedBy: z.string().nullable(),
    resolvedAt: z.string().nullable(),
    contactKeys: z.array(z.string()).nullable(),
  })
  .meta({ id: "SendBatch" });

/** Nightly runs and send batches: viewers read, admins start runs and resolve unknown batches. */
export function registerRunRoutes(server: ZodServer, app: App, runs: BackgroundRuns): void {
  const tags = ["runs"];
  server.get(
    "/api/runs",
    {
      config: { role: "viewer" },
      schema: {
        summary: "The nightly runs, newest first",
        tags,
        response: { 200: z.array(RunSummary) },
      },
    },
    async () => listRuns(app),
  );
  server.get(
    "/api/runs/:id",
    {
      config: { role: "viewer" },
      schema: {
        summary:
          "What a nightly run did: its steps, and its occurrences with their batches by state",
        tags,
        params: Id,
        response: { 200: NightReport },
      },
    },
    async (request) => nightReport(app, request.params.id),
  );
  server.post(
    "/api/runs",
    {
      config: { role: "admin" },
      schema: {
        summary:
          "Start the nightly run of a date (Default: today in schedule.timeZone); answers once it is under way, 409 while another run holds the lock",
        tags,
        body: z.object({ date: Day.optional() }).optional(),
        response: {
          202: z.object({ runId: z.number().int(), date: z.string(), resumed: z.boolean() }),
        },
      },
    },
    async (request, reply) => {
      const started = await runs.start({
        date: request.body?.date,
        trigger: "api",
        actor: userActor(principalOf(request)),
        command: "nightjar serve (POST /api/runs)",
      });
      return reply
        .code(202)
        .send({ runId: started.runId, date: started.date, resumed: started.resumed });
    },
  );
  server.get(
    "/api/batches",
    {
      config: { role: "viewer" },
      schema: {
        summary:
          "The send batches, newest first (at most 1000); unknown ones with their contact keys",
        tags,
        querystring: z.object({ state: z.enum(BATCH_STATES).optional(), date: Day.optional() }),
        response: { 200: z.array(Batch) },
      },
    },
    async (request) => listBatches(app, request.query),
  );
  server.post(
    "/api/batches/:id/resolve",
    {
      config: { role: "admin" },
      schema: {
        summary:
          "Resolve an unknown batch once SFMC was checked: sent (optionally with its tokenId), re-send (a new batch the next run hands over) or abandon",
        tags,
        params: Id,
        body: z
          .object({
            action: z.enum(["sent", "resend", "abandon"]),
            tokenId: z.string().min(1).optional(),
          })
          .refine((b) => b.tokenId === undefined || b.action === "sent", {
            path: ["tokenId"],
            message: 'goes with action "sent" only',
          }),
        response: { 200: z.object({ batch: Batch, resend: Batch.nullable() }) },
      },
    },
    async (request) => {
      const { action, tokenId } = request.body;
      return resolveBatch(
        app,
        userActor(principalOf(request)),
        request.params.id,
        action === "sent" ? { action, tokenId } : { action },
      );
    },
  );
}
