/**
 * The SFMC client's errors. Every HTTP error answer, whichever of SFMC's three body shapes it has
 * (OAuth, REST `errorcode`, MobilePush `errors`), becomes one `SfmcError`.
 */
import type { z } from "zod";
import { NightjarError } from "../errors.ts";
import { OAuthErrorBody, RestErrorBody, ValidationErrorBody } from "./schemas.ts";

/** What an SFMC error answer says, whatever its body shape. */
export interface SfmcErrorDetails {
  httpStatus: number;
  /** `errorcode` (REST), `error` (OAuth), or null (MobilePush validation, unknown bodies). */
  code: number | string | null;
  /** The texts of the answer: `message`, `error_description`, or each of `errors`. */
  messages: string[];
  /** From `Retry-After` (or the body's `retryAfter`), in seconds; null when absent. */
  retryAfterSec: number | null;
}

/** Which call failed, for messages and logs. */
export interface SfmcCallContext {
  account: string;
  /** The business unit's MID; null for calls that are not for one. */
  mid: string | null;
  method: string;
  /** The path below the auth or REST base URL, e.g. `/push/v1/message`. */
  path: string;
}

/** Seconds from a `Retry-After` header: delta-seconds or an HTTP date; null when absent or bad. */
export function parseRetryAfter(value: string | null, now: number): number | null {
  if (value === null || value.trim() === "") return null;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text);
  const at = Date.parse(text);
  return Number.isNaN(at) ? null : Math.max(0, Math.ceil((at - now) / 1000));
}

const asText = (value: unknown) => (typeof value === "string" ? value : JSON.stringify(value));

/** Reads an error answer in any of SFMC's three body shapes (or none of them). */
export function errorDetails(
  httpStatus: number,
  headers: Headers,
  body: unknown,
  text: string,
  /** When the answer came (epoch ms), for a `Retry-After` given as a date. */
  receivedAt: number,
): SfmcErrorDetails {
  const headerRetry = parseRetryAfter(headers.get("retry-after"), receivedAt);
  const oauth = OAuthErrorBody.safeParse(body);
  if (oauth.success) {
    const { error, error_description: description } = oauth.data;
    return {
      httpStatus,
      code: error,
      messages: [description ?? error],
      retryAfterSec: headerRetry,
    };
  }
  const validation = ValidationErrorBody.safeParse(body);
  if (validation.success) {
    return {
      httpStatus,
      code: null,
      messages: validation.data.errors.map(asText),
      retryAfterSec: headerRetry,
    };
  }
  const rest = RestErrorBody.safeParse(body);
  if (rest.success) {
    const extra = (rest.data.additionalErrors ?? []).map((item) =>
      typeof item === "object" && item !== null && "message" in item
        ? asText(item.message)
        : asText(item),
    );
    return {
      httpStatus,
      code: rest.data.errorcode ?? null,
      messages: [rest.data.message ?? `errorcode ${rest.data.errorcode}`, ...extra],
      retryAfterSec: headerRetry ?? rest.data.retryAfter ?? null,
    };
  }
  const snippet = text.trim().replace(/\s+/g, " ").slice(0, 200);
  return {
    httpStatus,
    code: null,
    messages: [snippet === "" ? `HTTP ${httpStatus} without a body` : snippet],
    retryAfterSec: headerRetry,
  };
}

