/**
 * The one source of time. Everything in `src/` asks a `Clock` for the current instant and for
 * waits, so a test (or the demo) can move time: a `TestClock` jumps when told, and
 * `NIGHTJAR_CLOCK` lets several processes share one clock (fixed, offset, or the SFMC emulator's).
 *
 * Elapsed-time measurements (how long a step took) use `stopwatch()`, a monotonic timer: they
 * measure the machine's work, not business time, so they stay real whatever the clock says.
 */
import { performance } from "node:perf_hooks";
import { setTimeout as delay } from "node:timers/promises";
import { ConfigError } from "./config/load.ts";
import { NightjarError } from "./errors.ts";

/** Where Nightjar reads the time. */
export interface Clock {
  /** The current instant. */
  now(): Date;
  /** Resolves after `ms` of this clock's time (a test clock moves ahead at once). */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** Stops whatever the clock runs in the background; the clock keeps answering. */
  close(): void;
}

/** Real time. */
export const systemClock: Clock = {
  now: () => new Date(),
  sleep: (ms, signal) => delay(Math.max(0, ms), undefined, signal ? { signal } : undefined),
  close: () => {},
};

/** Durations to move a test clock by; they add up. */
export interface ClockStep {
  ms?: number;
  seconds?: number;
  minutes?: number;
  hours?: number;
  days?: number;
}

function stepMs(step: number | ClockStep): number {
  if (typeof step === "number") return step;
  return (
    (step.ms ?? 0) +
    (step.seconds ?? 0) * 1000 +
    (step.minutes ?? 0) * 60_000 +
    (step.hours ?? 0) * 3_600_000 +
    (step.days ?? 0) * 86_400_000
  );
}

function instantMs(at: Date | string | number): number {
  const ms = at instanceof Date ? at.getTime() : typeof at === "number" ? at : Date.parse(at);
  if (!Number.isFinite(ms)) throw new RangeError(`not an instant: ${String(at)}`);
  return ms;
}

/**
 * A clock a test controls: it stands still until `set` or `advance`, and `sleep(ms)` moves it
 * ahead by `ms` at once (recorded in `slept`), so waits cost no real time and stay in order.
 */
export class TestClock implements Clock {
  #ms: number;
  /** Every wait asked of the clock, in ms, in order. */
  readonly slept: number[] = [];

  constructor(start: Date | string | number) {
    this.#ms = instantMs(start);
  }

  now(): Date {
    return new Date(this.#ms);
  }

  /** Sets the clock to `at`. */
  set(at: Date | string | number): void {
    this.#ms = instantMs(at);
  }

  /** Moves the clock ahead (or back, with negative values). */
  advance(step: number | ClockStep): void {
    this.#ms += stepMs(step);
  }

  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    this.slept.push(ms);
    this.#ms += Math.max(0, ms);
  }

  close(): void {}
}

/** A clock that reads `start` at the moment it is made and runs at real speed from there. */
export function offsetClock(start: Date | string | number): Clock {
  const offset = instantMs(start) - Date.now();
  return { ...systemClock, now: () => new Date(Date.now() + offset) };
}

/** A clock that always reads `at`; its waits take real time. */
export function fixedClock(at: Date | string | number): Clock {
  const ms = instantMs(at);
  return { ...systemClock, now: () => new Date(ms) };
}

/** The SFMC emulator's clock could not be read. */
export class ClockUnavailableError extends NightjarError {
  override name = "ClockUnavailableError";
  override readonly kind = "unavailable";
}

/** The emulator's `GET /_emulator/clock` answer, as far as the clock needs it. */
interface EmulatorClockView {
  now: string;
  mode: "real" | "frozen";
}

/** How often a process on the emulator's clock asks it again (it may have been moved). */
const EMULATOR_CLOCK_REFRESH_MS = 1000;

/**
 * The bundled SFMC emulator's clock (`GET {url}/_emulator/clock`), so that Nightjar and the
 * emulator move together: read at start, then again every second in the background; in between
 * it runs at real speed when the emulator's does, and stands still when the emulator's is frozen.
 */
