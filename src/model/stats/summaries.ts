import type { SummaryColumns } from "./bgnbd.ts";
import { ModelInputError } from "./errors.ts";
import { dayNumber, ZoneDays } from "./zone-days.ts";

/** One transaction: a purchase (amount ≥ 0) or a refund (amount < 0, not a purchase). */
export interface Transaction {
  contactKey: string;
  occurredAt: Date;
  amount: number;
}

/** Per-customer calibration summaries in columns, with the customers' keys in the same order. */
export interface CustomerSummaries extends SummaryColumns {
  keys: string[];
  /** Mean amount of the repeat purchase days (the first purchase day left out); 0 when x = 0. */
  meanSpend: Float64Array;
}

export interface SummaryOptions {
  /** Last day of the calibration period, YYYY-MM-DD, inclusive: T is measured to its start. */
  calibrationEnd: string;
  /** Time unit of t_x and T: days, or weeks of 7 days. */
  period: "day" | "week";
  /** IANA zone whose calendar days count as purchase days (Default: "UTC"). */
  timeZone?: string;
}

/** What a summary left out, for the person running the model. */
export interface SummaryStats {
  /** Purchases counted (transactions with amount ≥ 0 up to the calibration end). */
  purchases: number;
  refunds: number;
  afterCalibrationEnd: number;
}

const INITIAL_CAPACITY = 1024;

function grow<T extends Int32Array | Float64Array>(array: T, size: number): T {
  if (size < array.length) return array;
  const bigger = new (array.constructor as new (n: number) => T)(array.length * 2);
  bigger.set(array);
  return bigger;
}

/**
 * Builds BTYD summaries from transactions streamed in any order. A customer's transactions on the
 * same calendar day are one purchase whose amount is their sum (CDNOW has several lines a day); a
 * $0.00 transaction is a purchase, a refund is not. x counts the purchase days after the first,
 * t_x runs from the first to the last purchase day and T from the first purchase day to the
 * calibration end (CDNOW: a first purchase on 1997-01-01 has T = 272 days = 38.86 weeks to
 * 1997-09-30). Transactions after the calibration end are left out.
 *
 * Transactions are held in columns (16 bytes each), so ten million fit in a few hundred MB.
 */
export class SummaryBuilder {
  readonly stats: SummaryStats = { purchases: 0, refunds: 0, afterCalibrationEnd: 0 };
  private readonly zone: ZoneDays;
  private readonly endDay: number;
  private readonly unit: number;
  private readonly index = new Map<string, number>();
  private readonly keys: string[] = [];
  private customer = new Int32Array(INITIAL_CAPACITY);
  private day = new Int32Array(INITIAL_CAPACITY);
  private amount = new Float64Array(INITIAL_CAPACITY);
  private size = 0;

  constructor(options: SummaryOptions) {
    this.endDay = dayNumber(options.calibrationEnd);
    this.zone = new ZoneDays(options.timeZone ?? "UTC");
    if (options.period !== "day" && options.period !== "week") {
      throw new ModelInputError(
        `period must be "day" or "week", got ${JSON.stringify(options.period)}`,
      );
    }
    this.unit = options.period === "week" ? 7 : 1;
  }

  /** Adds a transaction at an instant (a Date or milliseconds since the epoch). */
  add(contactKey: string, occurredAt: Date | number, amount: number): void {
    const ms = typeof occurredAt === "number" ? occurredAt : occurredAt.getTime();
    if (!Number.isFinite(ms))
      throw new ModelInputError(`invalid transaction time for ${contactKey}`);
    this.addOnDay(contactKey, this.zone.dayOf(ms), amount);
  }

  /** Adds a transaction on a calendar day of the builder's zone (days since 1970-01-01). */
  addOnDay(contactKey: string, day: number, amount: number): void {
    if (!Number.isFinite(amount)) {
      throw new ModelInputError(`invalid transaction amount ${amount} for ${contactKey}`);
    }
    if (amount < 0) {
      this.stats.refunds++;
      return;
    }
    if (day > this.endDay) {
      this.stats.afterCalibrationEnd++;
      return;
    }
    let customer = this.index.get(contactKey);
    if (customer === undefined) {
      customer = this.keys.length;
      this.index.set(contactKey, customer);
      this.keys.push(contactKey);
    }
    const at = this.size++;
    this.customer = grow(this.customer, this.size);
    this.day = grow(this.day, this.size);
    this.amount = grow(this.amount, this.size);
    this.customer[at] = customer;
    this.day[at] = day;
    this.amount[at] = amount;
    this.stats.purchases++;
  }

