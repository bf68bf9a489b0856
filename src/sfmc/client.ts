/**
 * The typed SFMC client of one account: `/v2/token` per business unit, push message list and get,
 * application get, `messageContact` send and deliveries (sfmc-mobilepush-api.md).
 *
 * ```ts
 * const client = createSfmcClient({ account, secret: () => vault.resolve(account.clientSecret, "…"), secrets: vault });
 * const tokenId = await client.sendToContacts("100", messageId, ["C000001"], new Date("2026-06-01T18:00Z"));
 * const deliveries = await client.getDeliveries("100", messageId, tokenId);
 * ```
 */
import type { Logger } from "pino";
import type { z } from "zod";
import { type Clock, systemClock } from "../clock.ts";
import { SecretVault } from "../config/secrets.ts";
import { silentLogger } from "../logger.ts";
import { formatSendTime, parseCstDate } from "../time/sfmc-time.ts";
import { joinUrl, requestToken, type SfmcAccountSettings, type TokenSource } from "./auth.ts";
import { answerError, SendOutcomeUnknown, SfmcConnectionError, unexpectedBody } from "./errors.ts";
import { redactedLog, type SfmcLog } from "./log.ts";
import {
  type Application,
  type DeliveriesResponse,
  DeliveriesResponse as DeliveriesSchema,
  type MessageContactSendBody,
  MessagePage,
  type PushMessage,
  type SendOverrides,
  SendResponse,
  SingleApplication,
  SingleMessage,
} from "./schemas.ts";
import { type AccessGrant, TokenCache } from "./tokens.ts";
import {
  type CallKind,
  DEFAULT_RETRY,
  DEFAULT_TIMEOUTS,
  type RetryPolicy,
  type Timeouts,
  Transport,
} from "./transport.ts";

/** Most contact keys one `messageContact` send takes. */
export const MAX_KEYS_PER_SEND = 5000;

export interface SfmcClientOptions {
  account: SfmcAccountSettings;
  /** Resolves the client secret; called when the first token is needed. */
  secret: () => string;
  /** (Default: the global `fetch`) */
  fetch?: typeof fetch;
  /** pino logger; lines carry `component: "sfmc"` and the account (Default: silent). */
  logger?: Logger;
  /** Overrides `account.maxInFlight` (Default: 4). */
  maxInFlight?: number;
  retry?: Partial<RetryPolicy>;
  timeouts?: Partial<Timeouts>;
  /** A token is renewed when less than this is left of its `expires_in` (Default: 60 s). */
  refreshBeforeMs?: number;
  /** The clock for token expiry, `Retry-After` dates and retry waits (Default: the system clock). */
  clock?: Clock;
  /**
   * Where the client secret and every token issued are remembered, and through which every log
   * line and error message is redacted (Default: a vault of the client's own).
   */
  secrets?: SecretVault;
  /** (Default: `Math.random`) */
  random?: () => number;
}

/** What a token for a business unit grants (the token itself stays inside the client). */
export interface TokenInfo {
  mid: string;
  scopes: string[];
  restUrl: string;
  expiresAt: Date;
}

/** A delivery report of one send, with its CST dates read. */
export type Deliveries = DeliveriesResponse & {
  createdAt: Date | null;
  scheduledAt: Date | null;
  completedAt: Date | null;
};

export interface MessageQuery {
  /** e.g. `messageType eq 1` (SFMC's `$filter`). */
  filter?: string;
  /** e.g. `id asc` (SFMC's `$orderBy`). */
  orderBy?: string;
  /** (Default: 50) */
  pageSize?: number;
}

const segment = (value: string) => encodeURIComponent(value);

/** The typed client of one SFMC account (one installed package). */
export class SfmcClient {
  readonly account: SfmcAccountSettings;
  readonly #secrets: SecretVault;
  readonly #log: SfmcLog;
  readonly #transport: Transport;
  readonly #tokens: TokenCache;
  readonly #now: () => number;
  readonly #options: SfmcClientOptions;

