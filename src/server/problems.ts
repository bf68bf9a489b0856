/**
 * Errors as RFC 9457 problem details, and the one place where Nightjar's failures become HTTP
 * statuses: a domain error's kind picks its status; an unexpected error answers 500 with an id
 * that is also in the log, never its message or stack.
 */
import { randomUUID } from "node:crypto";
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { hasZodFastifySchemaValidationErrors } from "fastify-type-provider-zod";
import { ZodError, z } from "zod";
import { TooManySignInsError } from "../access/sessions.ts";
import { formatKeyPath } from "../config/load.ts";
import type { SecretVault } from "../config/secrets.ts";
import { type ErrorKind, NightjarError } from "../errors.ts";
import type { Logger } from "../logger.ts";

/** One invalid field of a request, by its JSON path (`body.email`, `query.from`). */
export const InvalidField = z.object({ path: z.string(), message: z.string() });

/** An error answer (RFC 9457). */
export const Problem = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    errors: z.array(InvalidField).optional(),
    errorId: z.string().optional(),
  })
  .meta({ id: "Problem" });
export type Problem = z.infer<typeof Problem>;

const STATUS: Record<ErrorKind, number> = {
  refused: 422,
  conflict: 409,
  not_found: 404,
  config: 500,
  unavailable: 503,
  busy: 409,
  unauthenticated: 401,
  forbidden: 403,
  rate_limited: 429,
};

const TITLES: Record<number, string> = {
  400: "Bad request",
  401: "Not signed in",
  403: "Forbidden",
  404: "Not found",
  405: "Method not allowed",
  409: "Conflict",
  413: "Request too large",
  415: "Unsupported media type",
  422: "Refused",
  429: "Too many requests",
  500: "Internal error",
  503: "Service unavailable",
};

/** A problem-details body. */
export function problem(status: number, detail: string, extra: Partial<Problem> = {}): Problem {
  const title = TITLES[status] ?? "Error";
  return {
    type: `https://nightjar.dev/problems/${title.toLowerCase().replaceAll(" ", "-")}`,
    title,
    status,
    detail,
    ...extra,
  };
}

/** Sends a problem-details answer. */
export function sendProblem(reply: FastifyReply, body: Problem): FastifyReply {
  return reply.code(body.status).type("application/problem+json").send(body);
}

const CONTEXTS: Record<string, string> = { querystring: "query", params: "path" };

function zodFields(error: ZodError, prefix: string): z.infer<typeof InvalidField>[] {
  return error.issues.map((issue) => ({
    path: `${prefix}${issue.path.length > 0 ? formatKeyPath(issue.path).replace(/^(?!\[)/, ".") : ""}`,
    message: issue.message,
  }));
}

/** The server's error handler: every failure answers in problem-details form. */
export function installErrorHandler(
  server: FastifyInstance,
  logger: Logger,
  vault: SecretVault,
): void {
  server.setNotFoundHandler((request: FastifyRequest, reply: FastifyReply) =>
    sendProblem(reply, problem(404, `no route ${request.method} ${request.url.split("?")[0]}`)),
  );
  server.setErrorHandler((error: FastifyError, request, reply) => {
    if (hasZodFastifySchemaValidationErrors(error)) {
      const where = CONTEXTS[error.validationContext ?? ""] ?? error.validationContext ?? "body";
      const errors = error.validation.map((issue) => ({
        path: `${where}${issue.instancePath
          .split("/")
          .filter(Boolean)
          .map((key) => (/^\d+$/.test(key) ? `[${key}]` : `.${key}`))
          .join("")}`,
        message: issue.message ?? "is invalid",
      }));
      return sendProblem(
        reply,
        problem(400, `the request does not have the shape this route takes`, { errors }),
      );
    }
    if (error instanceof ZodError)
      return sendProblem(
        reply,
        problem(422, "the request was refused", { errors: zodFields(error, "body") }),
      );
    if (error instanceof NightjarError) {
      if (error instanceof TooManySignInsError)
        reply.header("retry-after", String(error.retryAfterSeconds));
      // A refused input (InvalidInputError, or a domain error of the same shape) names each field.
      const problems = (error as { problems?: unknown }).problems;
      const errors = Array.isArray(problems)
        ? problems.map((p: { path?: unknown; message?: unknown }) => ({
            path: String(p.path ?? "body"),
            message: vault.redact(String(p.message ?? "is invalid")),
          }))
        : undefined;
      return sendProblem(
        reply,
        problem(STATUS[error.kind], vault.redact(error.message), errors ? { errors } : {}),
      );
    }
    // Fastify's own refusals (malformed JSON, wrong content type, too large) keep their status.
    const status = error.statusCode;
    if (status !== undefined && status >= 400 && status < 500)
      return sendProblem(reply, problem(status, vault.redact(error.message)));
    const errorId = randomUUID();
    logger.error(
      { errorId, err: error, method: request.method, route: request.routeOptions.url },
      "unexpected error while answering a request",
    );
    return sendProblem(
      reply,
      problem(500, `something went wrong on the server; the log names it as error ${errorId}`, {
        errorId,
      }),
    );
  });
}
