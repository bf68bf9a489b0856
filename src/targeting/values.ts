/** Rule values that need more than a cast before they become SQL parameters. */
import { DateTime } from "luxon";
import { isCalendarDate } from "../time/zones.ts";

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const TIMESTAMP =
  /^(\d{4}-\d{2}-\d{2})[T ]([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,6})?)?(Z|[+-](0\d|1[0-5])(:?[0-5]\d)?)?$/;

/** Is `text` a date (YYYY-MM-DD) alone, without a time? */
export function isDateOnly(text: string): boolean {
  return DATE_ONLY.test(text);
}

/** Is `text` a calendar date or an ISO timestamp (T or space, optional seconds and offset)? */
export function isTimestampText(text: string): boolean {
  if (isDateOnly(text)) return isCalendarDate(text);
  const match = TIMESTAMP.exec(text);
  return match?.[1] !== undefined && isCalendarDate(match[1]);
}

/**
 * The instant an ISO timestamp names, as an ISO string with its offset; a timestamp written
 * without an offset is a wall-clock time in `timeZone` (as import files' timestamps are).
 */
export function timestampInstant(text: string, timeZone: string): string {
  const parsed = DateTime.fromISO(text.replace(" ", "T"), { zone: timeZone });
  if (!parsed.isValid) throw new RangeError(`not an ISO timestamp: ${text}`);
  return parsed.toUTC().toISO() as string;
}

/**
 * A LIKE pattern matching `text` literally (`%`, `_` and `\` escaped with `\`), anywhere in the
 * value (`contains`) or at its start (`starts_with`).
 */
export function likePattern(text: string, mode: "contains" | "starts_with"): string {
  const literal = text.replace(/[\\%_]/g, (char) => `\\${char}`);
  return mode === "contains" ? `%${literal}%` : `${literal}%`;
}
