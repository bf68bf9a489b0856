import { addDays, localDate } from "../time/zones.ts";
import { nextOccurrenceDate, type Schedule, sendInstant } from "./schedule.ts";

/** The first occurrence whose send instant is after `now` (today's counts while it is ahead). */
export function nextSendAfter(
  schedule: Schedule,
  sendTime: string,
  timeZone: string,
  now: Date,
): { date: string; sendAt: Date } | null {
  let from = localDate(now, timeZone);
  for (let tries = 0; tries < 2; tries++) {
    const date = nextOccurrenceDate(schedule, from);
    if (date === null) return null;
    const sendAt = sendInstant(date, sendTime, timeZone);
    if (sendAt.getTime() > now.getTime()) return { date, sendAt };
    from = addDays(date, 1);
  }
  return null;
}
