/**
 * Points of the nightly run a crash test can stop the process at. The run calls `reached` at each;
 * the hook made from `NIGHTJAR_TEST_CRASH` kills the process with SIGKILL the Nth time a point is
 * reached, so a test chooses where a run dies by count, not by timing.
 */
import { NightjarError } from "../errors.ts";

/**
 * - `freeze-write`: in the freeze's transaction, the lists and batches written, not committed;
 * - `frozen`: the freeze committed;
 * - `batch-write`: a batch's `sending` committed, its call not made;
 * - `send-answer`: SFMC answered a send, its result not written;
 * - `batch-result`: a batch's result committed.
 */
export const HOOK_POINTS = [
  "freeze-write",
  "frozen",
  "batch-write",
  "send-answer",
  "batch-result",
] as const;
export type HookPoint = (typeof HOOK_POINTS)[number];

/** What the run tells at each point. */
export interface RunHooks {
  reached(point: HookPoint): void;
}

export const NO_HOOKS: RunHooks = { reached: () => {} };

/** `NIGHTJAR_TEST_CRASH` is not `point:N[,point:N…]`. */
export class CrashHookError extends NightjarError {
  override name = "CrashHookError";
  override readonly kind = "config";
}

/**
 * The hooks `NIGHTJAR_TEST_CRASH` asks for (e.g. `batch-write:3,send-answer:1`): the process
 * kills itself (SIGKILL, nothing cleaned up) the Nth time it reaches the point. No variable: none.
 */
export function crashHooksFromEnv(
  env: NodeJS.ProcessEnv,
  kill: () => void = () => process.kill(process.pid, "SIGKILL"),
): RunHooks {
  const spec = env.NIGHTJAR_TEST_CRASH?.trim();
  if (!spec) return NO_HOOKS;
  const targets = new Map<HookPoint, number>();
  for (const part of spec.split(",")) {
    const [point, count] = part.trim().split(":");
    const n = Number(count);
    if (!HOOK_POINTS.includes(point as HookPoint) || !Number.isInteger(n) || n < 1)
      throw new CrashHookError(
        `NIGHTJAR_TEST_CRASH: "${part}" is not point:N with a point of ${HOOK_POINTS.join(", ")} and N ≥ 1`,
      );
    targets.set(point as HookPoint, n);
  }
  const seen = new Map<HookPoint, number>();
  return {
    reached(point) {
      const target = targets.get(point);
      if (target === undefined) return;
      const n = (seen.get(point) ?? 0) + 1;
      seen.set(point, n);
      if (n === target) kill();
    },
  };
}