/** `3720` → "1 h 2 min"; `45` → "45 s". */
export function duration(seconds: number): string {
  if (seconds < 120) return `${Math.round(seconds)} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 120) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/** A throttled answer says how long SFMC asked to wait, which is longer than Nightjar waits. */
function askedToWait(details: SfmcErrorDetails): string {
  if (details.httpStatus !== 429 || details.retryAfterSec === null) return "";
  return ` — SFMC asked to wait ${duration(details.retryAfterSec)} (Retry-After) before trying again, longer than Nightjar waits; try again later`;
}

function where(context: SfmcCallContext): string {
  const bu = context.mid === null ? "" : `, business unit ${context.mid}`;
  return `${context.method} ${context.path} (account ${context.account}${bu})`;
}

/** SFMC answered with an error (or with a body Nightjar cannot read). */
export class SfmcError extends NightjarError implements SfmcErrorDetails {
  override name = "SfmcError";
  readonly httpStatus: number;
  readonly code: number | string | null;
  readonly messages: string[];
  readonly retryAfterSec: number | null;
  readonly context: SfmcCallContext;

  constructor(details: SfmcErrorDetails, context: SfmcCallContext, message?: string) {
    const code = details.code === null ? "" : ` (${details.code})`;
    super(
      message ??
        `SFMC answered ${details.httpStatus}${code} to ${where(context)}: ${details.messages.join("; ")}${askedToWait(details)}`,
    );
    this.httpStatus = details.httpStatus;
    this.code = details.code;
    this.messages = details.messages;
    this.retryAfterSec = details.retryAfterSec;
    this.context = context;
  }
}

/** The `SfmcError` of an error answer, its texts passed through `redact`. */
export function answerError(
  answer: { status: number; headers: Headers; body: unknown; text: string; receivedAt: number },
  context: SfmcCallContext,
  redact: (text: string) => string,
): SfmcError {
  const details = errorDetails(
    answer.status,
    answer.headers,
    answer.body,
    answer.text,
    answer.receivedAt,
  );
  return new SfmcError({ ...details, messages: details.messages.map(redact) }, context);
}

/** A success answer whose body does not have the expected shape (no values quoted). */
export function unexpectedBody(
  httpStatus: number,
  context: SfmcCallContext,
  error: z.ZodError,
): SfmcError {
  const issues = error.issues.map((issue) => `${issue.path.join(".") || "body"}: ${issue.message}`);
  return new SfmcError(
    {
      httpStatus,
      code: "unexpected_body",
      messages: [`the answer has an unexpected shape (${issues.slice(0, 5).join("; ")})`],
      retryAfterSec: null,
    },
    context,
  );
}

/** What is wrong in the configuration when `/v2/token` refuses a request. */
export type ConfigProblem = "client_id" | "client_secret" | "business_unit" | "request";

/**
 * `/v2/token` refused the request with a 4xx other than 429: the client id, the secret or the
 * business unit is wrong. Not retried; the message says what to fix.
 */
export class SfmcConfigError extends SfmcError {
  override name = "SfmcConfigError";
  override readonly kind = "config";
  readonly problem: ConfigProblem;

  constructor(
    details: SfmcErrorDetails,
    context: SfmcCallContext,
    problem: ConfigProblem,
    advice: string,
  ) {
    const said = `${details.code ?? details.httpStatus}: ${details.messages.join("; ")}`;
    super(details, context, `account ${context.account}: ${advice} (SFMC said ${said})`);
    this.problem = problem;
  }
}

/**
 * A send whose request may have reached SFMC, but whose answer never came (a timeout, a connection
 * cut after the request was written, or a server error that does not say whether the send was
 * taken). It is never retried: sending again could reach the same contacts twice. Carries the
 * batch's contact keys, so the caller can mark them as unknown.
 */
export class SendOutcomeUnknown extends NightjarError {
  override name = "SendOutcomeUnknown";
  override readonly kind = "unavailable";
  readonly account: string;
  readonly mid: string;
  readonly messageId: string;
  readonly contactKeys: readonly string[];
  /** Why the outcome is unknown, e.g. "no answer within 60000 ms". */
  readonly reason: string;

  constructor(
    batch: { account: string; mid: string; messageId: string; contactKeys: readonly string[] },
    reason: string,
    options?: ErrorOptions,
  ) {
    super(
      `the send of ${batch.contactKeys.length} contact keys to message ${batch.messageId} (account ${batch.account}, business unit ${batch.mid}) may have reached SFMC: ${reason}. It was not retried; check SFMC before sending these contact keys again.`,
      options,
    );
    this.account = batch.account;
    this.mid = batch.mid;
    this.messageId = batch.messageId;
    this.contactKeys = batch.contactKeys;
    this.reason = reason;
  }
}

/** SFMC could not be reached: every attempt failed before a request was written or answered. */
export class SfmcConnectionError extends NightjarError {
  override name = "SfmcConnectionError";
  override readonly kind = "unavailable";
  readonly context: SfmcCallContext;
  readonly attempts: number;

  constructor(
    context: SfmcCallContext,
    attempts: number,
    reason: string,
    options?: ErrorOptions & { url?: string },
  ) {
    const times = attempts === 1 ? "" : ` (${attempts} attempts)`;
    super(
      options?.url
        ? `cannot reach ${origin(options.url)}: ${reason}${times}, for ${where(context)}${emulatorHint(options.url, reason)}`
        : `cannot reach SFMC: ${where(context)} failed ${attempts === 1 ? "once" : `${attempts} times`} (${reason})`,
      options,
    );
    this.context = context;
    this.attempts = attempts;
  }
}

/** `url` parsed, or null when it is not a URL. */
function parsedUrl(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

function origin(url: string): string {
  const parsed = parsedUrl(url);
  return parsed ? `${parsed.origin}/` : url;
}

/** A refused local address is most likely the SFMC emulator, not started. */
function emulatorHint(url: string, reason: string): string {
  if (reason !== "connection refused") return "";
  const host = parsedUrl(url)?.hostname ?? "";
  return ["127.0.0.1", "localhost", "::1", "[::1]"].includes(host)
    ? " — is the SFMC emulator running? (`nightjar emulator`)"
    : "";
}
