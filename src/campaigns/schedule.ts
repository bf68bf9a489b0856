/**
 * A campaign's schedule: on which calendar dates of the campaign's time zone it has an occurrence.
 * Dates are `YYYY-MM-DD` strings of that zone; the send time of day is the campaign's, not the
 * schedule's, so one schedule expands the same way in every zone.
 */
import { DateTime } from "luxon";
import { z } from "zod";
import { addDays, isCalendarDate, localTimeToInstant } from "../time/zones.ts";

export const WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;
export const Weekday = z.enum(WEEKDAYS, {
  error: `must be a day of the week: ${WEEKDAYS.join(", ")}`,
});
export type Weekday = z.infer<typeof Weekday>;

const LocalDate = z
  .string({ error: "must be a date, YYYY-MM-DD" })
  .refine(isCalendarDate, "must be a real calendar date, YYYY-MM-DD");

/** `end` (inclusive) may be left out for a schedule that runs until the campaign is stopped. */
const endNotBeforeStart = (schedule: { start: string; end?: string | undefined }) =>
  schedule.end === undefined || schedule.end >= schedule.start;
const END_BEFORE_START = { path: ["end"], message: "must not be before start" };

const Once = z.strictObject({ type: z.literal("once"), date: LocalDate });

const Daily = z
  .strictObject({ type: z.literal("daily"), start: LocalDate, end: LocalDate.optional() })
  .refine(endNotBeforeStart, END_BEFORE_START);

const Weekly = z
  .strictObject({
    type: z.literal("weekly"),
    days: z
      .array(Weekday, { error: "must be a list of days of the week" })
      .min(1, "must name at least one day of the week")
      .refine((days) => new Set(days).size === days.length, "must not name a day twice"),
    start: LocalDate,
    end: LocalDate.optional(),
  })
  .refine(endNotBeforeStart, END_BEFORE_START);

const Monthly = z
  .strictObject({
    type: z.literal("monthly"),
    // 29–31 fall on the last day of a shorter month, so "31" means "the last day of every month".
    day: z
      .number({ error: "must be a day of the month, 1–31" })
      .int("must be a whole day of the month, 1–31")
      .min(1, "must be a day of the month, 1–31")
      .max(31, "must be a day of the month, 1–31"),
    start: LocalDate,
    end: LocalDate.optional(),
  })
  .refine(endNotBeforeStart, END_BEFORE_START);

const TYPES = ["once", "daily", "weekly", "monthly"];

export const Schedule = z.discriminatedUnion("type", [Once, Daily, Weekly, Monthly], {
  error: (issue) =>
    issue.code === "invalid_union"
      ? `type must be one of ${TYPES.map((t) => `"${t}"`).join(", ")}`
      : undefined,
});
export type Schedule = z.infer<typeof Schedule>;

function checkDate(name: string, date: string): void {
  if (!isCalendarDate(date)) throw new RangeError(`${name} is not a date (YYYY-MM-DD): ${date}`);
}

/** The first and last date the schedule can have an occurrence on (last null: no end). */
function bounds(schedule: Schedule): { first: string; last: string | null } {
  if (schedule.type === "once") return { first: schedule.date, last: schedule.date };
  return { first: schedule.start, last: schedule.end ?? null };
}

/** Does a date between the schedule's bounds have an occurrence? */
function fallsOn(schedule: Schedule, date: string): boolean {
  switch (schedule.type) {
    case "once":
    case "daily":
      return true;
    case "weekly": {
      const weekday = WEEKDAYS[DateTime.fromISO(date, { zone: "UTC" }).weekday - 1];
      return weekday !== undefined && schedule.days.includes(weekday);
    }
    case "monthly": {
      const day = DateTime.fromISO(date, { zone: "UTC" });
      return day.day === Math.min(schedule.day, day.daysInMonth ?? 31);
    }
  }
}

/** The local dates in [from, to] (inclusive) on which the schedule has an occurrence, ascending. */
export function occurrenceDates(schedule: Schedule, from: string, to: string): string[] {
  checkDate("from", from);
  checkDate("to", to);
  const { first, last } = bounds(schedule);
  const start = from > first ? from : first;
  const end = last !== null && last < to ? last : to;
  const dates: string[] = [];
  // Dates are YYYY-MM-DD, so string order is calendar order.
  for (let date = start; date <= end; date = addDays(date, 1))
    if (fallsOn(schedule, date)) dates.push(date);
  return dates;
}

/** Every schedule with occurrences left has one within this many days of any date (weekly: 7, monthly: 31). */
const LONGEST_GAP_DAYS = 31;

/** The first local date on or after `onOrAfter` with an occurrence, or null when none is left. */
export function nextOccurrenceDate(schedule: Schedule, onOrAfter: string): string | null {
  checkDate("onOrAfter", onOrAfter);
  const { first } = bounds(schedule);
  const from = onOrAfter > first ? onOrAfter : first;
  return occurrenceDates(schedule, from, addDays(from, LONGEST_GAP_DAYS))[0] ?? null;
}

/** The instant of an occurrence: `sendTime` (HH:MM) on `date` in `timeZone`, by localTimeToInstant's DST rule. */
export function sendInstant(date: string, sendTime: string, timeZone: string): Date {
  const instant = localTimeToInstant(date, sendTime, timeZone);
  if (Number.isNaN(instant.getTime())) throw new RangeError(`not a time zone: ${timeZone}`);
  return instant;
}
