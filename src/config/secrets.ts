import { NightjarError } from "../errors.ts";

/** A secret was referenced as `env:NAME` but the variable is not set. */
export class MissingSecretError extends NightjarError {
  override name = "MissingSecretError";
  override readonly kind = "config";
}

const REDACTED = "[redacted]";

/**
 * Nightjar's one place for secrets: it resolves secret references (`env:NAME` or a literal) and
 * remembers every secret it has seen (client secrets, access tokens, database passwords), and it
 * is the one redaction path — logs, error messages and command output all pass through `redact`.
 */
export class SecretVault {
  readonly #known = new Set<string>();

  constructor(private readonly env: NodeJS.ProcessEnv = process.env) {}

  /** Returns the secret's value; `keyPath` names the config key in the error when it is missing. */
  resolve(reference: string, keyPath: string): string {
    const match = /^env:([A-Za-z_][A-Za-z0-9_]*)$/.exec(reference);
    const value = match ? this.env[match[1] ?? ""] : reference;
    if (value === undefined || value === "") {
      throw new MissingSecretError(
        `${keyPath} refers to the environment variable ${match?.[1]}, which is not set`,
      );
    }
    this.remember(value);
    return value;
  }

  /** Registers a value (a password, a token) that must never be printed. */
  remember(value: string): void {
    if (value.length < 4) return;
    this.#known.add(value);
    // As it appears inside a JSON string (a log line, an error document), and URL-encoded.
    const inJson = JSON.stringify(value).slice(1, -1);
    if (inJson !== value) this.#known.add(inJson);
    const inUrl = encodeURIComponent(value);
    if (inUrl !== value) this.#known.add(inUrl);
  }

  /** Replaces every known secret in `text` with `[redacted]`. */
  redact(text: string): string {
    let out = text;
    for (const secret of this.#known)
      if (out.includes(secret)) out = out.split(secret).join(REDACTED);
    return out;
  }

  /** A copy of `value` with every string in it redacted (objects and arrays walked). */
  redactValue(value: unknown, depth = 0): unknown {
    if (typeof value === "string") return this.redact(value);
    if (depth > 6 || value === null || typeof value !== "object") return value;
    if (value instanceof Error) return this.redact(`${value.name}: ${value.message}`);
    if (value instanceof Date) return value;
    if (Array.isArray(value)) return value.map((item) => this.redactValue(item, depth + 1));
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, this.redactValue(item, depth + 1)]),
    );
  }
}
