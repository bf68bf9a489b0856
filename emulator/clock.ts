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

  /** Moves emulated time ahead (or back, with a negative value). */
  advance(ms: number): void {
    if (this.#mode === "frozen") this.#frozenAt += ms;
    else this.#offsetMs += ms;
  }

  /** Sets emulated time to `at` (epoch ms), keeping the mode. */
  set(at: number): void {
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

  state(): ClockState {
    return {
      mode: this.#mode,
      offsetMs: this.#mode === "real" ? this.#offsetMs : 0,
      frozenAt: this.#mode === "frozen" ? this.#frozenAt : null,
    };
  }

  restore(state: Partial<ClockState>): void {
    this.#mode = state.mode ?? "real";
    this.#offsetMs = state.offsetMs ?? 0;
    this.#frozenAt = state.frozenAt ?? this.wall() + this.#offsetMs;
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
