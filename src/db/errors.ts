import { NightjarError } from "../errors.ts";

/** The database cannot be reached, does not exist, or refuses Nightjar's role. */
export class DatabaseUnavailableError extends NightjarError {
  override name = "DatabaseUnavailableError";
  override readonly kind = "unavailable";
}

/** A database URL with its password (if any) replaced, for messages. */
export function urlWithoutPassword(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return "(a URL that cannot be read)";
  }
}

/** Why connecting failed, in an operator's words, from pg's or Node's error. */
function connectCause(error: unknown): string {
  const { code, message } = error as { code?: string; message?: string };
  switch (code) {
    case "ECONNREFUSED":
      return "connection refused: is PostgreSQL running there, and listening on that port?";
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return "unknown host";
    case "ETIMEDOUT":
    case "EHOSTUNREACH":
    case "ENETUNREACH":
      return "the host cannot be reached (timed out)";
    case "3D000":
      return `no such database (${message})`;
    case "28P01":
      return `authentication failed (${message})`;
    case "28000":
      return `authentication refused (${message})`;
    case "42501":
      return `permission denied (${message})`;
    case "ERR_INVALID_URL":
      return "not a valid URL";
    default:
      return message ?? String(error);
  }
}

/** The error for a database that could not be opened. */
export function databaseUnavailable(url: string, error: unknown): DatabaseUnavailableError {
  return new DatabaseUnavailableError(
    `cannot open the database ${urlWithoutPassword(url)}: ${connectCause(error)}`,
    { cause: error },
  );
}
