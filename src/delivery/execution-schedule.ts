/**
 * The execution schedule: the SendTime of every send batch. Past an SFMC account's send budget
 * SFMC does not refuse a send, it delays it, so Nightjar spreads the batches itself: each goes out
 * at the earliest whole minute, at or after its occurrence's send time, at which no rolling window
 * of the budget holds more recipients than the budget allows (design.md, "Delivery semantics").
 */
import { formatSendTime } from "../time/sfmc-time.ts";

/** Contact keys per `messageContact` send (the API's maximum). */
export const BATCH_SIZE = 5000;

/** An occurrence whose last batch goes out more than this long after its send time is late. */
export const LATE_AFTER_MINUTES = 30;

/** The figure SFMC's integration guide advises not to exceed per send. */
const GUIDE_RECIPIENTS = 250_000;

const MINUTE_MS = 60_000;

/** A send budget, keyed by the SFMC client id it belongs to. */
export type SendBudget = {
  key: string;
  recipients: number;
  perMinutes: number;
  reservePercent: number;
};

export type OccurrenceToSchedule = {
  id: string;
  /** The client id of the occurrence's SFMC account. */
  budgetKey: string;
  sendAt: Date;
  /** 1 is the highest. */
  priority: number;
  campaignId: number;
  recipients: number;
};

/** A batch already handed over to SFMC (an earlier night, or an earlier plan of this one). */
export type HandedOverBatch = { budgetKey: string; at: Date; size: number };

export type ScheduledBatch = {
  occurrenceId: string;
  /** 0 for the occurrence's first batch. */
  index: number;
  size: number;
  at: Date;
  /** `at` as SFMC's `SendTime`. */
  sendTime: string;
};

export type OccurrenceSchedule = {
  id: string;
  batches: number;
  firstBatchAt: Date | null;
  lastBatchAt: Date | null;
  /** Whole minutes from the send time (rounded up to a minute) to the last batch. */
  latenessMinutes: number;
  warnings: string[];
};

export type ExecutionInput = {
  budgets: SendBudget[];
  occurrences: OccurrenceToSchedule[];
  handedOver?: HandedOverBatch[];
};

export type ExecutionSchedule = { batches: ScheduledBatch[]; occurrences: OccurrenceSchedule[] };

/** `recipients` cut into batches of `size`; only the last one is smaller. */
export function splitIntoBatches(recipients: number, size = BATCH_SIZE): number[] {
  if (!Number.isInteger(recipients) || recipients < 0)
    throw new RangeError(`recipients must be a whole number ≥ 0: ${recipients}`);
  if (!Number.isInteger(size) || size < 1)
    throw new RangeError(`batch size must be a whole number ≥ 1: ${size}`);
  const batches = new Array<number>(Math.floor(recipients / size)).fill(size);
  if (recipients % size > 0) batches.push(recipients % size);
  return batches;
}

/** The sendBudget of each configured SFMC account, keyed by its client id. */
export function accountBudgets(
  accounts: {
    clientId: string;
    sendBudget: { recipients: number; perMinutes: number; reservePercent: number };
  }[],
): SendBudget[] {
  return accounts.map((account) => ({ key: account.clientId, ...account.sendBudget }));
}

/** A budget as the schedule applies it: at most `limit` recipients in any `minutes` rolling window. */
export type Limit = { limit: number; minutes: number; text: string };

const count = (n: number) => n.toLocaleString("en-US");
const iso = (at: Date) => at.toISOString().replace(".000Z", "Z");

function limitOf(budget: SendBudget): Limit {
  const { recipients, perMinutes, reservePercent } = budget;
  if (!(recipients > 0) || !Number.isInteger(perMinutes) || perMinutes < 1)
    throw new RangeError(
      `send budget of ${budget.key} must have recipients > 0 and whole perMinutes ≥ 1`,
    );
  if (!(reservePercent >= 0 && reservePercent < 100))
    throw new RangeError(
      `reservePercent of ${budget.key} must be at least 0 and below 100: ${reservePercent}`,
    );
  // Sums of batches are whole numbers, so the limit is too; the epsilon keeps a fractional
  // reserve's rounding error from flooring a whole limit to one below.
  const limit = Math.floor((recipients * (100 - reservePercent)) / 100 + 1e-9);
  const reserve =
    reservePercent > 0 ? ` (${count(recipients)} less the ${reservePercent}% reserve)` : "";
  return {
    limit,
    minutes: perMinutes,
    text: `${count(limit)} recipients per ${perMinutes} minutes${reserve}`,
  };
}

