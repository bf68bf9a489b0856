// A process that takes embedded database folders' locks, as `nightjar` does, when its parent
// asks (one trial per message), holds each briefly and answers when it was inside: the lock
// trials run three of these at once.
import { setTimeout as delay } from "node:timers/promises";
import { DatabaseBusyError, lockFolder } from "../../src/db/folder-lock.ts";

/** One trial: take `folder`'s lock, hold it `holdMs`. */
export interface LockTrial {
  folder: string;
  holdMs: number;
}

/** What happened: inside from `enter` to `leave` (epoch ms), or refused as busy. */
export type LockTrialResult =
  | { inside: true; enter: number; leave: number }
  | { inside: false; busy: boolean; error?: string };

process.on("message", async (trial: LockTrial) => {
  let result: LockTrialResult;
  try {
    const lock = await lockFolder(trial.folder, { command: "lock trial" });
    const enter = Date.now();
    await delay(trial.holdMs);
    const leave = Date.now();
    await lock.release();
    result = { inside: true, enter, leave };
  } catch (error) {
    result = {
      inside: false,
      busy: error instanceof DatabaseBusyError,
      error: (error as Error).message,
    };
  }
  process.send?.(result);
});
process.send?.("ready");
