/**
 * HTTP for one SFMC account: `fetch` with a timeout, at most `maxInFlight` requests at once, and the
 * retry policy. Reads and token requests are repeated on throttling, unavailability and any
 * network failure; a send is repeated only when SFMC answered that it did not take it (429, 503)
 * or when the connection failed before the request was written.
 */
import pLimit, { type LimitFunction } from "p-limit";
import { parseRetryAfter, type SfmcCallContext, SfmcConnectionError } from "./errors.ts";
import type { SfmcLog } from "./log.ts";

/** `token`: `/v2/token`; `read`: a GET; `send`: a call that is not safe to repeat blindly. */
export type CallKind = "token" | "read" | "send";

/** One logical HTTP call (repeated as the policy allows). */
export interface HttpCall extends SfmcCallContext {
  kind: CallKind;
  method: "GET" | "POST";
  url: string;
  headers: Record<string, string>;
  body?: string;
}

/** The answer of the last attempt. */
export interface HttpAnswer {
  status: number;
  headers: Headers;
  text: string;
  /** The body parsed as JSON; the text when it is not JSON; undefined when empty. */
  body: unknown;
  /** When the answer came, by the client's clock (epoch ms). */
  receivedAt: number;
}

/** How calls are repeated. Delays get up to `jitter` × themselves added at random. */
export interface RetryPolicy {
  /** Attempts per call, the first included (Default: 5). */
  maxAttempts: number;
  /** First backoff when SFMC gives no `Retry-After`; doubled per attempt (Default: 500 ms). */
  baseDelayMs: number;
  /** Largest backoff without `Retry-After` (Default: 30 s). */
  maxDelayMs: number;
  /**
   * First pause of the whole account after a 429 with errorcode 50200 ("requests temporarily
   * blocked": too many concurrent requests); doubled on each further 50200 (Default: 30 s).
   */
  blockedDelayMs: number;
  /** Largest 50200 pause (Default: 120 s). */
  maxBlockedDelayMs: number;
  /** A `Retry-After` longer than this is not waited for: the call fails (Default: 300 s). */
  maxRetryAfterMs: number;
  /** Random share added to every delay (Default: 0.2). */
  jitter: number;
  /**
   * Repeat calls whose connection failed before anything was written (refused, DNS) (Default:
   * true). A check turns it off: a service that is not there should be said at once.
   */
  retryConnectFailures: boolean;
}

export const DEFAULT_RETRY: RetryPolicy = {
  maxAttempts: 5,
  baseDelayMs: 500,
  maxDelayMs: 30_000,
  blockedDelayMs: 30_000,
  maxBlockedDelayMs: 120_000,
  maxRetryAfterMs: 300_000,
  jitter: 0.2,
  retryConnectFailures: true,
};

/** Request timeouts: the whole exchange, headers and body. */
export interface Timeouts {
  /** Token requests and reads (Default: 30 s). */
  requestMs: number;
  /** Sends (Default: 60 s). */
  sendMs: number;
}

export const DEFAULT_TIMEOUTS: Timeouts = { requestMs: 30_000, sendMs: 60_000 };

export interface TransportOptions {
  fetch: typeof fetch;
  maxInFlight: number;
  retry: RetryPolicy;
  timeouts: Timeouts;
  /** Waits `ms` (tests pass one that records and returns at once). */
  sleep: (ms: number) => Promise<void>;
  /** Uniform in [0, 1), for jitter. */
  random: () => number;
  now: () => number;
  log: SfmcLog;
}

/**
 * Error codes (`error.cause.code` of undici's `fetch failed`, or the error's own) of failures that
 * happen while connecting, before any byte of the request is written: safe to retry for any call.
 */
const BEFORE_WRITE = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "UND_ERR_CONNECT_TIMEOUT",
]);

/** The before-write failures in an operator's words. */
const BEFORE_WRITE_WORDS: Record<string, string> = {
  ECONNREFUSED: "connection refused",
  ENOTFOUND: "unknown host",
  EAI_AGAIN: "the host name could not be looked up (DNS)",
  EHOSTUNREACH: "the host cannot be reached",
  ENETUNREACH: "the network cannot be reached",
  UND_ERR_CONNECT_TIMEOUT: "no connection before the timeout",
};

function errorCodes(error: unknown, depth = 0): string[] {
  if (depth > 3 || typeof error !== "object" || error === null) return [];
  const own = "code" in error && typeof error.code === "string" ? [error.code] : [];
  const cause = "cause" in error ? errorCodes(error.cause, depth + 1) : [];
  const each =
    error instanceof AggregateError ? error.errors.flatMap((e) => errorCodes(e, depth + 1)) : [];
  return [...own, ...cause, ...each];
}

