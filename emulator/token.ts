import { randomBytes } from "node:crypto";
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { oauthError, restError, type SfmcReply } from "./errors.ts";
import { answer, tokenOf } from "./http.ts";
import { newGuid } from "./ids.ts";
import type { EmulatorStore } from "./store.ts";

/** The body of `POST /v2/token` (JSON or form-encoded). */
export const TokenRequest = z.object({
  grant_type: z.string().optional(),
  client_id: z.string().optional(),
  client_secret: z.string().optional(),
  scope: z.string().optional(),
  account_id: z.union([z.number(), z.string()]).optional(),
});
export type TokenRequest = z.infer<typeof TokenRequest>;

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

/** A JWT-shaped opaque token (SFMC's are JWT-like and at most 512 characters). */
function newAccessToken(clientId: string, mid: number, enterpriseId: number): string {
  const header = b64({ alg: "HS256", kid: "4", ver: "1", typ: "JWT" });
  const payload = b64({
    access_token: randomBytes(18).toString("base64url"),
    client_id: clientId,
    eid: enterpriseId,
    mid,
    stack_key: "EMU",
    jti: newGuid(),
  });
  return `${header}.${payload}.${randomBytes(32).toString("base64url")}`;
}

/** Decides the answer to a token request; `baseUrl` ends with `/`. */
export function issueToken(store: EmulatorStore, body: unknown, baseUrl: string): SfmcReply {
  const parsed = TokenRequest.safeParse(body);
  if (!parsed.success || parsed.data.grant_type === undefined)
    return oauthError(400, "invalid_request", "The request is missing the grant_type parameter.");
  const request = parsed.data;
  if (request.grant_type !== "client_credentials")
    return oauthError(
      400,
      "unsupported_grant_type",
      `The grant type ${request.grant_type} is not supported. Use client_credentials.`,
    );
  if (!request.client_id || !request.client_secret)
    return oauthError(
      400,
      "invalid_request",
      "The request is missing the client_id or client_secret parameter.",
    );
  const client = store.tenant.clients.get(request.client_id);
  if (!client)
    return oauthError(
      401,
      "invalid_client",
      "Invalid client ID. Use the client ID in Marketing Cloud Installed Packages.",
    );
  if (client.clientSecret !== request.client_secret)
    return oauthError(
      401,
      "invalid_client",
      "Client authentication failed. Make sure that the client ID and client secret are valid and that the package is installed and enabled.",
    );
  let mid = client.homeMid;
  if (request.account_id !== undefined && request.account_id !== "") {
    const text = String(request.account_id).trim();
    if (!/^\d+$/.test(text))
      return oauthError(400, "invalid_request", "The account_id parameter must be a MID.");
    mid = Number(text);
  }
  const { accountNotAllowed } = store.behaviour;
  if (!client.mids.includes(mid) || !store.tenant.businessUnits.has(mid))
    return oauthError(
      accountNotAllowed.status,
      accountNotAllowed.error,
      accountNotAllowed.description,
    );
  // No scope: every granted scope; an empty scope: none; else the granted ones asked for.
  const scopes =
    request.scope === undefined
      ? [...client.scopes]
      : request.scope.split(/\s+/).filter((scope) => scope !== "" && client.scopes.includes(scope));
  const now = store.clock.now();
  const token = newAccessToken(client.clientId, mid, store.tenant.enterpriseId);
  store.pruneTokens();
  store.tokens.set(token, {
    token,
    clientId: client.clientId,
    mid,
    scopes,
    issuedAt: now,
    expiresAt: now + store.behaviour.tokenLifetimeSeconds * 1000,
  });
  return {
    status: 200,
    body: {
      access_token: token,
      token_type: "Bearer",
      expires_in: store.behaviour.expiresIn,
      scope: scopes.join(" "),
      soap_instance_url: baseUrl,
      rest_instance_url: baseUrl,
    },
  };
}

/** `POST /v2/token` and `GET /platform/v1/tokenContext`. */
export function registerTokenRoutes(
  app: FastifyInstance,
  store: EmulatorStore,
  baseUrl: (host: string) => string,
): void {
  app.post("/v2/token", { config: { route: "token" } }, async (request, reply) => {
    const form = /^application\/x-www-form-urlencoded/i.test(request.headers["content-type"] ?? "");
    if (form && !store.behaviour.formEncodedToken)
      return answer(
        reply,
        oauthError(400, "invalid_request", "The request body must be JSON (application/json)."),
      );
    return answer(reply, issueToken(store, request.body ?? {}, baseUrl(request.host)));
  });

  app.get(
    "/platform/v1/tokenContext",
    { config: { route: "tokenContext", auth: { scope: null } } },
    async (request, reply) => {
      const token = tokenOf(request);
      const client = store.tenant.clients.get(token.clientId);
      return answer(reply, {
        status: store.behaviour.tokenContextStatus,
        body: {
          enterprise: { id: store.tenant.enterpriseId },
          organization: { id: token.mid },
          user: { id: client?.userId ?? 0 },
        },
      });
    },
  );
}

/** The 403 for a token without the route's scope (errorcode 20002). */
export function insufficientPrivileges(): SfmcReply {
  return restError(403, "Insufficient privileges to complete this action.", 20002);
}
