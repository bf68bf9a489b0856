/**
 * An occurrence's send metrics from what the freeze kept and what SFMC reported: targeted,
 * control, pushed (test keys handed over in `sent` batches), SFMC's count (contacts the send
 * tried), the send rate (count ÷ pushed), and the batches that went out late, expired or are
 * unknown — in all and as of each day after the send date. The count of a batch is the latest
 * SFMC gave (as of the day), so a report that grew after day 1 counts with its last figure.
 */
import type { Db } from "../db/connect.ts";
import { UnknownOccurrenceError } from "../delivery/recipients-export.ts";
import { addDays } from "../time/zones.ts";
import { COLLECTION_DAYS } from "./collect.ts";

/** The count and send rate as of one day after the send date. */
export interface DayMetrics {
  day: number;
  /** The send date + day. */
  date: string;
  /** Σ of the latest count each sent batch had by this day; null while none had an answer. */
  count: number | null;
  /** count ÷ pushed; null without a count or a push. */
  sendRate: number | null;
  /** Sent batches with an answer by this day (the others are not in `count` yet). */
  batchesAnswered: number;
}

/** One occurrence's send metrics. */
export interface OccurrenceMetrics {
  occurrenceId: number;
  campaignId: number;
  /** The send date. */
  localDate: string;
  /** Test and control: the customers the occurrence was frozen with. */
  targeted: number;
  control: number;
  /** Test keys in `sent` batches. */
  pushed: number;
  /** SFMC's count: Σ of the latest count of each sent batch (null while none has an answer). */
  count: number | null;
  sendRate: number | null;
  batches: number;
  sentBatches: number;
  /** Batches handed over after their campaign's send time. */
  late: number;
  expired: number;
  unknown: number;
  days: DayMetrics[];
}

const rate = (count: number | null, pushed: number) =>
  count === null || pushed === 0 ? null : count / pushed;

/** The send metrics of occurrence `occurrenceId`, with days 1 … `days` (Default: 7). */
export async function occurrenceMetrics(
  db: Db,
  occurrenceId: number,
  days = COLLECTION_DAYS,
): Promise<OccurrenceMetrics> {
  const occurrence = await db
    .selectFrom("campaign_occurrences")
    .select(["id", "campaign_id", "local_date", "test", "control"])
    .where("id", "=", occurrenceId)
    .executeTakeFirst();
  if (!occurrence) throw new UnknownOccurrenceError(`no occurrence #${occurrenceId}`);
  const batches = await db
    .selectFrom("send_batches")
    .select(["id", "state", "size", "late_minutes"])
    .where("occurrence_id", "=", occurrenceId)
    .execute();
  const answers = await db
    .selectFrom("batch_deliveries as d")
    .innerJoin("send_batches as b", "b.id", "d.batch_id")
    .select(["d.batch_id", "d.day", "d.count"])
    .where("b.occurrence_id", "=", occurrenceId)
    .where("b.state", "=", "sent")
    .where("d.ok", "=", true)
    .orderBy("d.day")
    .execute();
  const sent = batches.filter((b) => b.state === "sent");
  const pushed = sent.reduce((n, b) => n + b.size, 0);
  /** Σ of each batch's latest count by `day`, and how many batches had one. */
  const countBy = (day: number) => {
    const latest = new Map<number, number>();
    // Ordered by day: a later answer replaces an earlier one.
    for (const a of answers) if (a.day <= day && a.count !== null) latest.set(a.batch_id, a.count);
    let total = 0;
    for (const n of latest.values()) total += n;
    return { count: latest.size === 0 ? null : total, answered: latest.size };
  };
  const overall = countBy(Number.POSITIVE_INFINITY);
  return {
    occurrenceId: occurrence.id,
    campaignId: occurrence.campaign_id,
    localDate: occurrence.local_date,
    targeted: occurrence.test + occurrence.control,
    control: occurrence.control,
    pushed,
    count: overall.count,
    sendRate: rate(overall.count, pushed),
    batches: batches.length,
    sentBatches: sent.length,
    late: batches.filter((b) => b.late_minutes > 0).length,
    expired: batches.filter((b) => b.state === "expired").length,
    unknown: batches.filter((b) => b.state === "unknown").length,
    days: Array.from({ length: days }, (_, index) => {
      const day = index + 1;
      const by = countBy(day);
      return {
        day,
        date: addDays(occurrence.local_date, day),
        count: by.count,
        sendRate: rate(by.count, pushed),
        batchesAnswered: by.answered,
      };
    }),
  };
}

/** The send metrics of every occurrence of campaign `campaignId`, by send date. */
export async function campaignMetrics(db: Db, campaignId: number): Promise<OccurrenceMetrics[]> {
  const occurrences = await db
    .selectFrom("campaign_occurrences")
    .select("id")
    .where("campaign_id", "=", campaignId)
    .orderBy("local_date")
    .execute();
  const result: OccurrenceMetrics[] = [];
  for (const o of occurrences) result.push(await occurrenceMetrics(db, o.id));
  return result;
}
