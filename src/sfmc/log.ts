/**
 * Structured logs of the SFMC client, scrubbed: the client secret and every access token the
 * client has seen are replaced before a line is written, whatever field they hide in.
 */
import type { Logger } from "pino";
import pino from "pino";

/** Remembers secret values (the client secret, issued access tokens) and scrubs them from text. */
export class Redactor {
  readonly #known = new Set<string>();

  remember(value: string): void {
    if (value.length >= 4) this.#known.add(value);
  }

  scrub(text: string): string {
    let out = text;
    for (const secret of this.#known)
      if (out.includes(secret)) out = out.split(secret).join("[redacted]");
    return out;
  }

  /** A copy of `value` with every string scrubbed (objects and arrays walked). */
  scrubValue(value: unknown, depth = 0): unknown {
    if (typeof value === "string") return this.scrub(value);
    if (depth > 4 || value === null || typeof value !== "object") return value;
    if (value instanceof Error) return this.scrub(`${value.name}: ${value.message}`);
    if (Array.isArray(value)) return value.map((item) => this.scrubValue(item, depth + 1));
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, this.scrubValue(item, depth + 1)]),
    );
  }
}

type Level = "debug" | "info" | "warn" | "error";

/** The client's log: pino levels, fields first, every string scrubbed. */
export interface SfmcLog {
  debug(fields: Record<string, unknown>, message: string): void;
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

/** A silent pino logger: the client logs nothing unless it is given a logger. */
export function silentLogger(): Logger {
  return pino({ level: "silent" });
}

/** Wraps `logger` (a child with `{component: "sfmc", account}`) so that nothing secret gets out. */
export function scrubbedLog(logger: Logger, account: string, redactor: Redactor): SfmcLog {
  const child = logger.child({ component: "sfmc", account });
  const write = (level: Level) => (fields: Record<string, unknown>, message: string) => {
    if (!child.isLevelEnabled(level)) return;
    child[level](redactor.scrubValue(fields) as Record<string, unknown>, redactor.scrub(message));
  };
  return { debug: write("debug"), info: write("info"), warn: write("warn"), error: write("error") };
}
