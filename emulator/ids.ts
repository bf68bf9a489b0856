import { randomUUID } from "node:crypto";

/** SFMC's object type code for push message definitions (`164:114:0`). */
export const PUSH_MESSAGE_TYPE_CODE = 114;

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The id SFMC gives push message number `n`: base64url, no padding, of `"n:114:0"`. */
export function encodeMessageId(n: number): string {
  return Buffer.from(`${n}:${PUSH_MESSAGE_TYPE_CODE}:0`, "utf8").toString("base64url");
}

/** The number inside a push message id, or null when the id is not in the `n:114:0` shape. */
export function decodeMessageId(id: string): number | null {
  if (!/^[A-Za-z0-9_-]+$/.test(id)) return null;
  const text = Buffer.from(id, "base64url").toString("utf8");
  const match = /^([1-9]\d{0,15}):114:0$/.exec(text);
  // Re-encoding guards against ids that decode by accident (trailing bits, other spellings).
  if (!match?.[1] || encodeMessageId(Number(match[1])) !== id) return null;
  return Number(match[1]);
}

/** Whether `value` is a GUID (application ids, tokenIds). */
export function isGuid(value: string): boolean {
  return GUID.test(value);
}

/** A new GUID, lower case, as SFMC writes tokenIds. */
export function newGuid(): string {
  return randomUUID();
}