/**
 * One budget for each client id: two configured accounts with the same client id are one SFMC
 * account. Should their budgets differ, the stricter of both applies (the lower limit over the
 * longer window), which keeps within each.
 */
export function limitsByKey(budgets: SendBudget[]): Map<string, Limit> {
  const limits = new Map<string, Limit>();
  for (const budget of budgets) {
    const limit = limitOf(budget);
    const seen = limits.get(budget.key);
    if (seen === undefined || seen.text === limit.text) {
      limits.set(budget.key, limit);
      continue;
    }
    const lower = Math.min(seen.limit, limit.limit);
    const minutes = Math.max(seen.minutes, limit.minutes);
    limits.set(budget.key, {
      limit: lower,
      minutes,
      text: `${count(lower)} recipients per ${minutes} minutes`,
    });
  }
  return limits;
}

/**
 * The recipients in each rolling window of one budget, indexed by the window's first minute
 * (window s holds minutes s .. s+width−1, i.e. the window (end − width, end] with end = s+width−1).
 * Placing a batch adds it to the `width` windows holding its minute, so a candidate minute is
 * checked against stored sums instead of re-adding batches.
 */
class Windows {
  private sums = new Float64Array(1024);

  constructor(
    /** The first window start that can hold a batch of this schedule. */
    private readonly base: number,
    private readonly width: number,
  ) {}

  private sum(start: number): number {
    return this.sums[start - this.base] ?? 0;
  }

  add(minute: number, size: number): void {
    const last = minute - this.base;
    if (last >= this.sums.length) {
      const grown = new Float64Array(Math.max(this.sums.length * 2, last + this.width + 1));
      grown.set(this.sums);
      this.sums = grown;
    }
    for (let i = Math.max(0, last - this.width + 1); i <= last; i++)
      this.sums[i] = (this.sums[i] ?? 0) + size;
  }

  /**
   * The earliest minute ≥ `from` at which `size` keeps every window holding it within `limit`;
   * a batch larger than the limit needs windows with nothing else in them.
   */
  earliestFit(from: number, size: number, limit: number): number {
    const alone = size > limit;
    let minute = from;
    // Windows starting in (minute − width, checked] are known to have room.
    let checked = minute - this.width;
    for (;;) {
      let full: number | null = null;
      for (let start = minute; start > checked; start--) {
        const sum = this.sum(start);
        if (alone ? sum > 0 : sum + size > limit) {
          full = start;
          break;
        }
      }
      if (full === null) return minute;
      // Every minute up to full + width − 1 lies in the full window.
      checked = minute;
      minute = full + this.width;
    }
  }
}

