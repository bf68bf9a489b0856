/**
 * `POST /v2/token` (client credentials) for one business unit, and what a refusal means for the
 * config (sfmc-mobilepush-api.md §1.1).
 */

import type { SecretVault } from "../config/secrets.ts";
import {
  answerError,
  type ConfigProblem,
  errorDetails,
  type SfmcCallContext,
  SfmcConfigError,
  SfmcConnectionError,
  unexpectedBody,
} from "./errors.ts";
import type { SfmcLog } from "./log.ts";
import { type TokenRequest, TokenResponse } from "./schemas.ts";
import type { AccessGrant } from "./tokens.ts";
import type { HttpAnswer, Transport } from "./transport.ts";

/** The account as the config describes it (`sfmc.accounts[]`). */
export interface SfmcAccountSettings {
  name: string;
  /** e.g. `https://SUBDOMAIN.auth.marketingcloudapis.com/` or the emulator's URL. */
  authBaseUrl: string;
  clientId: string;
  /** The secret's reference as configured; only used to say where to fix a wrong secret. */
  clientSecret: string;
  /** Requests in flight at once (Default: 4). */
  maxInFlight?: number;
}

/** `base` + `path` with exactly one `/` between them (SFMC's instance URLs end with `/`). */
export function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, "")}/${path.replace(/^\/+/, "")}`;
}

/** The token answer's REST URL with a scheme and a trailing `/` (the doc example has neither). */
export function normalizeBaseUrl(raw: string): string {
  const withScheme = /^https?:\/\//i.test(raw) ? raw : `https://${raw}`;
  return withScheme.endsWith("/") ? withScheme : `${withScheme}/`;
}

/** Where the secret of `reference` comes from, in words that do not reveal it. */
export function secretSource(reference: string): string {
  const variable = /^env:(\w+)$/.exec(reference)?.[1];
  return variable ? `the environment variable ${variable}` : "the clientSecret in the config";
}

/** What a token request needs from the client. */
export interface TokenSource {
  account: SfmcAccountSettings;
  secret: () => string;
  transport: Transport;
  secrets: SecretVault;
  log: SfmcLog;
  now: () => number;
}

/**
 * A new token for business unit `mid`. Throttling and unavailability are retried by the
 * transport; a 4xx other than 429 is an `SfmcConfigError` (not retried).
 */
export async function requestToken(source: TokenSource, mid: string): Promise<AccessGrant> {
  const { account, secrets } = source;
  const path = "/v2/token";
  const context = { account: account.name, mid, method: "POST" as const, path };
  const secret = source.secret();
  secrets.remember(secret);
  const request: TokenRequest = {
    grant_type: "client_credentials",
    client_id: account.clientId,
    client_secret: secret,
    account_id: Number(mid),
  };
  const started = source.now();
  const answer = await source.transport.call(
    {
      ...context,
      kind: "token",
      url: joinUrl(account.authBaseUrl, path),
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify(request),
    },
    (reason, cause) => new SfmcConnectionError(context, 1, reason, { cause }),
  );
  const body = answer.body;
  if (typeof body === "object" && body !== null && "access_token" in body)
    if (typeof body.access_token === "string") secrets.remember(body.access_token);
  if (answer.status >= 400 && answer.status < 500 && answer.status !== 429)
    throw configError(answer, context, account, secrets);
  if (answer.status !== 200) throw answerError(answer, context, (text) => secrets.redact(text));
  const parsed = TokenResponse.safeParse(body);
  if (!parsed.success) throw unexpectedBody(answer.status, context, parsed.error);
  const token = parsed.data;
  const grant: AccessGrant = {
    mid,
    accessToken: token.access_token,
    restUrl: normalizeBaseUrl(token.rest_instance_url),
    scopes: token.scope.split(/\s+/).filter(Boolean),
    expiresAt: started + token.expires_in * 1000,
  };
  source.log.info(
    { mid, scopes: grant.scopes, expiresInSec: token.expires_in, restUrl: grant.restUrl },
    "token issued",
  );
  return grant;
}

/** A 4xx from `/v2/token`, in words that say what to fix. */
function configError(
  answer: HttpAnswer,
  context: SfmcCallContext,
  account: SfmcAccountSettings,
  secrets: SecretVault,
): SfmcConfigError {
  const raw = errorDetails(
    answer.status,
    answer.headers,
    answer.body,
    answer.text,
    answer.receivedAt,
  );
  const details = { ...raw, messages: raw.messages.map((m) => secrets.redact(m)) };
  const said = details.messages.join(" ");
  const { clientId, clientSecret } = account;
  let problem: ConfigProblem = "request";
  let advice = `SFMC refused the token request for business unit ${context.mid} (${details.httpStatus})`;
  if (details.code === "invalid_client" && /invalid client id/i.test(said)) {
    problem = "client_id";
    advice = `SFMC does not know the client id "${clientId}": check clientId against the API integration of the installed package (Setup > Apps > Installed Packages)`;
  } else if (details.code === "invalid_client") {
    problem = "client_secret";
    advice = `SFMC refused the client secret of client id "${clientId}" (or the package is not installed and enabled): check ${secretSource(clientSecret)}`;
  } else if (details.code === "unauthorized_client" || details.httpStatus === 403) {
    problem = "business_unit";
    advice = `business unit ${context.mid} is not enabled for the installed package of client id "${clientId}": enable it on the package's Access tab in SFMC, or correct the MID in the config`;
  }
  return new SfmcConfigError(details, context, problem, advice);
}
