/**
 * What kind of expected failure an error is; the CLI maps each kind to an exit code and the server
 * to an HTTP status, so neither needs to know every error class.
 * - `refused`: the input was checked and refused (a bad file, an invalid request).
 * - `conflict`: the request contradicts what the database holds (out of order, changed meanwhile).
 * - `not_found`: something named does not exist.
 * - `config`: the configuration (file, environment, secrets) is wrong or incomplete.
 * - `unavailable`: a service Nightjar depends on (the database, SFMC) cannot be reached.
 * - `busy`: someone else holds what is needed (a lock); try again later.
 * - `unauthenticated`: the credentials are missing or wrong.
 * - `forbidden`: the caller's role does not allow it.
 * - `rate_limited`: too many attempts; try again later.
 */
export type ErrorKind =
  | "refused"
  | "conflict"
  | "not_found"
  | "config"
  | "unavailable"
  | "busy"
  | "unauthenticated"
  | "forbidden"
  | "rate_limited";

/** Base of Nightjar's expected failures: a message meant for the person running Nightjar. */
export class NightjarError extends Error {
  override name = "NightjarError";
  readonly kind: ErrorKind = "refused";

  constructor(message: string, options?: ErrorOptions & { kind?: ErrorKind }) {
    super(message, options);
    // Subclasses declare their kind as a field; only a plain NightjarError takes it from options.
    if (options?.kind) this.kind = options.kind;
  }
}

/**
 * A failure the command has already reported in full (under --json: as its one JSON document);
 * the CLI prints only this message on stderr and exits with its kind's code.
 */
export class ReportedFailure extends NightjarError {
  override name = "ReportedFailure";
}

/** Turns anything thrown into an Error, keeping the original as `cause`. */
export function coerceError(thrown: unknown): Error {
  if (thrown instanceof Error) return thrown;
  return new Error(typeof thrown === "string" ? thrown : "non-error thrown", { cause: thrown });
}

/** One problem of an input, at its JSON path (`rule.all[2].value`, `schedule.date`). */
export interface InputProblem {
  path: string;
  message: string;
}

/**
 * An input (a campaign, a target group) refused whole, with every problem at its path; nothing
 * was changed. The API answers 422 with the problems as `errors[]`.
 */
export class InvalidInputError extends NightjarError {
  override name = "InvalidInputError";
  override readonly kind = "refused";
  constructor(
    readonly problems: InputProblem[],
    what = "the input",
  ) {
    super(`${what} was refused: ${problems.map((p) => `${p.path}: ${p.message}`).join("; ")}`);
  }
}
