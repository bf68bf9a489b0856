import { z } from "zod";
import type { App } from "../../app.ts";
import { searchCustomers } from "../../customers/search.ts";
import { customerDetails } from "../../customers/show.ts";
import { groupsOfCustomer } from "../../targeting/memberships.ts";
import type { ZodServer } from "../server.ts";

const Attributes = z
  .record(z.string(), z.unknown())
  .describe("attribute name → value (null when not set)");
const Day = z.string().describe("YYYY-MM-DD");

const FoundCustomer = z
  .object({
    contactKey: z.string(),
    present: z.boolean(),
    attributes: Attributes.describe("the first configured attributes"),
    stage: z.string().nullable(),
  })
  .meta({ id: "FoundCustomer" });

const Customer = z
  .object({
    contactKey: z.string(),
    present: z.boolean(),
    firstSeenOn: Day,
    attributes: Attributes,
    history: z
      .array(
        z.object({
          validFrom: Day,
          validTo: Day.nullable().describe("null for the version in force"),
          present: z.boolean(),
          attributes: Attributes,
          changed: z
            .array(z.string())
            .describe("the attributes that differ from the version before"),
        }),
      )
      .describe("every version, newest first"),
    model: z
      .object({
        runDate: Day,
        stage: z.string(),
        stageSince: Day,
        segment: z.string(),
        valueTier: z.number().int().nullable(),
        purchases: z.number().int(),
        firstPurchaseOn: Day.nullable(),
        lastPurchaseOn: Day.nullable(),
        recencyDays: z.number().int().nullable(),
        tenureDays: z.number().int().nullable(),
        pAlive: z.number().nullable(),
        expectedPurchases: z.number().nullable(),
        expectedSpend: z.number().nullable(),
        clv: z.number().nullable(),
      })
      .nullable()
      .describe("the latest model run's scores; null before the first run"),
    stages: z
      .array(
        z.object({
          validFrom: Day,
          validTo: Day.nullable(),
          stage: z.string(),
          segment: z.string(),
        }),
      )
      .describe("stage and micro-segment versions, newest first"),
    lastPurchases: z
      .array(
        z.object({
          occurredAt: z.iso.datetime(),
          amount: z.string().describe("a decimal; negative for a refund"),
          transactionId: z.string().nullable(),
        }),
      )
      .describe("newest first"),
    targetGroups: z.object({
      asOf: Day,
      groups: z.array(z.object({ id: z.number().int(), name: z.string(), reachable: z.boolean() })),
    }),
  })
  .meta({ id: "Customer" });

/** Customers: search by contact key, and one customer as Nightjar knows it (viewers). */
export function registerCustomerRoutes(server: ZodServer, app: App): void {
  const tags = ["customers"];
  const viewer = { role: "viewer" as const };
  server.get(
    "/api/customers",
    {
      config: viewer,
      schema: {
        summary: "The first customers whose contact key starts with q (byte order)",
        tags,
        querystring: z.object({
          q: z.string().max(200).default(""),
          limit: z.coerce.number().int().min(1).max(200).default(25),
        }),
        response: { 200: z.array(FoundCustomer) },
      },
    },
    async (request) => searchCustomers(app, request.query.q, { limit: request.query.limit }),
  );
  server.get(
    "/api/customers/:contactKey",
    {
      config: viewer,
      schema: {
        summary:
          "One customer: attributes and their history, stages, scores, last purchases, target groups today",
        tags,
        params: z.object({ contactKey: z.string().min(1) }),
        querystring: z.object({
          purchases: z.coerce.number().int().min(0).max(100).default(10),
        }),
        response: { 200: Customer },
      },
    },
    async (request) => {
      const { contactKey } = request.params;
      const details = await customerDetails(app, contactKey, {
        purchases: request.query.purchases,
      });
      return {
        ...details,
        lastPurchases: details.lastPurchases.map((p) => ({
          ...p,
          occurredAt: p.occurredAt.toISOString(),
        })),
        targetGroups: await groupsOfCustomer(app, contactKey),
      };
    },
  );
}
