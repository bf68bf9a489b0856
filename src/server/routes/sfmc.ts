import { z } from "zod";
import type { App } from "../../app.ts";
import { userActor } from "../../audit/audit.ts";
import { AttributeType } from "../../config/schema.ts";
import { checkSfmc } from "../../sfmc/check.ts";
import { syncMessages, UnknownAppError, usableMessages } from "../../sfmc/sync.ts";
import { principalOf } from "../auth.ts";
import type { ZodServer } from "../server.ts";

const Account = z
  .object({
    name: z.string(),
    authBaseUrl: z.string(),
    clientId: z.string(),
    sendBudget: z.object({ recipients: z.number().int(), perMinutes: z.number().int() }),
    maxInFlight: z.number().int(),
    businessUnits: z.array(
      z.object({ mid: z.string(), name: z.string(), templatePrefix: z.string() }),
    ),
  })
  .meta({ id: "SfmcAccount", description: "An SFMC account as configured (never its secret)" });

const AppCheck = z.object({
  id: z.string(),
  name: z.string(),
  ok: z.boolean(),
  checked: z.boolean(),
  problem: z.string().optional(),
  note: z.string().optional(),
});
const AccountCheck = z
  .object({
    name: z.string(),
    ok: z.boolean(),
    problem: z.string().optional(),
    businessUnits: z.array(
      z.object({
        mid: z.string(),
        name: z.string(),
        ok: z.boolean(),
        checked: z.boolean(),
        scopes: z.array(z.string()).nullable(),
        problem: z.string().optional(),
        apps: z.array(AppCheck),
      }),
    ),
  })
  .meta({ id: "SfmcAccountCheck" });

const SyncCounts = z.object({
  added: z.number().int(),
  updated: z.number().int(),
  removed: z.number().int(),
  kept: z.number().int(),
});

const PushApp = z
  .object({ id: z.string(), name: z.string(), businessUnit: z.string() })
  .meta({ id: "PushApp" });
const PushMessage = z
  .object({
    id: z.string(),
    name: z.string(),
    appId: z.string(),
    businessUnit: z.string(),
    status: z.literal("active"),
  })
  .meta({ id: "PushMessage" });

/** SFMC settings (read from the config, never changed here), check, sync, apps, messages. */
export function registerSfmcRoutes(server: ZodServer, app: App): void {
  const tags = ["sfmc"];
  server.get(
    "/api/sfmc/accounts",
    {
      config: { role: "viewer" },
      schema: {
        summary: "The configured SFMC accounts and business units (never secrets)",
        tags,
        response: { 200: z.array(Account) },
      },
    },
    async () =>
      app.config.sfmc.accounts.map((account) => ({
        name: account.name,
        authBaseUrl: account.authBaseUrl,
        clientId: account.clientId,
        sendBudget: account.sendBudget,
        maxInFlight: account.maxInFlight,
        businessUnits: account.businessUnits,
      })),
  );
  server.post(
    "/api/sfmc/check",
    {
      config: { role: "admin" },
      schema: {
        summary: "Get a token for every business unit and read each configured app",
        tags,
        response: {
          200: z.object({
            ok: z.boolean(),
            problems: z.number().int(),
            accounts: z.array(AccountCheck),
          }),
        },
      },
    },
    async () => checkSfmc(app),
  );
  server.post(
    "/api/sfmc/sync",
    {
      config: { role: "admin" },
      schema: {
        summary: "Import the API-triggered push messages of the configured apps",
        tags,
        response: {
          200: z.object({
            accounts: z.number().int(),
            messages: SyncCounts,
            problems: z.array(
              z.object({ businessUnit: z.string(), appId: z.string(), message: z.string() }),
            ),
          }),
        },
      },
    },
    async (request) => syncMessages(app, userActor(principalOf(request))),
  );
  server.get(
    "/api/apps",
    {
      config: { role: "viewer" },
      schema: { summary: "The configured push apps", tags, response: { 200: z.array(PushApp) } },
    },
    async () => app.config.sfmc.apps,
  );
  server.get(
    "/api/apps/:id/messages",
    {
      config: { role: "viewer" },
      schema: {
        summary: "The synced, usable push messages of one app",
        tags,
        params: z.object({ id: z.string().min(1) }),
        response: { 200: z.array(PushMessage) },
      },
    },
    async (request) => {
      const { id } = request.params;
      if (!app.config.sfmc.apps.some((a) => a.id === id))
        throw new UnknownAppError(`no configured app ${id}`);
      return usableMessages(app, { appId: id });
    },
  );
  server.get(
    "/api/customers/attributes",
    {
      config: { role: "viewer" },
      schema: {
        summary: "The customer attributes as configured",
        tags: ["customers"],
        response: {
          200: z.array(z.object({ name: z.string(), type: AttributeType, required: z.boolean() })),
        },
      },
    },
    async () => app.config.customers.attributes,
  );
}
