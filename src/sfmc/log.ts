/**
 * Structured logs of the SFMC client. Every field and message passes through the vault's
 * redaction before it reaches the logger, so even a logger that does not redact on its own
 * never sees the client secret or an access token.
 */
import type { Logger } from "pino";
import type { SecretVault } from "../config/secrets.ts";

type Level = "debug" | "info" | "warn" | "error";

/** The client's log: pino levels, fields first, every string redacted. */
export interface SfmcLog {
  debug(fields: Record<string, unknown>, message: string): void;
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

/** Wraps `logger` (a child with `{component: "sfmc", account}`) so that nothing secret gets out. */
export function redactedLog(logger: Logger, account: string, vault: SecretVault): SfmcLog {
  const child = logger.child({ component: "sfmc", account });
  const write = (level: Level) => (fields: Record<string, unknown>, message: string) => {
    if (!child.isLevelEnabled(level)) return;
    child[level](vault.redactValue(fields) as Record<string, unknown>, vault.redact(message));
  };
  return { debug: write("debug"), info: write("info"), warn: write("warn"), error: write("error") };
}
