/**
 * Which nightly run hands which campaign occurrences over to SFMC. The run of date D (in the
 * schedule's zone) is responsible for every occurrence whose send instant lies in
 * [run(D), run(D+1)), whatever the campaign's own zone: the runs tile time without gaps or
 * overlaps, so every occurrence belongs to exactly one run.
 */
import { addDays, localDate, localTimeToInstant } from "../time/zones.ts";
import { occurrenceDates, type Schedule, sendInstant } from "./schedule.ts";

/** What the nightly responsibility needs to know of a campaign. */
export type CampaignTiming = { id: number; schedule: Schedule; sendTime: string; timeZone: string };

/** One occurrence of a campaign: its local date (in the campaign's zone) and its send instant. */
export type Due<C> = { campaign: C; localDate: string; sendAt: Date };

/** An occurrence with the date of the nightly run that hands it over. */
export type DueInRun<C> = Due<C> & { runDate: string };

/** `schedule.nightlyAt` and `schedule.timeZone` of the config. */
export type NightlySettings = { nightlyAt: string; timeZone: string };

/** The instant the nightly run of `date` starts: `nightlyAt` (HH:MM) in `timeZone`, same DST rule as sends. */
export function nightlyRunInstant(date: string, nightlyAt: string, timeZone: string): Date {
  const instant = localTimeToInstant(date, nightlyAt, timeZone);
  if (Number.isNaN(instant.getTime())) throw new RangeError(`not a time zone: ${timeZone}`);
  return instant;
}

/** The occurrences the nightly run of `runDate` hands over, by send instant then campaign id. */
export function occurrencesDue<C extends CampaignTiming>(
  campaigns: C[],
  runDate: string,
  nightly: NightlySettings,
): Due<C>[] {
  return occurrencesBetween(campaigns, runDate, runDate, nightly).map(
    ({ campaign, localDate, sendAt }) => ({ campaign, localDate, sendAt }),
  );
}

/** The occurrences of the nightly runs `fromRunDate`..`toRunDate` (inclusive), each with its run date, for a calendar. */
export function occurrencesBetween<C extends CampaignTiming>(
  campaigns: C[],
  fromRunDate: string,
  toRunDate: string,
  nightly: NightlySettings,
): DueInRun<C>[] {
  if (toRunDate < fromRunDate) return [];
  const runDates: string[] = [];
  for (let date = fromRunDate; date <= addDays(toRunDate, 1); date = addDays(date, 1))
    runDates.push(date);
  const runStarts = runDates.map((date) =>
    nightlyRunInstant(date, nightly.nightlyAt, nightly.timeZone).getTime(),
  );
  const first = runStarts[0] ?? 0;
  const end = runStarts[runStarts.length - 1] ?? 0;
  const due: DueInRun<C>[] = [];
  for (const campaign of campaigns) {
    // The campaign's local dates that can fall in the runs: those the runs' start and end fall
    // on in its zone, and a day either side, which also covers a day skipped by a date-line change.
    const from = addDays(localDate(new Date(first), campaign.timeZone), -1);
    const to = addDays(localDate(new Date(end), campaign.timeZone), 1);
    for (const date of occurrenceDates(campaign.schedule, from, to)) {
      const sendAt = sendInstant(date, campaign.sendTime, campaign.timeZone);
      const at = sendAt.getTime();
      if (at < first || at >= end) continue;
      const run = lastAtOrBefore(runStarts, at);
      due.push({ campaign, localDate: date, sendAt, runDate: runDates[run] as string });
    }
  }
  return due.sort(
    (a, b) => a.sendAt.getTime() - b.sendAt.getTime() || a.campaign.id - b.campaign.id,
  );
}

/** The index of the last of the ascending `starts` that is at or before `at` (`at` ≥ starts[0]). */
function lastAtOrBefore(starts: number[], at: number): number {
  let low = 0;
  let high = starts.length - 1;
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    if ((starts[middle] ?? Number.POSITIVE_INFINITY) <= at) low = middle;
    else high = middle - 1;
  }
  return low;
}