  constructor(options: SfmcClientOptions) {
    this.#options = options;
    this.account = options.account;
    const clock = options.clock ?? systemClock;
    this.#now = () => clock.now().getTime();
    this.#secrets = options.secrets ?? new SecretVault({});
    this.#log = redactedLog(options.logger ?? silentLogger(), options.account.name, this.#secrets);
    this.#transport = new Transport({
      fetch: options.fetch ?? globalThis.fetch,
      maxInFlight: options.maxInFlight ?? options.account.maxInFlight ?? 4,
      retry: { ...DEFAULT_RETRY, ...options.retry },
      timeouts: { ...DEFAULT_TIMEOUTS, ...options.timeouts },
      sleep: (ms) => clock.sleep(ms),
      random: options.random ?? Math.random,
      now: this.#now,
      log: this.#log,
    });
    const tokenSource: TokenSource = {
      account: this.account,
      secret: options.secret,
      transport: this.#transport,
      secrets: this.#secrets,
      log: this.#log,
      now: this.#now,
    };
    this.#tokens = new TokenCache({
      fetchToken: (mid) => requestToken(tokenSource, mid),
      now: this.#now,
      refreshBeforeMs: options.refreshBeforeMs ?? 60_000,
    });
  }

  /**
   * A client of the same account with another retry policy (and tokens of its own), e.g. one
   * that says at once that SFMC cannot be reached, for a check.
   */
  withRetry(retry: Partial<RetryPolicy>): SfmcClient {
    return new SfmcClient({ ...this.#options, retry: { ...this.#options.retry, ...retry } });
  }

  /** How many 429 answers (throttling) the account got so far; the executor slows down on them. */
  get throttledAnswers(): number {
    return this.#transport.throttled;
  }

  /** Gets (or reuses) the token of business unit `mid` and says what it grants. */
  async authenticate(mid: string): Promise<TokenInfo> {
    const grant = await this.#tokens.get(mid);
    return {
      mid,
      scopes: grant.scopes,
      restUrl: grant.restUrl,
      expiresAt: new Date(grant.expiresAt),
    };
  }

  /** One page of the business unit's push messages (`GET /push/v1/message`). */
  async listMessages(
    mid: string,
    query: MessageQuery & { page?: number } = {},
  ): Promise<MessagePage> {
    const params = [`$page=${query.page ?? 1}`, `$pageSize=${query.pageSize ?? 50}`];
    if (query.filter) params.push(`$filter=${encodeURIComponent(query.filter)}`);
    if (query.orderBy) params.push(`$orderBy=${encodeURIComponent(query.orderBy)}`);
    const path = `/push/v1/message?${params.join("&")}`;
    return this.#rest(mid, "read", "GET", path, MessagePage);
  }

  /**
   * Every push message of the business unit matching `query`, page by page. When the total changes
   * while paging (a message created or deleted meanwhile), the listing starts over (up to 3 times).
   */
  async listAllMessages(mid: string, query: MessageQuery = {}): Promise<PushMessage[]> {
    for (let round = 1; ; round += 1) {
      const byId = new Map<string, PushMessage>();
      let total = -1;
      let changed = false;
      for (let page = 1; ; page += 1) {
        const answer = await this.listMessages(mid, { ...query, page });
        if (total !== -1 && answer.count !== total) changed = true;
        total = answer.count;
        for (const message of answer.items) byId.set(message.id, message);
        if (answer.items.length === 0 || page * answer.pageSize >= answer.count) break;
      }
      if (!changed || round >= 3) return [...byId.values()];
      this.#log.info({ mid, round }, "message list changed while paging; listing again");
    }
  }

  /** A push message of the business unit; null when SFMC does not know it (404). */
  async getMessage(mid: string, messageId: string): Promise<PushMessage | null> {
    return this.#rest(mid, "read", "GET", `/push/v1/message/${segment(messageId)}`, SingleMessage, {
      nullOn404: true,
    });
  }

  /** A MobilePush app of the business unit; null when it is not one of its apps (404). */
  async getApplication(mid: string, appId: string): Promise<Application | null> {
    const path = `/push/v1/application/${segment(appId)}`;
    return this.#rest(mid, "read", "GET", path, SingleApplication, { nullOn404: true });
  }

  /**
   * Sends push message `messageId` to up to 5000 contact keys (`messageContact` send) at
   * `sendTime` (SFMC's UTC-6 minute; now when absent) and returns SFMC's tokenId. Repeated only
   * when SFMC answered that it did not take the send (429, 503), or when the connection failed
   * before the request was written; when the request may have reached SFMC without an answer, it
   * throws `SendOutcomeUnknown` with the keys.
   */
  async sendToContacts(
    mid: string,
    messageId: string,
    contactKeys: readonly string[],
    sendTime?: Date,
    overrides: SendOverrides = {},
  ): Promise<string> {
    if (contactKeys.length === 0 || contactKeys.length > MAX_KEYS_PER_SEND)
      throw new RangeError(
        `a send takes 1 to ${MAX_KEYS_PER_SEND} contact keys, not ${contactKeys.length}`,
      );
    if (contactKeys.some((key) => typeof key !== "string" || key.trim() === ""))
      throw new RangeError("a contact key must be a non-empty string");
    const batch = {
      account: this.account.name,
      mid,
      messageId,
      contactKeys: Object.freeze([...contactKeys]),
    };
    const body = sendBody(batch.contactKeys, sendTime, overrides);
    const path = `/push/v1/messageContact/${segment(messageId)}/send`;
    const answer = await this.#rest(mid, "send", "POST", path, SendResponse, {
      body: JSON.stringify(body),
      unknownOutcome: (reason, cause) =>
        new SendOutcomeUnknown(batch, this.#secrets.redact(reason), { cause }),
      // Taken (2xx) but without a readable tokenId: the send happened, its tokenId is lost.
      unreadable: (status) =>
        new SendOutcomeUnknown(batch, `SFMC answered ${status} without a readable tokenId`),
    });
    this.#log.info(
      {
        mid,
        messageId,
        keys: contactKeys.length,
        tokenId: answer.tokenId,
        sendTime: body.SendTime,
      },
      "send accepted",
    );
    return answer.tokenId;
  }

  /** The delivery report of a send (`GET …/messageContact/{messageId}/deliveries/{tokenId}`). */
  async getDeliveries(mid: string, messageId: string, tokenId: string): Promise<Deliveries> {
    const path = `/push/v1/messageContact/${segment(messageId)}/deliveries/${segment(tokenId)}`;
    const answer = await this.#rest(mid, "read", "GET", path, DeliveriesSchema);
    return {
      ...answer,
      createdAt: parseCstDate(answer.createDate),
      scheduledAt: parseCstDate(answer.scheduledDate),
      completedAt: parseCstDate(answer.completeDate),
    };
  }

  /** A REST call with the business unit's token; one forced token renewal on a 401. */
  async #rest<T extends z.ZodType>(
    mid: string,
    kind: Exclude<CallKind, "token">,
    method: "GET" | "POST",
    path: string,
    schema: T,
    options: { nullOn404: true; body?: string },
  ): Promise<z.output<T> | null>;
  async #rest<T extends z.ZodType>(
    mid: string,
    kind: Exclude<CallKind, "token">,
    method: "GET" | "POST",
    path: string,
    schema: T,
    options?: {
      body?: string;
      unknownOutcome?: (reason: string, cause?: unknown) => Error;
      unreadable?: (status: number) => Error;
    },
  ): Promise<z.output<T>>;
  async #rest<T extends z.ZodType>(
    mid: string,
    kind: Exclude<CallKind, "token">,
    method: "GET" | "POST",
    path: string,
    schema: T,
    options: {
      body?: string;
      nullOn404?: boolean;
      unknownOutcome?: (reason: string, cause?: unknown) => Error;
      unreadable?: (status: number) => Error;
    } = {},
  ): Promise<z.output<T> | null> {
    const context = { account: this.account.name, mid, method, path };
    let refused: string | undefined;
    for (;;) {
      const grant: AccessGrant = await this.#tokens.get(mid, refused);
      const headers: Record<string, string> = {
        authorization: `Bearer ${grant.accessToken}`,
        accept: "application/json",
      };
      if (options.body !== undefined) headers["content-type"] = "application/json";
      const answer = await this.#transport.call(
        { ...context, kind, url: joinUrl(grant.restUrl, path), headers, body: options.body },
        options.unknownOutcome ??
          ((reason, cause) => new SfmcConnectionError(context, 1, reason, { cause })),
      );
      if (answer.status === 401 && refused === undefined) {
        this.#log.info({ mid, method, path }, "SFMC refused the token (401); renewing it once");
        refused = grant.accessToken;
        continue;
      }
      if (answer.status === 404 && options.nullOn404) return null;
      if (answer.status < 200 || answer.status > 299)
        throw answerError(answer, context, (text) => this.#secrets.redact(text));
      const parsed = schema.safeParse(answer.body);
      if (parsed.success) return parsed.data;
      if (options.unreadable) throw options.unreadable(answer.status);
      throw unexpectedBody(answer.status, context, parsed.error);
    }
  }
}

