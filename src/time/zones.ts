/**
 * Calendar dates and local times in IANA time zones, on Luxon. Nightjar's dates (import dates,
 * model run dates, send dates) are `YYYY-MM-DD` strings of a zone's calendar; instants are `Date`s.
 */
import { DateTime } from "luxon";
import type { Clock } from "../clock.ts";

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const TIME = /^([01]\d|2[0-3]):[0-5]\d$/;

/** Is `zone` a time zone this runtime knows? */
export function isTimeZone(zone: string): boolean {
  return DateTime.now().setZone(zone).isValid;
}

/** Is `text` a real calendar day written `YYYY-MM-DD`? */
export function isCalendarDate(text: string): boolean {
  return DATE.test(text) && DateTime.fromISO(text, { zone: "UTC" }).isValid;
}

/** The calendar date (`YYYY-MM-DD`) of an instant in `timeZone`. */
export function localDate(instant: Date, timeZone: string): string {
  return DateTime.fromJSDate(instant, { zone: timeZone }).toISODate() as string;
}

/** Today's date in `timeZone`, by the clock. */
export function todayIn(timeZone: string, clock: Clock): string {
  return localDate(clock.now(), timeZone);
}

/** `date` moved by `days` calendar days. */
export function addDays(date: string, days: number): string {
  return DateTime.fromISO(date, { zone: "UTC" }).plus({ days }).toISODate() as string;
}

/** Calendar days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: string, to: string): number {
  const a = DateTime.fromISO(from, { zone: "UTC" });
  const b = DateTime.fromISO(to, { zone: "UTC" });
  return Math.round(b.diff(a, "days").days);
}

/**
 * The instant at which the wall clock in `timeZone` reads `time` (HH:MM) on `date`. A time that
 * does not exist that day (skipped by a daylight-saving change) moves forward by the gap; a time
 * that happens twice is its first occurrence.
 */
export function localTimeToInstant(date: string, time: string, timeZone: string): Date {
  if (!isCalendarDate(date)) throw new RangeError(`not a date (YYYY-MM-DD): ${date}`);
  if (!TIME.test(time)) throw new RangeError(`not a time of day (HH:MM): ${time}`);
  const [hour, minute] = time.split(":").map(Number) as [number, number];
  const local = DateTime.fromISO(date, { zone: timeZone }).set({ hour, minute });
  return local.toJSDate();
}

/** The instant a calendar day starts in `timeZone`. */
export function startOfLocalDay(date: string, timeZone: string): Date {
  return localTimeToInstant(date, "00:00", timeZone);
}
