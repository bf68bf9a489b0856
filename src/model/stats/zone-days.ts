import { ModelInputError } from "./errors.ts";

const MS_PER_DAY = 86_400_000;
const MS_PER_HOUR = 3_600_000;

/** Days since 1970-01-01 of a calendar date `YYYY-MM-DD`; throws on anything else. */
export function dayNumber(date: string): number {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  const ms = match
    ? Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]))
    : Number.NaN;
  if (!match || Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== date) {
    throw new ModelInputError(`${JSON.stringify(date)} is not a date (YYYY-MM-DD)`);
  }
  return ms / MS_PER_DAY;
}

/**
 * The calendar day (days since 1970-01-01) on which an instant falls in an IANA time zone. Asking
 * Intl for every transaction would dominate a million-customer summary, so offsets are cached per
 * hour, for hours in which the zone's offset does not change.
 */
export class ZoneDays {
  private readonly format: Intl.DateTimeFormat | undefined;
  private readonly offsets = new Map<number, number>();

  constructor(readonly timeZone = "UTC") {
    let format: Intl.DateTimeFormat;
    try {
      format = new Intl.DateTimeFormat("en-US", {
        timeZone,
        hourCycle: "h23",
        year: "numeric",
        month: "numeric",
        day: "numeric",
        hour: "numeric",
        minute: "numeric",
        second: "numeric",
      });
    } catch (cause) {
      throw new ModelInputError(`${JSON.stringify(timeZone)} is not a known IANA time zone`, {
        cause,
      });
    }
    const resolved = format.resolvedOptions().timeZone;
    this.format = resolved === "UTC" || resolved === "Etc/UTC" ? undefined : format;
  }

  /** The zone's offset from UTC in milliseconds at instant `ms`. */
  private offsetAt(ms: number): number {
    if (this.format === undefined) return 0;
    const parts: Record<string, number> = {};
    for (const part of this.format.formatToParts(ms)) parts[part.type] = Number(part.value);
    const wall = Date.UTC(
      parts.year ?? 1970,
      (parts.month ?? 1) - 1,
      parts.day ?? 1,
      parts.hour ?? 0,
      parts.minute ?? 0,
      parts.second ?? 0,
    );
    return wall - Math.floor(ms / 1000) * 1000;
  }

  /** The local calendar day of instant `ms` (milliseconds since the epoch). */
  dayOf(ms: number): number {
    if (this.format === undefined) return Math.floor(ms / MS_PER_DAY);
    const hour = Math.floor(ms / MS_PER_HOUR);
    let offset = this.offsets.get(hour);
    if (offset === undefined) {
      const start = this.offsetAt(hour * MS_PER_HOUR);
      const end = this.offsetAt(hour * MS_PER_HOUR + MS_PER_HOUR - 1);
      // An hour with a transition is not cached: the offset depends on the minute.
      if (start !== end) return Math.floor((ms + this.offsetAt(ms)) / MS_PER_DAY);
      this.offsets.set(hour, start);
      offset = start;
    }
    return Math.floor((ms + offset) / MS_PER_DAY);
  }
}
