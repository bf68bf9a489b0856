import { ClockRangeError } from "./errors.ts";

/** The time source of the emulator: real time by default, moved by tests at will. */
export interface Clock {
  /** Milliseconds since the epoch, in emulated time. */
  now(): number;
}

/** The clock's persisted and reported shape. */
export interface ClockState {
  mode: "real" | "frozen";
  /** real mode: emulated time = wall time + offsetMs. */
  offsetMs: number;
  /** frozen mode: the emulated time, which moves only when told. */
  frozenAt: number | null;
}

/** The earliest emulated time the clock takes: 1970-01-01T00:00:00.000Z. */
const EARLIEST_MS = 0;
/** The latest emulated time the clock takes: 9999-12-31T23:59:59.999Z. */
const LATEST_MS = Date.UTC(10_000, 0, 1) - 1;

const MS_PER_YEAR = 365.2425 * 86_400_000;

/** Why `at` (epoch ms) cannot be emulated time, or null when it can (a date in 1970–9999). */
export function clockRangeProblem(at: number): string | null {
  if (Number.isNaN(at)) return "would leave the clock at no valid time";
  if (at >= EARLIEST_MS && at <= LATEST_MS) return null;
  const side = at > LATEST_MS ? "beyond 9999" : "before 1970";
  if (!Number.isFinite(at)) return `would move the clock infinitely far, ${side}`;
  const date = new Date(at);
  // Past what a Date holds (±273,790 years) the year is an estimate, still the clearer message.
  const year = Number.isNaN(date.getTime())
    ? Math.floor(1970 + at / MS_PER_YEAR)
    : date.getUTCFullYear();
  return `would move the clock to year ${year}, ${side}`;
}

function ensureInRange(at: number): void {
  const problem = clockRangeProblem(at);
  if (problem) throw new ClockRangeError(problem);
}

/**
 * A clock tests control: in `real` mode it runs with the wall clock plus an offset, in `frozen`
 * mode it stands still; either way `advance` jumps it ahead at once (30 minutes, 7 days, …).
 */
export class EmulatorClock implements Clock {
  #mode: "real" | "frozen" = "real";
  #offsetMs = 0;
  #frozenAt = 0;

  constructor(
    state?: Partial<ClockState>,
    private readonly wall: () => number = Date.now,
  ) {
    if (state) this.restore(state);
  }

  now(): number {
    return this.#mode === "frozen" ? this.#frozenAt : this.wall() + this.#offsetMs;
  }

  /**
   * Moves emulated time ahead (or back, with a negative value); throws a ClockRangeError, moving
   * nothing, when that leaves 1970–9999.
   */
  advance(ms: number): void {
    ensureInRange(this.now() + ms);
    if (this.#mode === "frozen") this.#frozenAt += ms;
    else this.#offsetMs += ms;
  }

  /**
   * Sets emulated time to `at` (epoch ms), keeping the mode; throws a ClockRangeError, moving
   * nothing, when `at` is outside 1970–9999.
   */
  set(at: number): void {
    ensureInRange(at);
    if (this.#mode === "frozen") this.#frozenAt = at;
    else this.#offsetMs = at - this.wall();
  }

  /** Stops the clock at the current emulated time. */
  freeze(): void {
    if (this.#mode === "frozen") return;
    this.#frozenAt = this.now();
    this.#mode = "frozen";
  }

  /** Lets the clock run with wall time again, from the current emulated time. */
  resume(): void {
    if (this.#mode === "real") return;
    this.#offsetMs = this.#frozenAt - this.wall();
    this.#mode = "real";
  }

  /** Back to wall time. */
  reset(): void {
    this.#mode = "real";
    this.#offsetMs = 0;
  }

  /** Runs `change` on the clock all or nothing: when it throws, the clock is as it was before. */
  atomically(change: () => void): void {
    const saved = [this.#mode, this.#offsetMs, this.#frozenAt] as const;
    try {
      change();
    } catch (error) {
      [this.#mode, this.#offsetMs, this.#frozenAt] = saved;
      throw error;
    }
  }

  /** The mode and the offset or frozen time, as the state file and the admin API show them. */
  state(): ClockState {
    return {
      mode: this.#mode,
      offsetMs: this.#mode === "real" ? this.#offsetMs : 0,
      frozenAt: this.#mode === "frozen" ? this.#frozenAt : null,
    };
  }

  /** Takes on a saved state; throws a ClockRangeError, changing nothing, outside 1970–9999. */
  restore(state: Partial<ClockState>): void {
    const mode = state.mode ?? "real";
    const offsetMs = state.offsetMs ?? 0;
    const frozenAt = state.frozenAt ?? this.wall() + offsetMs;
    ensureInRange(mode === "frozen" ? frozenAt : this.wall() + offsetMs);
    this.#mode = mode;
    this.#offsetMs = offsetMs;
    this.#frozenAt = frozenAt;
  }
}

const CST_OFFSET_MS = -6 * 60 * 60 * 1000;
const pad = (n: number, width = 2) => String(n).padStart(width, "0");

/** `epochMs` as SFMC writes dates: CST (fixed UTC-6, no DST), no offset, `yyyy-MM-ddTHH:mm:ss.fff`. */
export function formatCst(epochMs: number): string {
  const d = new Date(epochMs + CST_OFFSET_MS);
  return (
    `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}` +
    `T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}` +
    `.${pad(d.getUTCMilliseconds(), 3)}`
  );
}

/** A `SendTime` (`yyyy-MM-dd HH:mm`, CST) as epoch ms, or null when it is not a real time of that shape. */
export function parseSendTime(text: string): number | null {
  const match = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2})$/.exec(text);
  if (!match) return null;
  const [year, month, day, hour, minute] = match.slice(1).map(Number) as [
    number,
    number,
    number,
    number,
    number,
  ];
  const utc = Date.UTC(year, month - 1, day, hour, minute);
  const back = new Date(utc);
  if (
    back.getUTCFullYear() !== year ||
    back.getUTCMonth() !== month - 1 ||
    back.getUTCDate() !== day ||
    hour > 23 ||
    minute > 59
  ) {
    return null;
  }
  return utc - CST_OFFSET_MS;
}
