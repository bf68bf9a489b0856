import { setTimeout as delay } from "node:timers/promises";
import type { EmulatorClock } from "../emulator/clock.ts";
import type { Clock } from "../src/clock.ts";

/**
 * Nightjar's clock on the in-process emulator's: both read the same instant. While the demo makes
 * its data the emulator's clock stands still and a wait of Nightjar's (a batch waiting for its
 * window) moves both ahead at once; once the demo serves, the clock runs with real time again.
 */
export function sharedClock(emulator: EmulatorClock): Clock {
  return {
    now: () => new Date(emulator.now()),
    sleep: async (ms, signal) => {
      signal?.throwIfAborted();
      if (ms <= 0) return;
      if (emulator.state().mode === "frozen") emulator.advance(ms);
      else await delay(ms, undefined, signal ? { signal } : undefined);
    },
    close: () => {},
  };
}
