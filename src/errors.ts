/** Base of Nightjar's expected failures: a message meant for the person running Nightjar. */
export class NightjarError extends Error {
  override name = "NightjarError";
}

/**
 * A failure the command has already reported in full (under --json: as its one JSON document);
 * the CLI prints only this message on stderr and exits 1.
 */
export class ReportedFailure extends NightjarError {
  override name = "ReportedFailure";
}

/** Turns anything thrown into an Error, keeping the original as `cause`. */
export function coerceError(thrown: unknown): Error {
  if (thrown instanceof Error) return thrown;
  return new Error(typeof thrown === "string" ? thrown : "non-error thrown", { cause: thrown });
}
