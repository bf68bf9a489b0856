import { z } from "zod";
import { type ApiKeyInfo, listApiKeys, revokeApiKey } from "../../access/api-keys.ts";
import { Role } from "../../access/roles.ts";
import {
  addUser,
  Email,
  listUsers,
  resetPassword,
  type User as UserRecord,
  updateUser,
} from "../../access/users.ts";
import type { App } from "../../app.ts";
import { userActor } from "../../audit/audit.ts";
import { principalOf } from "../auth.ts";
import type { ZodServer } from "../server.ts";

const User = z
  .object({
    id: z.number().int(),
    email: z.string(),
    role: Role,
    disabled: z.boolean(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: "User" });

const ApiKey = z
  .object({
    id: z.number().int(),
    userId: z.number().int(),
    email: z.string(),
    name: z.string(),
    createdAt: z.iso.datetime(),
    lastUsedAt: z.iso.datetime().nullable(),
    revokedAt: z.iso.datetime().nullable(),
  })
  .meta({ id: "ApiKey" });

const Password = z.string().max(1024).describe("at least 12 characters");
const UserId = z.object({ id: z.coerce.number().int().positive() });

const iso = (date: Date | null) => (date === null ? null : date.toISOString());

function userBody(user: UserRecord): z.infer<typeof User> {
  return {
    ...user,
    createdAt: user.createdAt.toISOString(),
    updatedAt: user.updatedAt.toISOString(),
  };
}

function apiKeyBody(key: ApiKeyInfo): z.infer<typeof ApiKey> {
  return {
    ...key,
    createdAt: key.createdAt.toISOString(),
    lastUsedAt: iso(key.lastUsedAt),
    revokedAt: iso(key.revokedAt),
  };
}

/** Users and their API keys (admins only). API keys are made only through the CLI. */
export function registerUserRoutes(server: ZodServer, app: App): void {
  const admin = { role: "admin" as const };
  const tags = ["users"];
  server.get(
    "/api/users",
    { config: admin, schema: { summary: "Every user", tags, response: { 200: z.array(User) } } },
    async () => (await listUsers(app.db.kysely)).map(userBody),
  );
  server.post(
    "/api/users",
    {
      config: admin,
      schema: {
        summary: "Add a user",
        tags,
        body: z.object({ email: Email, role: Role, password: Password }),
        response: { 201: User },
      },
    },
    async (request, reply) => {
      const user = await addUser(app, userActor(principalOf(request)), request.body);
      return reply.code(201).send(userBody(user));
    },
  );
  server.patch(
    "/api/users/:id",
    {
      config: admin,
      schema: {
        summary: "Change a user's role, or disable or enable them",
        tags,
        params: UserId,
        body: z
          .object({ role: Role.optional(), disabled: z.boolean().optional() })
          .refine((change) => change.role !== undefined || change.disabled !== undefined, {
            message: "give role or disabled (or both)",
          }),
        response: { 200: User },
      },
    },
    async (request) =>
      userBody(
        await updateUser(app, userActor(principalOf(request)), request.params.id, request.body),
      ),
  );
  server.post(
    "/api/users/:id/password",
    {
      config: admin,
      schema: {
        summary: "Set a new password (ends the user's sessions)",
        tags,
        params: UserId,
        body: z.object({ password: Password }),
        response: { 200: User },
      },
    },
    async (request) =>
      userBody(
        await resetPassword(
          app,
          userActor(principalOf(request)),
          request.params.id,
          request.body.password,
        ),
      ),
  );
  server.get(
    "/api/api-keys",
    {
      config: admin,
      schema: {
        summary: "API keys (name, created, last used; never the key)",
        tags,
        querystring: z.object({ userId: z.coerce.number().int().positive().optional() }),
        response: { 200: z.array(ApiKey) },
      },
    },
    async (request) => (await listApiKeys(app.db.kysely, request.query.userId)).map(apiKeyBody),
  );
  server.delete(
    "/api/api-keys/:id",
    {
      config: admin,
      schema: {
        summary: "Revoke an API key",
        tags,
        params: UserId,
        response: { 200: ApiKey },
      },
    },
    async (request) =>
      apiKeyBody(await revokeApiKey(app, userActor(principalOf(request)), request.params.id)),
  );
}
