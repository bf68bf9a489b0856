import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { formatCst, parseSendTime } from "./clock.ts";
import { fillTemplate, restError, type SfmcReply, validationErrors } from "./errors.ts";
import { canonicalFields, isRecord } from "./fields.ts";
import { answer, tokenOf } from "./http.ts";
import { decodeMessageId, isGuid, newGuid } from "./ids.ts";
import { issueTexts } from "./message-schema.ts";
import { deliveryStatus, type SendRecord } from "./send-record.ts";
import type { AccessToken, EmulatorStore } from "./store.ts";
import type { BusinessUnit, PushMessage, Registration } from "./tenant.ts";

/** Most keys or tokens one `messageContact` send takes. */
export const MAX_KEYS_PER_SEND = 5000;

/** Every documented field of a `messageContact` send, in the doc's spelling. */
const SEND_FIELDS = [
  "SubscriberKeys",
  "DeviceTokens",
  "InclusionTags",
  "ExclusionTags",
  "Override",
  "MessageText",
  "title",
  "subtitle",
  "mutable-content",
  "SendTime",
  "blackoutWindow",
  "MessageCategory",
  "Sound",
  "Badge",
  "OpenDirect",
  "CustomKeys",
  "CustomPayload",
  "content-available",
] as const;

const Strings = z.array(z.string()).nullish();

/** The body of `POST /push/v1/messageContact/{messageId}/send`, field names made canonical. */
export const MessageContactSend = z
  .object({
    SubscriberKeys: Strings,
    DeviceTokens: Strings,
    InclusionTags: Strings,
    ExclusionTags: Strings,
    Override: z
      .union([z.boolean(), z.enum(["true", "false"]).transform((value) => value === "true")])
      .nullish(),
    MessageText: z.string().nullish(),
    title: z.string().nullish(),
    subtitle: z.string().nullish(),
    // Checked by hand, so a bad value gets the documented text.
    SendTime: z.unknown().optional(),
    CustomKeys: z
      .union([z.record(z.string(), z.unknown()), z.array(z.object({ key: z.string() }).loose())])
      .nullish(),
    CustomPayload: z.union([z.string(), z.record(z.string(), z.unknown())]).nullish(),
  })
  .loose();
export type MessageContactSend = z.infer<typeof MessageContactSend>;

/** Whether the registration passes the send's tag filters. */
function tagsAllow(registration: Registration, inclusion: string[], exclusion: string[]): boolean {
  if (inclusion.length > 0 && !registration.tags.some((tag) => inclusion.includes(tag)))
    return false;
  return !registration.tags.some((tag) => exclusion.includes(tag));
}

/** The message of the token's BU a send or deliveries call names, or the documented 400. */
function sendableMessage(bu: BusinessUnit, messageId: string): PushMessage | SfmcReply {
  if (decodeMessageId(messageId) === null)
    return validationErrors([fillTemplate("Message id {0} is not valid.", messageId)]);
  const message = bu.messages.get(messageId);
  if (!message)
    return validationErrors([fillTemplate("Message {0} is not valid for the client.", messageId)]);
  return message;
}

const isMessage = (value: PushMessage | SfmcReply): value is PushMessage => "definition" in value;

