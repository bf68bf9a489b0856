import { InvalidArgumentError } from "commander";
import { isCalendarDate } from "../time/zones.ts";

/** A commander parser for YYYY-MM-DD options. */
export function parseDate(value: string): string {
  if (!isCalendarDate(value)) throw new InvalidArgumentError("expected a date, YYYY-MM-DD");
  return value;
}
