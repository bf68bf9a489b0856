import pino, { type Logger } from "pino";
import { NightjarError } from "../errors.ts";

const LEVELS = ["trace", "debug", "info", "warn", "error", "fatal", "silent"];

/**
 * The CLI's structured log: pino JSON lines on stderr (stdout stays the command's own), at
 * NIGHTJAR_LOG_LEVEL (Default: warn: retries, pauses and unknown send outcomes).
 */
export function cliLogger(env: NodeJS.ProcessEnv = process.env): Logger {
  const level = env.NIGHTJAR_LOG_LEVEL || "warn";
  if (!LEVELS.includes(level))
    throw new NightjarError(
      `NIGHTJAR_LOG_LEVEL must be one of ${LEVELS.join(", ")}, not "${level}"`,
    );
  return pino({ level }, pino.destination({ fd: 2, sync: true }));
}