export async function emulatorClock(
  url: string,
  options: { fetch?: typeof fetch; refreshMs?: number } = {},
): Promise<Clock> {
  const doFetch = options.fetch ?? globalThis.fetch;
  const endpoint = new URL("_emulator/clock", url.endsWith("/") ? url : `${url}/`).toString();
  const read = async (): Promise<{ at: number; wall: number; frozen: boolean }> => {
    const answer = await doFetch(endpoint, { signal: AbortSignal.timeout(5000) });
    if (!answer.ok) throw new Error(`${endpoint} answered ${answer.status}`);
    const view = (await answer.json()) as EmulatorClockView;
    const at = Date.parse(view.now);
    if (!Number.isFinite(at)) throw new Error(`${endpoint} gave no time`);
    return { at, wall: performance.now(), frozen: view.mode === "frozen" };
  };
  let reading: { at: number; wall: number; frozen: boolean };
  try {
    reading = await read();
  } catch (cause) {
    throw new ClockUnavailableError(
      `NIGHTJAR_CLOCK: cannot read the SFMC emulator's clock at ${endpoint} (${(cause as Error).message}); is the emulator running?`,
      { cause },
    );
  }
  const timer = setInterval(() => {
    read().then(
      (next) => {
        reading = next;
      },
      // The last reading goes on at its pace; the next refresh tries again.
      () => {},
    );
  }, options.refreshMs ?? EMULATOR_CLOCK_REFRESH_MS);
  timer.unref();
  return {
    now: () =>
      new Date(reading.frozen ? reading.at : reading.at + (performance.now() - reading.wall)),
    sleep: systemClock.sleep,
    close: () => clearInterval(timer),
  };
}

/** The clock `NIGHTJAR_CLOCK` asks for, parsed. */
export type ClockSetting =
  | { kind: "system" }
  | { kind: "fixed"; at: number }
  | { kind: "offset"; at: number }
  | { kind: "emulator"; url: string };

const CLOCK_FORMS =
  "system, fixed:<ISO instant>, offset:<ISO instant> or emulator:<URL of the SFMC emulator>";

/** Reads a `NIGHTJAR_CLOCK` value; an unknown form or a bad instant is a config error. */
export function parseClockSetting(value: string | undefined): ClockSetting {
  const text = value?.trim() ?? "";
  if (text === "" || text === "system") return { kind: "system" };
  const colon = text.indexOf(":");
  const form = colon < 0 ? text : text.slice(0, colon);
  const rest = colon < 0 ? "" : text.slice(colon + 1);
  if (form === "fixed" || form === "offset") {
    // An instant must say its offset: a clock shared by processes cannot depend on their zones.
    const at = /(Z|[+-]\d{2}:?\d{2})$/i.test(rest) ? Date.parse(rest) : Number.NaN;
    if (!Number.isFinite(at))
      throw new ConfigError(
        `NIGHTJAR_CLOCK: "${rest}" is not an ISO instant with an offset (e.g. 2026-06-01T02:00:00Z)`,
      );
    return { kind: form, at };
  }
  if (form === "emulator") {
    try {
      const url = new URL(rest);
      if (url.protocol !== "http:" && url.protocol !== "https:") throw new Error("not http");
      return { kind: "emulator", url: url.toString() };
    } catch {
      throw new ConfigError(`NIGHTJAR_CLOCK: "${rest}" is not an http(s) URL of the SFMC emulator`);
    }
  }
  throw new ConfigError(`NIGHTJAR_CLOCK must be one of ${CLOCK_FORMS}, not "${text}"`);
}

/** The clock `NIGHTJAR_CLOCK` selects (default: the system clock). */
export function clockFromEnvironment(
  env: NodeJS.ProcessEnv = process.env,
  options: { fetch?: typeof fetch } = {},
): Promise<Clock> {
  const setting = parseClockSetting(env.NIGHTJAR_CLOCK);
  switch (setting.kind) {
    case "system":
      return Promise.resolve(systemClock);
    case "fixed":
      return Promise.resolve(fixedClock(setting.at));
    case "offset":
      return Promise.resolve(offsetClock(setting.at));
    case "emulator":
      return emulatorClock(setting.url, options);
  }
}

/** A monotonic stopwatch: seconds since it was started. */
export function stopwatch(): () => number {
  const started = performance.now();
  return () => (performance.now() - started) / 1000;
}
