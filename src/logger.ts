import pino, { type Logger } from "pino";
import { prettyFactory } from "pino-pretty";
import { ConfigError } from "./config/load.ts";
import type { SecretVault } from "./config/secrets.ts";

export type { Logger } from "pino";

const LEVELS = ["trace", "debug", "info", "warn", "error", "fatal", "silent"] as const;

/** Something to write log lines to (a stream, or a test's collector). */
export interface LogDestination {
  write(line: string): unknown;
  /** A terminal gets readable lines; files and pipes get pino's JSON lines. */
  isTTY?: boolean | undefined;
}

/**
 * Nightjar's structured log: pino JSON lines, every line passed through the vault's redaction
 * before it is written (whatever field a secret hides in). The level is NIGHTJAR_LOG_LEVEL
 * (Default: warn: retries, pauses and unknown send outcomes).
 */
export function createLogger(options: {
  vault: SecretVault;
  destination: LogDestination;
  level?: string | undefined;
}): Logger {
  const level = options.level || "warn";
  if (!(LEVELS as readonly string[]).includes(level))
    throw new ConfigError(`NIGHTJAR_LOG_LEVEL must be one of ${LEVELS.join(", ")}, not "${level}"`);
  const { vault, destination } = options;
  const readable = destination.isTTY
    ? prettyFactory({ colorize: false, translateTime: "SYS:HH:MM:ss", ignore: "pid,hostname" })
    : undefined;
  return pino(
    { level },
    {
      write: (line: string) =>
        destination.write(vault.redact(readable ? (readable(line) as string) : line)),
    },
  );
}

/** A logger that writes nothing. */
export function silentLogger(): Logger {
  return pino({ level: "silent" });
}
