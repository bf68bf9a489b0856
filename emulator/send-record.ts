import { z } from "zod";
import type { Behaviour } from "./behaviour.ts";
import { formatCst } from "./clock.ts";

/** An accepted send as the emulator records it (and as the state file stores it). */
export const SendRecord = z
  .object({
    tokenId: z.string(),
    route: z.literal("messageContact"),
    clientId: z.string(),
    mid: z.number().int(),
    messageId: z.string(),
    appId: z.string(),
    subscriberKeys: z.array(z.string()),
    deviceTokens: z.array(z.string()),
    inclusionTags: z.array(z.string()),
    exclusionTags: z.array(z.string()),
    override: z.boolean(),
    messageText: z.string().nullable(),
    title: z.string().nullable(),
    subtitle: z.string().nullable(),
    /** `SendTime` as given (CST, `yyyy-MM-dd HH:mm`), or null for "now". */
    sendTime: z.string().nullable(),
    /** When the send was asked to go out: `SendTime`, or the time it was accepted. */
    requestedAt: z.number(),
    acceptedAt: z.number(),
    /** When it could go out at the earliest: the requested time, not before pick-up. */
    dueAt: z.number(),
    /** When it is (or was) executed: `dueAt`, or later when the send-rate budget was spent. */
    executeAt: z.number(),
    /** Keys and tokens in the request: what the send-rate budget counts. */
    recipients: z.number().int(),
    /** Opted-in contacts of the message's app the send reaches (the deliveries `count`). */
    count: z.number().int(),
    /** Other fields of the request (Sound, Badge, CustomKeys, …) as given. */
    fields: z.record(z.string(), z.unknown()),
  })
  .strict();
export type SendRecord = z.infer<typeof SendRecord>;

/** Delivery status at `now`: `New` → (`Queuing` while held by the budget) → `Started` → `Finished`. */
export function deliveryStatus(send: SendRecord, now: number, behaviour: Behaviour): string {
  if (now < send.executeAt) return now >= send.dueAt ? "Queuing" : "New";
  if (now < send.executeAt + behaviour.deliveryStartedSeconds * 1000) return "Started";
  return "Finished";
}

const iso = (ms: number) => new Date(ms).toISOString();

/** A send as the admin API shows it: times in ISO (UTC) and CST, lateness in seconds. */
export function sendView(send: SendRecord, now: number, behaviour: Behaviour) {
  return {
    ...send,
    status: deliveryStatus(send, now, behaviour),
    requestedAt: iso(send.requestedAt),
    acceptedAt: iso(send.acceptedAt),
    dueAt: iso(send.dueAt),
    executeAt: iso(send.executeAt),
    executeAtCst: formatCst(send.executeAt),
    /** Seconds between the requested time and the actual execution. */
    latenessSeconds: (send.executeAt - send.requestedAt) / 1000,
    /** Seconds the send-rate budget held the send back. */
    budgetDelaySeconds: (send.executeAt - send.dueAt) / 1000,
  };
}