/** The message of the deepest `cause` (undici's own says only "fetch failed"). */
function innermost(error: unknown): string {
  let current = error;
  for (let depth = 0; depth < 4; depth += 1) {
    const cause = current instanceof Error ? current.cause : undefined;
    if (!(cause instanceof Error)) break;
    current = cause;
  }
  return current instanceof Error ? current.message : String(current);
}

/** How a failed `fetch` failed: before the request was written, or possibly after. */
export function classifyFailure(error: unknown): { written: boolean; reason: string } {
  const codes = errorCodes(error);
  const name = error instanceof Error ? error.name : "";
  if (name === "TimeoutError" || name === "AbortError")
    return { written: true, reason: "no answer before the timeout" };
  const known = codes.find((code) => BEFORE_WRITE.has(code));
  if (known) return { written: false, reason: BEFORE_WRITE_WORDS[known] ?? known };
  return {
    written: true,
    reason: `connection failed after the request started (${codes[0] ?? innermost(error)})`,
  };
}

/** 429 errorcode 50200 without `Retry-After`: "requests temporarily blocked" (too many at once). */
function isBlocked(answer: HttpAnswer): boolean {
  return (
    answer.status === 429 && errorcodeOf(answer.body) === 50200 && retryAfterMs(answer) === null
  );
}

/** What to do with an answer. */
type Decision =
  | { action: "return" }
  | { action: "unknown"; reason: string }
  | { action: "retry"; delayMs: number; why: string; pauseAccount: boolean };

