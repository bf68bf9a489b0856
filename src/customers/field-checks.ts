import type { AttributeType } from "../config/schema.ts";
import { BYTE } from "./bytes.ts";

/**
 * Byte-level checks of CSV field values, run while the file streams into COPY. They are stricter
 * than PostgreSQL's input functions (ISO dates only, no `NaN`, no `now`), so a value that passes is
 * always accepted by the typed staging column, and a value that fails is reported with its line.
 */

/** How one column of a file is checked. */
export interface FieldCheck {
  column: string;
  type: AttributeType;
  required: boolean;
  /** Reason given when a required value is blank (Default: "required value is missing"). */
  missingReason?: string;
}

const { SPACE, TAB, QUOTE, PLUS, MINUS, DOT, COLON, ZERO } = BYTE;

export const TYPE_REASON: Record<Exclude<AttributeType, "text">, string> = {
  integer: "not an integer",
  numeric: "not a number (use digits with a . decimal point)",
  boolean: "not a boolean (use true/false, yes/no or 1/0)",
  date: "not a valid date (YYYY-MM-DD)",
  timestamp: "not a valid timestamp (YYYY-MM-DD[ HH:MM[:SS]][Z|±HH:MM])",
};

const BOOLEAN_WORDS = new Set(["true", "false", "t", "f", "yes", "no", "y", "n", "1", "0"]);

/** The value of a raw CSV field as PostgreSQL will read it (outer quotes off, "" unescaped). */
export function fieldText(buffer: Buffer, start: number, end: number): string {
  const raw = buffer.toString("utf8", start, end);
  if (raw.length >= 2 && raw.startsWith('"') && raw.endsWith('"')) {
    return raw.slice(1, -1).replaceAll('""', '"');
  }
  return raw.replaceAll('"', "");
}

/** Outcome of a field check: ok, blank (to be written as NULL), or refused with a reason. */
export type FieldVerdict = "ok" | "blank" | string;

function isDigit(byte: number | undefined): boolean {
  return byte !== undefined && byte >= ZERO && byte <= ZERO + 9;
}

function digits(buffer: Buffer, at: number, count: number): number {
  let value = 0;
  for (let i = at; i < at + count; i++) {
    const byte = buffer[i];
    if (!isDigit(byte)) return -1;
    value = value * 10 + ((byte as number) - ZERO);
  }
  return value;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

function isDate(buffer: Buffer, s: number): boolean {
  if (buffer[s + 4] !== MINUS || buffer[s + 7] !== MINUS) return false;
  const year = digits(buffer, s, 4);
  const month = digits(buffer, s + 5, 2);
  const day = digits(buffer, s + 8, 2);
  return year >= 1 && month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

function isInteger(buffer: Buffer, s: number, e: number): boolean {
  let i = s;
  if (buffer[i] === PLUS || buffer[i] === MINUS) i++;
  const count = e - i;
  if (count < 1 || count > 18) return false;
  for (; i < e; i++) if (!isDigit(buffer[i])) return false;
  return true;
}

function isNumeric(buffer: Buffer, s: number, e: number): boolean {
  let i = s;
  if (buffer[i] === PLUS || buffer[i] === MINUS) i++;
  let mantissa = 0;
  while (i < e && isDigit(buffer[i])) {
    i++;
    mantissa++;
  }
  if (buffer[i] === DOT && i < e) {
    i++;
    while (i < e && isDigit(buffer[i])) {
      i++;
      mantissa++;
    }
  }
  if (mantissa === 0) return false;
  if (i < e && (buffer[i] === 0x65 || buffer[i] === 0x45)) {
    i++;
    if (buffer[i] === PLUS || buffer[i] === MINUS) i++;
    const expStart = i;
    while (i < e && isDigit(buffer[i])) i++;
    if (i - expStart < 1 || i - expStart > 3) return false;
  }
  return i === e;
}

function isTimestamp(buffer: Buffer, s: number, e: number): boolean {
  if (e - s < 10 || !isDate(buffer, s)) return false;
  if (e - s === 10) return true;
  let i = s + 10;
  const separator = buffer[i];
  if (separator !== 0x54 && separator !== SPACE) return false;
  const hour = digits(buffer, i + 1, 2);
  const minute = digits(buffer, i + 4, 2);
  if (buffer[i + 3] !== COLON || hour < 0 || hour > 23 || minute < 0 || minute > 59) return false;
  i += 6;
  if (buffer[i] === COLON && i < e) {
    const second = digits(buffer, i + 1, 2);
    if (second < 0 || second > 59) return false;
    i += 3;
    if (buffer[i] === DOT && i < e) {
      const fractionStart = ++i;
      while (i < e && isDigit(buffer[i])) i++;
      if (i - fractionStart < 1 || i - fractionStart > 6) return false;
    }
  }
  if (i === e) return true;
  if (buffer[i] === 0x5a) return i + 1 === e; // Z
  if (buffer[i] !== PLUS && buffer[i] !== MINUS) return false;
  const zoneHour = digits(buffer, i + 1, 2);
  if (zoneHour < 0 || zoneHour > 15) return false;
  i += 3;
  if (i === e) return true;
  if (buffer[i] === COLON) i++;
  const zoneMinute = digits(buffer, i, 2);
  return zoneMinute >= 0 && zoneMinute <= 59 && i + 2 === e;
}

/**
 * Checks one raw field (the bytes between delimiters, quotes included). Blank values — empty,
 * spaces only or `""` — are "blank": fine unless required, and written as NULL.
 */
export function checkField(
  buffer: Buffer,
  start: number,
  end: number,
  check: FieldCheck,
): FieldVerdict {
  let s = start;
  let e = end;
  while (s < e && (buffer[s] === SPACE || buffer[s] === TAB)) s++;
  while (e > s && (buffer[e - 1] === SPACE || buffer[e - 1] === TAB)) e--;
  if (e - s >= 2 && buffer[s] === QUOTE && buffer[e - 1] === QUOTE) {
    s++;
    e--;
    if (check.type !== "text") {
      while (s < e && (buffer[s] === SPACE || buffer[s] === TAB)) s++;
      while (e > s && (buffer[e - 1] === SPACE || buffer[e - 1] === TAB)) e--;
    }
  }
  if (s === e) {
    return check.required ? (check.missingReason ?? "required value is missing") : "blank";
  }
  if (check.type === "text") return "ok";
  let ok: boolean;
  switch (check.type) {
    case "integer":
      ok = isInteger(buffer, s, e);
      break;
    case "numeric":
      ok = isNumeric(buffer, s, e);
      break;
    case "boolean":
      ok = e - s <= 5 && BOOLEAN_WORDS.has(buffer.toString("latin1", s, e).toLowerCase());
      break;
    case "date":
      ok = e - s === 10 && isDate(buffer, s);
      break;
    case "timestamp":
      ok = isTimestamp(buffer, s, e);
      break;
  }
  return ok ? "ok" : TYPE_REASON[check.type];
}
