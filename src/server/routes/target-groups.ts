import { z } from "zod";
import type { App } from "../../app.ts";
import { userActor } from "../../audit/audit.ts";
import { countTargetGroup, previewTargetGroup } from "../../targeting/count.ts";
import { targetGroupSizes } from "../../targeting/group-sizes.ts";
import {
  createTargetGroup,
  deleteTargetGroup,
  getTargetGroup,
  listTargetGroups,
  type TargetGroup as StoredGroup,
  updateTargetGroup,
} from "../../targeting/target-groups.ts";
import { principalOf } from "../auth.ts";
import type { ZodServer } from "../server.ts";

const RuleJson = z
  .unknown()
  .describe(
    'a rule: {"all":[…]}, {"any":[…]}, {"not":…}, {"field","op","value"}, {"purchased":…}, {"notPurchased":…}, {"stageChanged":…}, {"inTargetGroup":id}',
  );

const TargetGroup = z
  .object({
    id: z.number().int(),
    name: z.string(),
    description: z.string().nullable(),
    rule: RuleJson,
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
    lastSize: z
      .object({ date: z.string(), total: z.number().int(), reachable: z.number().int() })
      .nullable(),
  })
  .meta({ id: "TargetGroup" });

const GroupBody = z.object({
  name: z.string().max(200),
  rule: RuleJson,
  description: z.string().max(2000).nullable().optional(),
});
const Counts = z.object({
  total: z.number().int().describe("present customers matching the rule"),
  reachable: z
    .number()
    .int()
    .describe("… of whom push can reach: consent, no exclusion flag, not in the global control"),
  asOf: z.string(),
  consentAttribute: z.string().nullable(),
});
const Id = z.object({ id: z.coerce.number().int().positive() });
const AsOf = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "must be a date, YYYY-MM-DD");

function groupBody(group: StoredGroup): z.infer<typeof TargetGroup> {
  return {
    ...group,
    createdAt: group.createdAt.toISOString(),
    updatedAt: group.updatedAt.toISOString(),
  };
}

/** Target groups: viewers read and count, marketers change. */
export function registerTargetGroupRoutes(server: ZodServer, app: App): void {
  const tags = ["target groups"];
  const viewer = { role: "viewer" as const };
  const marketer = { role: "marketer" as const };
  server.get(
    "/api/target-groups",
    {
      config: viewer,
      schema: {
        summary: "Every target group with its latest size",
        tags,
        response: { 200: z.array(TargetGroup) },
      },
    },
    async () => (await listTargetGroups(app.db.kysely)).map(groupBody),
  );
  server.get(
    "/api/target-groups/:id",
    {
      config: viewer,
      schema: { summary: "One target group", tags, params: Id, response: { 200: TargetGroup } },
    },
    async (request) => groupBody(await getTargetGroup(app.db.kysely, request.params.id)),
  );
  server.post(
    "/api/target-groups",
    {
      config: marketer,
      schema: {
        summary: "Save a target group",
        tags,
        body: GroupBody,
        response: { 201: TargetGroup },
      },
    },
    async (request, reply) =>
      reply
        .code(201)
        .send(
          groupBody(await createTargetGroup(app, userActor(principalOf(request)), request.body)),
        ),
  );
  server.put(
    "/api/target-groups/:id",
    {
      config: marketer,
      schema: {
        summary: "Replace a target group's name, rule and description",
        tags,
        params: Id,
        body: GroupBody,
        response: { 200: TargetGroup },
      },
    },
    async (request) =>
      groupBody(
        await updateTargetGroup(
          app,
          userActor(principalOf(request)),
          request.params.id,
          request.body,
        ),
      ),
  );
  server.delete(
    "/api/target-groups/:id",
    {
      config: marketer,
      schema: { summary: "Delete a target group no campaign uses", tags, params: Id },
    },
    async (request, reply) => {
      await deleteTargetGroup(app, userActor(principalOf(request)), request.params.id);
      return reply.code(204).send();
    },
  );
  server.post(
    "/api/target-groups/count",
    {
      config: viewer,
      schema: {
        summary:
          "Count a rule: total matching and reachable customers (as of a past import date, optionally)",
        tags,
        body: z.object({ rule: RuleJson, asOf: AsOf.optional() }),
        response: { 200: Counts },
      },
    },
    async (request) =>
      countTargetGroup(
        app,
        request.body.rule,
        request.body.asOf === undefined ? {} : { asOf: request.body.asOf },
      ),
  );
  server.post(
    "/api/target-groups/preview",
    {
      config: viewer,
      schema: {
        summary: "The first matching customers, by contact key",
        tags,
        body: z.object({ rule: RuleJson, limit: z.number().int().min(1).max(500).default(20) }),
        response: {
          200: z.object({
            asOf: z.string(),
            consentAttribute: z.string().nullable(),
            customers: z.array(
              z.object({
                contactKey: z.string(),
                reachable: z.boolean(),
                stage: z.string().nullable(),
                clv: z.number().nullable(),
                attributes: z.record(z.string(), z.unknown()),
              }),
            ),
          }),
        },
      },
    },
    async (request) => previewTargetGroup(app, request.body.rule, { limit: request.body.limit }),
  );
  server.get(
    "/api/target-groups/:id/sizes",
    {
      config: viewer,
      schema: {
        summary:
          "The group's daily sizes, each recorded by a nightly run or computed from the history",
        tags,
        params: Id,
        querystring: z.object({ days: z.coerce.number().int().min(1).max(400).default(90) }),
        response: {
          200: z.object({
            targetGroupId: z.number().int(),
            days: z.array(
              z.object({
                date: z.string(),
                total: z.number().int(),
                reachable: z.number().int(),
                source: z.enum(["recorded", "computed"]),
              }),
            ),
          }),
        },
      },
    },
    async (request) => targetGroupSizes(app, request.params.id, { days: request.query.days }),
  );
}
