/**
 * The typed API client: openapi-fetch over the server's own OpenAPI document (schema.d.ts, made
 * by `npm run openapi`). Every change carries the session's CSRF token; a failure becomes an
 * ApiError holding the problem details, with the invalid fields by path.
 */
import createClient from "openapi-fetch";
import type { components, paths } from "./schema";

export type Schemas = components["schemas"];

/** An API answer that is not a success: its status, its words, and the invalid fields. */
export class ApiError extends Error {
  override name = "ApiError";
  constructor(
    readonly status: number,
    message: string,
    readonly fields: { path: string; message: string }[] = [],
  ) {
    super(message);
  }

  /** The message of the field at `path` (as the server names it, e.g. `body.name`), if any. */
  fieldError(path: string): string | undefined {
    return this.fields.find((f) => f.path === path || f.path === `body.${path}`)?.message;
  }
}

let csrfToken: string | null = null;

/** The session's CSRF token, sent as `x-csrf-token` on every change. */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

export const api = createClient<paths>({ baseUrl: "", credentials: "same-origin" });

api.use({
  onRequest({ request }) {
    if (request.method !== "GET" && request.method !== "HEAD" && csrfToken)
      request.headers.set("x-csrf-token", csrfToken);
    return request;
  },
});

interface Problem {
  status?: number;
  title?: string;
  detail?: string;
  errors?: { path: string; message: string }[];
}

/** The data of an answer, or an ApiError with the problem's words. */
export function unwrap<T>(result: { data?: T; error?: unknown; response: Response }): T {
  if (result.response.ok) return result.data as T;
  const body = (result.error ?? {}) as Problem;
  const words =
    body.detail ?? body.title ?? `${result.response.status} ${result.response.statusText}`;
  throw new ApiError(result.response.status, words, body.errors ?? []);
}
