import { NightjarError } from "../errors.ts";

/** A secret was referenced as `env:NAME` but the variable is not set. */
export class MissingSecretError extends NightjarError {
  override name = "MissingSecretError";
}

/**
 * Resolves secret references (`env:NAME` or a literal) and remembers every resolved value so that
 * `redact` can scrub them from anything printed or logged.
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

  /** Registers a value (e.g. a database password) that must never be printed. */
  remember(value: string): void {
    if (value.length >= 4) this.#known.add(value);
  }

  /** Replaces every known secret in `text` with `[redacted]`. */
  redact(text: string): string {
    let out = text;
    for (const secret of this.#known) out = out.split(secret).join("[redacted]");
    return out;
  }
}