/** Decides the answer to a `messageContact` send, recording it when it is accepted. */
export function acceptSend(
  store: EmulatorStore,
  token: AccessToken,
  messageId: string,
  body: unknown,
): SfmcReply {
  const { behaviour } = store;
  const bu = store.tenant.businessUnit(token.mid);
  const message = sendableMessage(bu, messageId);
  if (!isMessage(message)) return message;
  if (message.definition.status !== 2)
    return validationErrors([
      fillTemplate("The status for Message {0} is not set to Active.", messageId),
    ]);
  if (!isRecord(body)) return validationErrors(["The request body must be a JSON object."]);
  const parsed = MessageContactSend.safeParse(
    canonicalFields(body, SEND_FIELDS, behaviour.caseInsensitiveFields),
  );
  if (!parsed.success) return validationErrors(issueTexts(parsed.error));
  const send = parsed.data;
  const errors: string[] = [];

  const keys = send.SubscriberKeys ?? null;
  const tokens = send.DeviceTokens ?? null;
  if (keys === null && tokens === null)
    errors.push("One or more DeviceTokens must be specified in order to send a message.");
  if (tokens !== null && tokens.length === 0 && !keys?.length)
    errors.push("The count of DeviceTokens cannot be zero.");
  if (keys !== null && keys.length === 0 && !tokens?.length)
    errors.push(behaviour.texts.subscriberKeysZero);
  if (keys !== null && keys.length > MAX_KEYS_PER_SEND)
    errors.push(fillTemplate(behaviour.texts.tooManyKeys, "SubscriberKeys"));
  if (tokens !== null && tokens.length > MAX_KEYS_PER_SEND)
    errors.push(fillTemplate(behaviour.texts.tooManyKeys, "DeviceTokens"));

  const override = send.Override === true;
  const text = send.MessageText ?? "";
  if (override) {
    if (text.trim() === "") errors.push("Cannot override message text with a blank message.");
  } else if (text !== "") {
    errors.push("MessageText is not applicable when Override is false.");
  } else if (!message.definition.alert?.trim()) {
    errors.push("Message is blank and no override message was provided.");
  }

  const now = store.clock.now();
  let requestedAt = now;
  const sendTime = send.SendTime ?? null;
  if (sendTime !== null) {
    const at = typeof sendTime === "string" ? parseSendTime(sendTime) : null;
    if (at === null)
      errors.push(
        fillTemplate("{0} is not a valid send time (yyyy-MM-dd HH:mm).", String(sendTime)),
      );
    else requestedAt = at;
  }
  if (errors.length > 0) return validationErrors(errors);

  const appId = message.definition.application.id;
  const inclusion = send.InclusionTags ?? [];
  const exclusion = send.ExclusionTags ?? [];
  // Each contact key (or device token) counts once, however often the request repeats it.
  let count = 0;
  const unknown: string[] = [];
  const lookups = [
    ...[...new Set(keys ?? [])].map((key) => [key, bu.contacts.registration(appId, key)] as const),
    ...[...new Set(tokens ?? [])].map(
      (deviceToken) => [deviceToken, bu.contacts.byDeviceToken(appId, deviceToken)] as const,
    ),
  ];
  for (const [key, registration] of lookups) {
    if (!registration) unknown.push(key);
    else if (registration.optedIn && tagsAllow(registration, inclusion, exclusion)) count += 1;
  }
  if (behaviour.unknownKeys === "reject" && unknown.length > 0)
    return validationErrors([fillTemplate(behaviour.texts.unknownKeys, unknown.join(", "))]);

  const recipients = (keys?.length ?? 0) + (tokens?.length ?? 0);
  const dueAt = Math.max(requestedAt, now + behaviour.deliveryNewSeconds * 1000);
  const client = store.tenant.clients.get(token.clientId);
  const limit = client?.sendBudget ?? behaviour.budget;
  const executeAt = store.budgets.earliestFit(token.clientId, dueAt, recipients, limit);
  if (executeAt > dueAt && behaviour.budget.mode === "reject") {
    const wait = Math.max(1, Math.ceil((executeAt - dueAt) / 1000));
    return restError(
      429,
      "Rate limit exceeded",
      50100,
      { retryAfter: wait },
      { "retry-after": String(wait) },
    );
  }

  const {
    SubscriberKeys: _k,
    DeviceTokens: _t,
    InclusionTags: _i,
    ExclusionTags: _e,
    Override: _o,
    MessageText: _m,
    title,
    subtitle,
    SendTime: _s,
    ...fields
  } = send;
  const record: SendRecord = {
    tokenId: newGuid(),
    route: "messageContact",
    clientId: token.clientId,
    mid: token.mid,
    messageId,
    appId,
    subscriberKeys: keys ?? [],
    deviceTokens: tokens ?? [],
    inclusionTags: inclusion,
    exclusionTags: exclusion,
    override,
    messageText: send.MessageText ?? null,
    title: title ?? null,
    subtitle: subtitle ?? null,
    sendTime: typeof sendTime === "string" ? sendTime : null,
    requestedAt,
    acceptedAt: now,
    dueAt,
    executeAt,
    recipients,
    count,
    fields,
  };
  store.addSend(record);
  return { status: behaviour.sendStatus, body: { tokenId: record.tokenId } };
}

/** Decides the answer to `GET …/messageContact/{messageId}/deliveries/{tokenId}`. */
export function deliveries(
  store: EmulatorStore,
  token: AccessToken,
  messageId: string,
  tokenId: string,
): SfmcReply {
  const bu = store.tenant.businessUnit(token.mid);
  const message = sendableMessage(bu, messageId);
  if (!isMessage(message)) return message;
  const send = isGuid(tokenId) ? store.sends.get(tokenId.toLowerCase()) : undefined;
  if (!send) return validationErrors([fillTemplate("Token id {0} is not valid.", tokenId)]);
  if (send.mid !== token.mid)
    return validationErrors([fillTemplate("Token id {0} is not valid for this client.", tokenId)]);
  if (send.messageId !== messageId)
    return validationErrors([
      fillTemplate("TokenId {0} is not valid for MessageId {1}.", tokenId, messageId),
    ]);
  return {
    status: 200,
    body: {
      messageId,
      message: { id: messageId },
      count: send.count,
      createDate: formatCst(send.acceptedAt),
      scheduledDate: formatCst(send.requestedAt),
      status: deliveryStatus(send, store.clock.now(), store.behaviour),
      triggeredSendStatus: "Active",
    },
  };
}

/** The `messageContact` send and deliveries routes. */
export function registerSendRoutes(app: FastifyInstance, store: EmulatorStore): void {
  app.post<{ Params: { messageId: string } }>(
    "/push/v1/messageContact/:messageId/send",
    { config: { route: "send", auth: { scope: "push_send" } } },
    async (request, reply) =>
      answer(reply, acceptSend(store, tokenOf(request), request.params.messageId, request.body)),
  );

  app.get<{ Params: { messageId: string; tokenId: string } }>(
    "/push/v1/messageContact/:messageId/deliveries/:tokenId",
    { config: { route: "deliveries", auth: { scope: "push_read" } } },
    async (request, reply) =>
      answer(
        reply,
        deliveries(store, tokenOf(request), request.params.messageId, request.params.tokenId),
      ),
  );
}
