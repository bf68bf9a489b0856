/**
 * SFMC's fixed UTC-6 ("CST", no daylight saving, all year) for `SendTime` and delivery dates
 * (sfmc-mobilepush-api.md §2.2, §2.4).
 */

const CST_OFFSET_MS = -6 * 60 * 60 * 1000;

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

/** `SendTime` for an instant: `yyyy-MM-dd HH:mm` in UTC-6; seconds are dropped. */
export function formatSendTime(at: Date): string {
  const time = at.getTime();
  if (Number.isNaN(time)) throw new RangeError("sendTime is not a valid date");
  const cst = new Date(time + CST_OFFSET_MS);
  return `${cst.getUTCFullYear()}-${pad(cst.getUTCMonth() + 1)}-${pad(cst.getUTCDate())} ${pad(cst.getUTCHours())}:${pad(cst.getUTCMinutes())}`;
}

const SFMC_DATE = /^(\d{4})-(\d{1,2})-(\d{1,2})T(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7}))?)?$/;

/** An SFMC date without offset (`2012-8-21T11:57:19.247`, read as UTC-6); null when it is not one. */
export function parseCstDate(text: string | undefined): Date | null {
  const match = text ? SFMC_DATE.exec(text) : null;
  if (!match) return null;
  const [, y, mo, d, h, mi, s, fraction] = match;
  const ms = Number(`0.${fraction ?? "0"}`) * 1000;
  const utc = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s ?? 0));
  return new Date(utc + Math.round(ms) - CST_OFFSET_MS);
}