/** The send's body in the PascalCase of the doc's examples. */
export function sendBody(
  contactKeys: readonly string[],
  sendTime: Date | undefined,
  overrides: SendOverrides,
): MessageContactSendBody {
  const body: MessageContactSendBody = { SubscriberKeys: [...contactKeys] };
  if (sendTime) body.SendTime = formatSendTime(sendTime);
  if (overrides.messageText !== undefined) {
    body.Override = true;
    body.MessageText = overrides.messageText;
  }
  if (overrides.title !== undefined) body.title = overrides.title;
  if (overrides.subtitle !== undefined) body.subtitle = overrides.subtitle;
  if (overrides.sound !== undefined) body.Sound = overrides.sound;
  if (overrides.badge !== undefined) body.Badge = overrides.badge;
  if (overrides.openDirect !== undefined) body.OpenDirect = overrides.openDirect;
  if (overrides.customKeys !== undefined) body.CustomKeys = overrides.customKeys;
  if (overrides.customPayload !== undefined)
    body.CustomPayload =
      typeof overrides.customPayload === "string"
        ? overrides.customPayload
        : JSON.stringify(overrides.customPayload);
  if (overrides.mutableContent) body["mutable-content"] = 1;
  if (overrides.inclusionTags) body.InclusionTags = overrides.inclusionTags;
  if (overrides.exclusionTags) body.ExclusionTags = overrides.exclusionTags;
  return body;
}

/** A client for the account. */
export function createSfmcClient(options: SfmcClientOptions): SfmcClient {
  return new SfmcClient(options);
}
