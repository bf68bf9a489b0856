/**
 * The zod shapes of the SFMC payloads Nightjar reads and writes (sfmc-mobilepush-api.md §1, §2, §6).
 * Response shapes check only what Nightjar relies on and let every other field through.
 */
import { z } from "zod";

/** A numeric code SFMC may write as a number or a digit string (`status`, `messageType`, …). */
const Code = z.union([z.number().int(), z.string().regex(/^\d+$/).transform(Number)]);

/** The body of `POST /v2/token` (client credentials, JSON). */
export interface TokenRequest {
  grant_type: "client_credentials";
  client_id: string;
  client_secret: string;
  /** The MID of the business unit the token is for. */
  account_id: number;
}

/** `200` of `POST /v2/token`. */
export const TokenResponse = z
  .object({
    access_token: z.string().min(1),
    token_type: z.string().optional(),
    /** Seconds; SFMC says 1079 for a 20-minute token, so that clients refresh early. */
    expires_in: z.number().positive(),
    /** Space-separated scopes granted. */
    scope: z.string().default(""),
    rest_instance_url: z.string().min(1),
    soap_instance_url: z.string().optional(),
  })
  .loose();
export type TokenResponse = z.infer<typeof TokenResponse>;

/** Error body 1, `/v2/token`: `{error, error_description, error_uri}`. */
export const OAuthErrorBody = z
  .object({
    error: z.string(),
    error_description: z.string().optional(),
    error_uri: z.string().optional(),
  })
  .loose();

/** Error body 2, gateway and platform REST: `{message, errorcode, documentation, retryAfter?}`. */
export const RestErrorBody = z
  .object({
    message: z.string().optional(),
    errorcode: z.number().optional(),
    documentation: z.string().optional(),
    retryAfter: z.number().optional(),
    additionalErrors: z.array(z.unknown()).optional(),
  })
  .loose()
  .refine((body) => body.message !== undefined || body.errorcode !== undefined);

/** Error body 3, MobilePush validation: `400 {"errors": ["…", …]}`. */
export const ValidationErrorBody = z.object({ errors: z.array(z.unknown()) }).loose();

/** `messageType` 1: outbound; `contentType` 1: alert; `sendInitiator` 1: API; `status` 2: active. */
export const OUTBOUND = 1;
export const ALERT = 1;
export const API_TRIGGERED = 1;
export const ACTIVE = 2;

/**
 * A push message definition as the list and the single GET show it. List items carry `statusid`
 * where a single message has `status` (doc inconsistency); `status` is whichever is present.
 */
export const PushMessage = z
  .object({
    id: z.string().min(1),
    name: z.string(),
    messageType: Code,
    contentType: Code,
    sendInitiator: Code.optional(),
    status: Code.optional(),
    statusid: Code.optional(),
    application: z.object({ id: z.string().min(1), name: z.string().optional() }).loose(),
    alert: z.string().optional(),
    title: z.string().optional(),
  })
  .loose()
  .transform(({ status, statusid, ...message }) => ({
    ...message,
    status: status ?? statusid ?? null,
    sendInitiator: message.sendInitiator ?? null,
  }));
export type PushMessage = z.output<typeof PushMessage>;

/** `GET /push/v1/message`: one page. */
export const MessagePage = z
  .object({
    count: z.number().int().nonnegative(),
    page: z.number().int().positive(),
    pageSize: z.number().int().positive(),
    items: z.array(PushMessage),
  })
  .loose();
export type MessagePage = z.output<typeof MessagePage>;

/** `GET /push/v1/message/{id}`: a one-element array in the doc example, or the object. */
export const SingleMessage = z
  .union([z.array(PushMessage).min(1), PushMessage])
  .transform((answer) => (Array.isArray(answer) ? (answer[0] as PushMessage) : answer));

/** A MobilePush application. */
export const Application = z
  .object({
    id: z.string().min(1),
    name: z.string(),
    description: z.string().nullish(),
    keys: z.array(z.object({ key: z.string() }).loose()).optional(),
    apnsEnabled: z.boolean().optional(),
    gcmEnabled: z.boolean().optional(),
  })
  .loose();
export type Application = z.infer<typeof Application>;

/** `GET /push/v1/application/{id}`: a one-element array (doc), or the object. */
export const SingleApplication = z
  .union([z.array(Application).min(1), Application])
  .transform((answer) => (Array.isArray(answer) ? (answer[0] as Application) : answer));

/** `POST /push/v1/messageContact/{messageId}/send`, in the PascalCase of the doc's examples. */
export interface MessageContactSendBody {
  SubscriberKeys: string[];
  /** `yyyy-MM-dd HH:mm` in UTC-6 (CST all year). */
  SendTime?: string;
  Override?: boolean;
  MessageText?: string;
  title?: string;
  subtitle?: string;
  Sound?: string;
  Badge?: string;
  OpenDirect?: string;
  CustomKeys?: Record<string, string>;
  /** An escaped JSON string (the table's wording; safer than the example's object). */
  CustomPayload?: string;
  "mutable-content"?: 1;
  InclusionTags?: string[];
  ExclusionTags?: string[];
}

/** What a send may change for this send only (per-send overrides of the message definition). */
export interface SendOverrides {
  /** Replaces the definition's text (sends `Override: true` with it). */
  messageText?: string;
  title?: string;
  subtitle?: string;
  sound?: string;
  badge?: string;
  openDirect?: string;
  /** Custom keys; they must exist on the app. */
  customKeys?: Record<string, string>;
  /** Sent as a JSON string. */
  customPayload?: string | Record<string, unknown>;
  /** iOS rich push. */
  mutableContent?: boolean;
  inclusionTags?: string[];
  exclusionTags?: string[];
}

/** `2xx` of a send. */
export const SendResponse = z.object({ tokenId: z.string().min(1) }).loose();

/** `GET /push/v1/messageContact/{messageId}/deliveries/{tokenId}`. Dates are CST without offset. */
export const DeliveriesResponse = z
  .object({
    messageId: z.string().optional(),
    message: z.object({ id: z.string() }).loose().optional(),
    /** Contacts the send tried (opted-out ones excluded). */
    count: z.number().int().nonnegative(),
    createDate: z.string().optional(),
    scheduledDate: z.string().optional(),
    completeDate: z.string().optional(),
    /** `New`, `Queuing`, `Started`, `Finished` or `Error`. */
    status: z.string().optional(),
    triggeredSendStatus: z.string().optional(),
  })
  .loose();
export type DeliveriesResponse = z.infer<typeof DeliveriesResponse>;
