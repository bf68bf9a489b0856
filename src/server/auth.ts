/**
 * Who may call what. Every `/api/*` route declares its minimum role in `config.role`; the server
 * refuses to start with one that does not. Each request is checked in this order: credentials
 * (anonymous → 401), role (→ 403), CSRF for a state-changing request made with the session cookie
 * (→ 403), and only then is its body validated — so an anonymous caller never learns what a
 * valid body looks like.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from "fastify";
import { authenticateApiKey } from "../access/api-keys.ts";
import { type MinimumRole, roleAllows } from "../access/roles.ts";
import { authenticateSession, type Principal } from "../access/sessions.ts";
import { sameToken } from "../access/tokens.ts";
import type { App } from "../app.ts";
import { NightjarError } from "../errors.ts";

declare module "fastify" {
  interface FastifyContextConfig {
    /** The least role a caller needs (every `/api/*` route declares one). */
    role?: MinimumRole;
  }
  interface FastifyRequest {
    /** The signed-in caller, once the credentials were checked (null: anonymous). */
    principal: Principal | null;
  }
}

/** The name of the session cookie. */
export const SESSION_COOKIE = "nightjar_session";

/** The request carries no valid credentials. */
export class NotSignedInError extends NightjarError {
  override name = "NotSignedInError";
  override readonly kind = "unauthenticated";
}

/** The caller's role (or CSRF token) does not allow the request. */
export class ForbiddenError extends NightjarError {
  override name = "ForbiddenError";
  override readonly kind = "forbidden";
}

/** An `/api/*` route that declares no minimum role: a programming error, found at start-up. */
export class UndeclaredRoleError extends Error {
  override name = "UndeclaredRoleError";
}

/** A route as the role registry knows it. */
export interface DeclaredRoute {
  method: string;
  /** Fastify's pattern, e.g. `/api/apps/:id/messages`. */
  url: string;
  role: MinimumRole | undefined;
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** The credentials a request carries: a Bearer API key, else the session cookie. */
async function authenticate(app: App, request: FastifyRequest): Promise<Principal | null> {
  const header = request.headers.authorization;
  if (header !== undefined) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    return match?.[1] ? authenticateApiKey(app, match[1]) : null;
  }
  const sessionId = request.cookies[SESSION_COOKIE];
  return sessionId ? authenticateSession(app, sessionId) : null;
}

/**
 * Installs the credential, role and CSRF checks, and the registry that refuses to start with an
 * `/api/*` route declaring no role. Returns the registry (every route, as it was declared).
 */
export function installAccessControl(server: FastifyInstance, app: App): DeclaredRoute[] {
  const routes: DeclaredRoute[] = [];
  // Kept by reference: a plugin may still fill in a route's config after this hook has seen it.
  const options: RouteOptions[] = [];
  server.decorateRequest("principal", null);
  server.addHook("onRoute", (route) => {
    if (route.url.startsWith("/api")) options.push(route);
  });
  server.addHook("onReady", async () => {
    for (const route of options) {
      const methods = Array.isArray(route.method) ? route.method : [route.method];
      const role = route.config?.role;
      for (const method of methods) {
        if (method === "HEAD" && route.exposeHeadRoute === undefined) continue;
        routes.push({ method, url: route.url, role });
      }
      if (!role)
        throw new UndeclaredRoleError(
          `route ${methods.join(",")} ${route.url} declares no minimum role (config.role)`,
        );
    }
  });
  server.addHook("onRequest", async (request: FastifyRequest, _reply: FastifyReply) => {
    const role = request.routeOptions.config.role;
    if (role === undefined) return; // the web app's public files, and unknown URLs (404)
    // A public route needs no one: its callers' credentials are not even looked up.
    if (role === "public") return;
    const principal = await authenticate(app, request);
    request.principal = principal;
    if (!principal) throw new NotSignedInError("sign in first (or send an API key as Bearer)");
    if (!roleAllows(principal.role, role))
      throw new ForbiddenError(`this needs the ${role} role; you are ${principal.role}`);
    if (!SAFE_METHODS.has(request.method) && principal.csrfToken !== null) {
      const token = request.headers["x-csrf-token"];
      if (typeof token !== "string" || !sameToken(token, principal.csrfToken))
        throw new ForbiddenError(
          "missing or wrong x-csrf-token header (GET /api/session gives the session's token)",
        );
    }
  });
  return routes;
}

/** The signed-in caller of a route that is not public. */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new NotSignedInError("sign in first");
  return request.principal;
}
