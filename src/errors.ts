/** Base of Nightjar's expected failures: a message meant for the person running Nightjar. */
export class NightjarError extends Error {
  override name = "NightjarError";
}

/** Turns anything thrown into an Error, keeping the original as `cause`. */
export function coerceError(thrown: unknown): Error {
  if (thrown instanceof Error) return thrown;
  return new Error(typeof thrown === "string" ? thrown : "non-error thrown", { cause: thrown });
}
