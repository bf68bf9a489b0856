import { InvalidArgumentError } from "commander";
import { isCalendarDate } from "../time/zones.ts";

/** A commander parser for YYYY-MM-DD options. */
export function parseDate(value: string): string {
  if (!isCalendarDate(value)) throw new InvalidArgumentError("expected a date, YYYY-MM-DD");
  return value;
}

/** A commander parser for a number of seconds (0 or more). */
export function parseSeconds(value: string): number {
  const seconds = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || !Number.isFinite(seconds))
    throw new InvalidArgumentError("expected a number of seconds, e.g. 30");
  return seconds;
}