function parseJson(text: string): unknown {
  if (text === "") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

const errorcodeOf = (body: unknown) =>
  typeof body === "object" && body !== null && "errorcode" in body ? body.errorcode : undefined;

/** How long SFMC asked to wait: the `Retry-After` header, else the body's `retryAfter`. */
export function retryAfterMs(answer: HttpAnswer): number | null {
  const header = parseRetryAfter(answer.headers.get("retry-after"), answer.receivedAt);
  if (header !== null) return header * 1000;
  const body = answer.body;
  if (typeof body === "object" && body !== null && "retryAfter" in body) {
    const seconds = Number(body.retryAfter);
    if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  }
  return null;
}

export class Transport {
  readonly #options: TransportOptions;
  readonly #limit: LimitFunction;
  /** Until when the whole account waits (after a 50200). */
  #pausedUntil = 0;
  #blockedInARow = 0;
  #throttled = 0;

  /** Answers of 429 (throttling) this account got so far, for a caller that paces itself. */
  get throttled(): number {
    return this.#throttled;
  }

  constructor(options: TransportOptions) {
    this.#options = options;
    this.#limit = pLimit(options.maxInFlight);
  }

  /**
   * Runs the call, repeating it as the policy allows; resolves to the last answer, whatever its
   * status. Throws `SfmcConnectionError` when no attempt got an answer, and what `unknownOutcome`
   * makes when a send may have been taken without an answer.
   */
  async call(
    call: HttpCall,
    unknownOutcome: (reason: string, cause?: unknown) => Error,
  ): Promise<HttpAnswer> {
    const { retry, log, sleep } = this.#options;
    const context = { mid: call.mid, method: call.method, path: call.path };
    for (let attempt = 1; ; attempt += 1) {
      let started = 0;
      const outcome = await this.#limit(async () => {
        // In the slot, so that a pause that began while the call queued holds it back too (the
        // slots wait with it: nothing of the account may go out meanwhile).
        await this.#waitWhilePaused(call);
        started = this.#options.now();
        const result = await this.#once(call);
        // The pause starts before the slot is given to the next call.
        if ("answer" in result && isBlocked(result.answer)) this.#startPause();
        return result;
      });
      const ms = this.#options.now() - started;
      if ("error" in outcome) {
        const { written, reason } = classifyFailure(outcome.error);
        if (written && call.kind === "send") {
          log.error({ ...context, attempt, reason }, "send outcome unknown; not retried");
          throw unknownOutcome(reason, outcome.error);
        }
        if (attempt >= retry.maxAttempts || (!written && !retry.retryConnectFailures))
          throw new SfmcConnectionError({ account: call.account, ...context }, attempt, reason, {
            cause: outcome.error,
            url: call.url,
          });
        const delayMs = this.#jittered(this.#backoff(attempt));
        log.warn({ ...context, attempt, reason, retryInMs: delayMs }, "SFMC call failed; retrying");
        await sleep(delayMs);
        continue;
      }
      const { answer } = outcome;
      log.debug({ ...context, attempt, status: answer.status, ms }, "SFMC answered");
      if (answer.status === 429) this.#throttled += 1;
      const decision = this.#decide(call, answer, attempt);
      if (decision.action === "return") {
        if (answer.status !== 429) this.#blockedInARow = 0;
        return answer;
      }
      if (decision.action === "unknown") {
        log.error({ ...context, attempt, reason: decision.reason }, "send outcome unknown");
        throw unknownOutcome(decision.reason);
      }
      const fields = {
        ...context,
        attempt,
        status: answer.status,
        errorcode: errorcodeOf(answer.body),
        retryInMs: decision.delayMs,
      };
      if (attempt >= retry.maxAttempts || decision.delayMs > retry.maxRetryAfterMs) {
        log.warn(fields, `SFMC call gave up: ${decision.why}`);
        return answer;
      }
      if (decision.pauseAccount) {
        log.warn(fields, `${decision.why}; every call of the account waits`);
      } else {
        log.warn(fields, `${decision.why}; retrying`);
        await sleep(decision.delayMs);
      }
    }
  }

  async #waitWhilePaused(call: HttpCall): Promise<void> {
    const wait = this.#pausedUntil - this.#options.now();
    if (wait <= 0) return;
    this.#options.log.debug(
      { mid: call.mid, method: call.method, path: call.path, waitMs: wait },
      "account paused",
    );
    await this.#options.sleep(wait);
  }

  async #once(call: HttpCall): Promise<{ answer: HttpAnswer } | { error: unknown }> {
    const { timeouts } = this.#options;
    const signal = AbortSignal.timeout(call.kind === "send" ? timeouts.sendMs : timeouts.requestMs);
    try {
      const response = await this.#options.fetch(call.url, {
        method: call.method,
        headers: call.headers,
        ...(call.body === undefined ? {} : { body: call.body }),
        signal,
        redirect: "error",
      });
      const text = await response.text();
      return {
        answer: {
          status: response.status,
          headers: response.headers,
          text,
          body: parseJson(text),
          receivedAt: this.#options.now(),
        },
      };
    } catch (error) {
      return { error };
    }
  }

  #decide(call: HttpCall, answer: HttpAnswer, attempt: number): Decision {
    const { status } = answer;
    if (status === 429) {
      const asked = retryAfterMs(answer);
      if (isBlocked(answer))
        return {
          action: "retry",
          delayMs: Math.max(0, this.#pausedUntil - this.#options.now()),
          why: "SFMC blocked the account's requests for a while (429, 50200)",
          pauseAccount: true,
        };
      return {
        action: "retry",
        delayMs: this.#jittered(asked ?? this.#backoff(attempt)),
        why: `SFMC is throttling (429${asked === null ? ", no Retry-After" : ""})`,
        pauseAccount: false,
      };
    }
    if (status === 503) {
      const asked = retryAfterMs(answer);
      return {
        action: "retry",
        delayMs: this.#jittered(asked ?? this.#backoff(attempt)),
        why: "SFMC is unavailable (503)",
        pauseAccount: false,
      };
    }
    if (status >= 500) {
      // A send that failed on the server may or may not have been taken.
      if (call.kind === "send")
        return { action: "unknown", reason: `SFMC answered ${status}, which does not say` };
      return {
        action: "retry",
        delayMs: this.#jittered(this.#backoff(attempt)),
        why: `SFMC failed (${status})`,
        pauseAccount: false,
      };
    }
    return { action: "return" };
  }

  /** Pauses every call of the account: 30 s after a first 50200, doubling while they repeat. */
  #startPause(): void {
    this.#blockedInARow += 1;
    const { blockedDelayMs, maxBlockedDelayMs } = this.#options.retry;
    const pause = Math.min(maxBlockedDelayMs, blockedDelayMs * 2 ** (this.#blockedInARow - 1));
    this.#pausedUntil = Math.max(this.#pausedUntil, this.#options.now() + this.#jittered(pause));
  }

  #backoff(attempt: number): number {
    const { baseDelayMs, maxDelayMs } = this.#options.retry;
    return Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
  }

  /** Never below `ms` (a `Retry-After` is a minimum), up to `jitter` × `ms` more. */
  #jittered(ms: number): number {
    return Math.round(ms * (1 + this.#options.retry.jitter * this.#options.random()));
  }
}