  /** The summaries of every customer with a purchase up to the calibration end. */
  finish(): CustomerSummaries {
    const n = this.keys.length;
    // Counting sort of the transactions by customer, then each customer's days on their own.
    const start = new Int32Array(n + 1);
    for (let i = 0; i < this.size; i++) {
      const c = this.customer[i] as number;
      start[c + 1] = (start[c + 1] as number) + 1;
    }
    for (let c = 0; c < n; c++) start[c + 1] = (start[c + 1] as number) + (start[c] as number);
    const cursor = start.slice(0, n);
    const day = new Int32Array(this.size);
    const amount = new Float64Array(this.size);
    for (let i = 0; i < this.size; i++) {
      const c = this.customer[i] as number;
      const at = cursor[c] as number;
      cursor[c] = at + 1;
      day[at] = this.day[i] as number;
      amount[at] = this.amount[i] as number;
    }
    const x = new Float64Array(n);
    const tx = new Float64Array(n);
    const T = new Float64Array(n);
    const meanSpend = new Float64Array(n);
    for (let c = 0; c < n; c++) {
      const from = start[c] as number;
      const to = start[c + 1] as number;
      let first = day[from] as number;
      let last = first;
      for (let i = from + 1; i < to; i++) {
        const d = day[i] as number;
        if (d < first) first = d;
        if (d > last) last = d;
      }
      let repeatSpend = 0;
      for (let i = from; i < to; i++) if (day[i] !== first) repeatSpend += amount[i] as number;
      const days = day.subarray(from, to).sort();
      let distinct = 1;
      for (let i = 1; i < days.length; i++) if (days[i] !== days[i - 1]) distinct++;
      x[c] = distinct - 1;
      tx[c] = (last - first) / this.unit;
      T[c] = (this.endDay - first) / this.unit;
      meanSpend[c] = distinct > 1 ? repeatSpend / (distinct - 1) : 0;
    }
    return { keys: this.keys.slice(), x, tx, T, meanSpend };
  }
}

/** Summarises transactions per customer (see SummaryBuilder for the rules). */
export function summarizeTransactions(
  transactions: Iterable<Transaction>,
  o: SummaryOptions,
): CustomerSummaries {
  const builder = new SummaryBuilder(o);
  for (const t of transactions) builder.add(t.contactKey, t.occurredAt, t.amount);
  return builder.finish();
}

/** Summaries with identical rows merged, and for each original row the index of its group. */
export interface GroupedSummaries extends SummaryColumns {
  weight: Float64Array;
  group: Int32Array;
}

/**
 * Merges identical (x, t_x, T) rows into one weighted row: a million customers summarised in days
 * have far fewer distinct rows, and the likelihood is a weighted sum. t_x does not matter when
 * x = 0, so those rows merge on T alone.
 */
export function groupSummaries(data: SummaryColumns): GroupedSummaries {
  const n = data.x.length;
  const groups = new Map<string, number>();
  const group = new Int32Array(n);
  const x: number[] = [];
  const tx: number[] = [];
  const T: number[] = [];
  const weight: number[] = [];
  for (let i = 0; i < n; i++) {
    const xi = data.x[i] as number;
    const txi = xi === 0 ? 0 : (data.tx[i] as number);
    const key = `${xi},${txi},${data.T[i]}`;
    let g = groups.get(key);
    if (g === undefined) {
      g = x.length;
      groups.set(key, g);
      x.push(xi);
      tx.push(txi);
      T.push(data.T[i] as number);
      weight.push(0);
    }
    group[i] = g;
    weight[g] = (weight[g] as number) + (data.weight ? (data.weight[i] as number) : 1);
  }
  return {
    x: Float64Array.from(x),
    tx: Float64Array.from(tx),
    T: Float64Array.from(T),
    weight: Float64Array.from(weight),
    group,
  };
}
