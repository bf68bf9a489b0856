import type { FastifyReply } from "fastify";
import type { SfmcReply } from "./errors.ts";
import type { RouteName } from "./faults.ts";
import type { AccessToken } from "./store.ts";

declare module "fastify" {
  interface FastifyContextConfig {
    /** The SFMC route, for fault rules; admin routes have none. */
    route?: RouteName;
    /** Whether the route needs a Bearer token, and which scope (null: any valid token). */
    auth?: { scope: string | null };
  }
  interface FastifyRequest {
    /** The caller's token, set by the auth hook on authenticated routes. */
    sfmcToken: AccessToken | null;
    /** Set by a `dropConnection` fault: carry the request out, then cut the connection. */
    dropConnection: boolean;
  }
}

/** Sends a route's decided answer. */
export function answer(reply: FastifyReply, decided: SfmcReply): FastifyReply {
  reply.code(decided.status);
  if (decided.headers) reply.headers(decided.headers);
  return decided.body === undefined ? reply.send() : reply.send(decided.body);
}

/** The token the auth hook put on the request (the route is declared with `auth`). */
export function tokenOf(request: { sfmcToken: AccessToken | null }): AccessToken {
  if (!request.sfmcToken) throw new Error("route declared without auth reads the token");
  return request.sfmcToken;
}