/** Where each occurrence's batches go, in one budget; fills `placed` and returns the oversized count per occurrence. */
function placeBatches(
  occurrences: OccurrenceToSchedule[],
  handedOver: HandedOverBatch[],
  limit: Limit,
  placed: ScheduledBatch[],
): Map<string, number> {
  const earliest = (o: OccurrenceToSchedule) => Math.ceil(o.sendAt.getTime() / MINUTE_MS);
  const ordered = [...occurrences].sort(
    (a, b) =>
      earliest(a) - earliest(b) ||
      a.priority - b.priority ||
      a.campaignId - b.campaignId ||
      (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
  const oversized = new Map<string, number>();
  const first = ordered[0];
  if (first === undefined) return oversized;
  const base = earliest(first) - limit.minutes + 1;
  const windows = new Windows(base, limit.minutes);
  // SFMC executes a batch in the minute of its SendTime, which drops seconds.
  for (const batch of handedOver) {
    const minute = Math.floor(batch.at.getTime() / MINUTE_MS);
    if (minute >= base) windows.add(minute, batch.size);
  }
  for (const occurrence of ordered) {
    const from = earliest(occurrence);
    let cursor = from;
    let previousSize = 0;
    splitIntoBatches(occurrence.recipients).forEach((size, index) => {
      // Room that a batch did not find stays missing for the next one at least as large, but a
      // smaller last batch may fit where a full one did not.
      if (size < previousSize) cursor = from;
      const minute = windows.earliestFit(cursor, size, limit.limit);
      windows.add(minute, size);
      cursor = minute;
      previousSize = size;
      if (size > limit.limit) oversized.set(occurrence.id, (oversized.get(occurrence.id) ?? 0) + 1);
      const at = new Date(minute * MINUTE_MS);
      placed.push({ occurrenceId: occurrence.id, index, size, at, sendTime: formatSendTime(at) });
    });
  }
  return oversized;
}

function checkOccurrence(occurrence: OccurrenceToSchedule, seen: Set<string>): void {
  if (seen.has(occurrence.id)) throw new RangeError(`occurrence ${occurrence.id} is listed twice`);
  seen.add(occurrence.id);
  if (Number.isNaN(occurrence.sendAt.getTime()))
    throw new RangeError(`occurrence ${occurrence.id} has no valid send time`);
}

/** The marketer's warnings for one occurrence. */
function warningsFor(
  occurrence: OccurrenceToSchedule,
  summary: Omit<OccurrenceSchedule, "warnings">,
  limit: Limit,
  oversized: number,
): string[] {
  const warnings: string[] = [];
  if (occurrence.recipients > limit.limit)
    warnings.push(
      `Its ${count(occurrence.recipients)} recipients exceed the send budget of its SFMC account, ${limit.text}, so its ${count(summary.batches)} batches are spread over several windows (SFMC's integration guide advises no more than ${count(GUIDE_RECIPIENTS)} recipients per send).`,
    );
  if (oversized > 0)
    warnings.push(
      `${count(oversized)} of its batches (up to ${count(BATCH_SIZE)} recipients each) are larger than the whole send budget of ${limit.text}; each of them goes out alone in its own ${limit.minutes}-minute window, and SFMC may still delay it.`,
    );
  if (summary.lastBatchAt !== null && summary.latenessMinutes > LATE_AFTER_MINUTES)
    warnings.push(
      `Its last batch goes out at ${iso(summary.lastBatchAt)} (UTC), ${count(summary.latenessMinutes)} minutes after its send time ${iso(occurrence.sendAt)}, to keep within the send budget of its SFMC account (${limit.text}, shared by all its campaigns and business units).`,
    );
  return warnings;
}

/** The SendTime of every batch of the occurrences, within their accounts' send budgets, and what each occurrence can expect. */
export function scheduleExecution(input: ExecutionInput): ExecutionSchedule {
  const limits = limitsByKey(input.budgets);
  const seen = new Set<string>();
  const byKey = new Map<string, OccurrenceToSchedule[]>();
  for (const occurrence of input.occurrences) {
    checkOccurrence(occurrence, seen);
    if (!limits.has(occurrence.budgetKey))
      throw new RangeError(
        `occurrence ${occurrence.id}: no send budget for client id ${occurrence.budgetKey}`,
      );
    const list = byKey.get(occurrence.budgetKey);
    if (list) list.push(occurrence);
    else byKey.set(occurrence.budgetKey, [occurrence]);
  }
  const handedOverByKey = new Map<string, HandedOverBatch[]>();
  for (const batch of input.handedOver ?? []) {
    const list = handedOverByKey.get(batch.budgetKey);
    if (list) list.push(batch);
    else handedOverByKey.set(batch.budgetKey, [batch]);
  }
  const placed: ScheduledBatch[] = [];
  const oversized = new Map<string, number>();
  for (const [key, occurrences] of byKey) {
    const handedOver = handedOverByKey.get(key) ?? [];
    const limit = limits.get(key) as Limit;
    for (const [id, n] of placeBatches(occurrences, handedOver, limit, placed))
      oversized.set(id, n);
  }
  const perOccurrence = new Map<string, ScheduledBatch[]>();
  for (const batch of placed) {
    const list = perOccurrence.get(batch.occurrenceId);
    if (list) list.push(batch);
    else perOccurrence.set(batch.occurrenceId, [batch]);
  }
  const occurrences = input.occurrences.map((occurrence): OccurrenceSchedule => {
    const batches = perOccurrence.get(occurrence.id) ?? [];
    let first: number | null = null;
    let last: number | null = null;
    for (const batch of batches) {
      const at = batch.at.getTime();
      if (first === null || at < first) first = at;
      if (last === null || at > last) last = at;
    }
    const from = Math.ceil(occurrence.sendAt.getTime() / MINUTE_MS) * MINUTE_MS;
    const summary = {
      id: occurrence.id,
      batches: batches.length,
      firstBatchAt: first === null ? null : new Date(first),
      lastBatchAt: last === null ? null : new Date(last),
      latenessMinutes: last === null ? 0 : (last - from) / MINUTE_MS,
    };
    const limit = limits.get(occurrence.budgetKey) as Limit;
    return {
      ...summary,
      warnings: warningsFor(occurrence, summary, limit, oversized.get(occurrence.id) ?? 0),
    };
  });
  // In execution order (a smaller last batch may go out before a full one of its occurrence);
  // the sort is stable, so batches of one minute stay in placement order.
  placed.sort((a, b) => a.at.getTime() - b.at.getTime());
  return { batches: placed, occurrences };
}

/**
 * The earliest SendTime a batch handed over at `now` can take: SFMC takes whole minutes, and one
 * at least a minute ahead leaves the call its time.
 */
export function earliestSendTime(now: Date): Date {
  return new Date(Math.ceil((now.getTime() + MINUTE_MS) / MINUTE_MS) * MINUTE_MS);
}

/** Whole minutes a batch's slot lies after its occurrence's send time (rounded up to a minute); 0 when not after. */
export function lateMinutes(slot: Date, sendAt: Date): number {
  const from = Math.ceil(sendAt.getTime() / MINUTE_MS) * MINUTE_MS;
  return Math.max(0, (slot.getTime() - from) / MINUTE_MS);
}

/**
 * The minutes already taken in one account's send budget, for placing single batches after the
 * schedule was made: a batch whose slot has passed by the time it can be handed over, or a
 * re-send. Uses the same windows as the schedule, so it keeps the same budget.
 */
export class BudgetLedger {
  readonly #windows: Windows;
  readonly #limit: Limit;
  readonly #base: number;

  /** `from`: no batch will be placed before it; `taken`: batches of the account that hold slots. */
  constructor(budgets: SendBudget[], key: string, from: Date, taken: HandedOverBatch[]) {
    const limit = limitsByKey(budgets.filter((b) => b.key === key)).get(key);
    if (limit === undefined) throw new RangeError(`no send budget for client id ${key}`);
    this.#limit = limit;
    this.#base = Math.floor(from.getTime() / MINUTE_MS) - limit.minutes + 1;
    this.#windows = new Windows(this.#base, limit.minutes);
    for (const batch of taken) if (batch.budgetKey === key) this.take(batch.at, batch.size);
  }

  /** The budget in words, e.g. "25,000 recipients per 30 minutes". */
  get text(): string {
    return this.#limit.text;
  }

  /** Records a batch in the minute of `at`. */
  take(at: Date, size: number): void {
    const minute = Math.floor(at.getTime() / MINUTE_MS);
    if (minute >= this.#base) this.#windows.add(minute, size);
  }

  /** Gives a batch's minute back (it moved, or will not go out). */
  release(at: Date, size: number): void {
    this.take(at, -size);
  }

  /** The earliest whole minute at or after `from` at which `size` recipients keep within the budget. */
  earliestFit(from: Date, size: number): Date {
    const minute = Math.max(
      Math.ceil(from.getTime() / MINUTE_MS),
      this.#base + this.#limit.minutes - 1,
    );
    return new Date(this.#windows.earliestFit(minute, size, this.#limit.limit) * MINUTE_MS);
  }
}
