import { z } from "zod";
import { canonicalFields, isRecord } from "./fields.ts";

/** A numeric code given as a number or a numeric string, limited to `allowed`. */
function code(allowed: readonly number[]) {
  return z.union([z.number(), z.string().regex(/^\d+$/).transform(Number)]).pipe(
    z
      .number()
      .int()
      .refine((value) => allowed.includes(value), {
        message: `must be one of ${allowed.join(", ")}`,
      }),
  );
}

/**
 * The body of `POST`/`PUT /push/v1/message` (and a message in a seed file), with the documented
 * fields checked and any other field kept as given.
 */
export const PushMessageDefinition = z
  .object({
    name: z.string().trim().min(1).max(100),
    /** 1 Outbound, 3 Location Entry, 4 Location Exit, 5 Beacon, 8 Inbox. */
    messageType: code([1, 3, 4, 5, 8]),
    /** 1 Alert, 2 Inbox, 3 Inbox+Alert. */
    contentType: code([1, 2, 3]),
    application: z.object({ id: z.string().min(1), name: z.string().optional() }).loose(),
    alert: z.string().optional(),
    title: z.string().optional(),
    subtitle: z.string().optional(),
    sound: z.string().optional(),
    badge: z.union([z.string(), z.number()]).optional(),
    openDirect: z.string().max(15).optional(),
    keys: z.array(z.object({ key: z.string(), value: z.string() }).loose()).optional(),
    custom: z.unknown().optional(),
    /** 0 UI, 1 API (default), 2 Automation, 3 Journey Builder. */
    sendInitiator: code([0, 1, 2, 3]).default(1),
    /** 1 Draft, 2 Active (default), 3 Inactive, 4 Deleted. */
    status: code([1, 2, 3, 4]).default(2),
    startDate: z.string().optional(),
    endDate: z.string().optional(),
  })
  .loose();
export type PushMessageDefinition = z.infer<typeof PushMessageDefinition>;

/** Every documented field of a push message definition, in SFMC's spelling. */
export const MESSAGE_FIELDS = [
  "messageType",
  "contentType",
  "name",
  "application",
  "alert",
  "title",
  "subtitle",
  "sound",
  "badge",
  "content-available",
  "mutable-content",
  "openDirect",
  "keys",
  "custom",
  "sendInitiator",
  "startDate",
  "endDate",
  "status",
  "messagesPerPeriod",
  "minutesPerPeriod",
  "numberOfPeriods",
  "periodType",
  "isRollingPeriod",
  "messageLimit",
  "tzBased",
  "tzPastSendAction",
  "scheduledTzOffset",
  "scheduledTzSupportsDst",
  "inclusionLists",
  "exclusionLists",
  "pageId",
  "url",
  "subject",
  "media",
  "geofences",
] as const;

/** The body's field names in SFMC's spelling (also inside `application`). */
export function canonicalMessageBody(body: unknown, caseInsensitive: boolean): unknown {
  if (!isRecord(body)) return body;
  const out = canonicalFields(body, MESSAGE_FIELDS, caseInsensitive);
  if (isRecord(out.application)) {
    out.application = canonicalFields(out.application, ["id", "name"], caseInsensitive);
  }
  return out;
}

/** Zod issues as the texts of a `{"errors": [...]}` body. */
export function issueTexts(error: z.ZodError): string[] {
  return error.issues.map((issue) => {
    const path = issue.path.join(".");
    return path ? `${path}: ${issue.message}` : issue.message;
  });
}
