/** Base of the emulator's expected failures (a bad seed or state file, a port in use, …). */
export class EmulatorError extends Error {
  override name = "EmulatorError";
}

/** A seed file, a state file or an admin body that does not match its schema. */
export class SeedError extends EmulatorError {
  override name = "SeedError";
}

/** A clock move that would leave emulated time outside 1970–9999; the clock is left as it was. */
export class ClockRangeError extends EmulatorError {
  override name = "ClockRangeError";
}

/** The documentation link every SFMC REST error body carries. */
export const DOCUMENTATION_URL =
  "https://developer.salesforce.com/docs/atlas.en-us.mc-apis.meta/mc-apis/error-handling.htm";

/** The `error_uri` of SFMC's OAuth error bodies. */
export const OAUTH_ERROR_URI = "https://developer.salesforce.com/docs";

/** An HTTP answer decided by a route: status, body and extra headers. */
export interface SfmcReply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

/** The gateway / platform REST error body: `{message, errorcode, documentation}`. */
export function restError(
  status: number,
  message: string,
  errorcode: number | null,
  extra: Record<string, unknown> = {},
  headers?: Record<string, string>,
): SfmcReply {
  const body: Record<string, unknown> = { message };
  if (errorcode !== null) body.errorcode = errorcode;
  Object.assign(body, extra);
  body.documentation = DOCUMENTATION_URL;
  return { status, body, headers };
}

/** The MobilePush service's validation error body: `400 {"errors": [...]}`. */
export function validationErrors(errors: string[]): SfmcReply {
  return { status: 400, body: { errors } };
}

/** The OAuth error body of `/v2/token`. */
export function oauthError(status: number, error: string, description: string): SfmcReply {
  return {
    status,
    body: { error, error_description: description, error_uri: OAUTH_ERROR_URI },
  };
}

/** 401 for a missing, malformed or expired token (errorcode 0). */
export const NOT_AUTHORIZED: SfmcReply = {
  status: 401,
  body: { documentation: DOCUMENTATION_URL, errorcode: 0, message: "Not Authorized" },
};

/** 404 errorcode 30003 for a resource (message, application) that is not in the token's BU. */
export function notFound(): SfmcReply {
  return restError(404, "Not Found", 30003);
}

/** Replaces `{0}`, `{1}`, … in one of SFMC's message templates. */
export function fillTemplate(template: string, ...values: (string | number)[]): string {
  return template.replace(/\{(\d+)\}/g, (whole, index: string) => {
    const value = values[Number(index)];
    return value === undefined ? whole : String(value);
  });
}
