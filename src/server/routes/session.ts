import { z } from "zod";
import { Role } from "../../access/roles.ts";
import { type Principal, signIn, signOut } from "../../access/sessions.ts";
import type { App } from "../../app.ts";
import { principalOf, SESSION_COOKIE } from "../auth.ts";
import type { ZodServer } from "../server.ts";

const SessionUser = z.object({ id: z.number().int(), email: z.string(), role: Role });
const Session = z
  .object({
    user: SessionUser,
    role: Role,
    via: z.enum(["session", "api_key"]),
    csrfToken: z
      .string()
      .nullable()
      .describe("send it as x-csrf-token on every change made with the session cookie"),
  })
  .meta({ id: "Session" });

const SignIn = z.object({ email: z.string().max(254), password: z.string().max(1024) });

function sessionOf(principal: Principal): z.infer<typeof Session> {
  return {
    user: { id: principal.userId, email: principal.email, role: principal.role },
    role: principal.role,
    via: principal.via,
    csrfToken: principal.csrfToken,
  };
}

function cookieOptions(app: App) {
  return {
    httpOnly: true,
    sameSite: "lax" as const,
    secure: app.config.server.secureCookies,
    path: "/",
  };
}

/** Sign-in, the signed-in session, sign-out. */
export function registerSessionRoutes(server: ZodServer, app: App): void {
  server.post(
    "/api/session",
    {
      config: { role: "public" },
      schema: {
        summary: "Sign in with email and password (sets the session cookie)",
        tags: ["session"],
        body: SignIn,
        response: { 200: Session },
      },
    },
    async (request, reply) => {
      const signedIn = await signIn(app, {
        email: request.body.email,
        password: request.body.password,
        clientAddress: request.ip,
        userAgent: request.headers["user-agent"],
      });
      // Max-Age, not Expires: the browser counts it on its own clock, which need not be the
      // server's (a demo or a test moves Nightjar's clock; a date would already be past there).
      const seconds = (signedIn.expiresAt.getTime() - app.clock.now().getTime()) / 1000;
      reply.setCookie(SESSION_COOKIE, signedIn.sessionId, {
        ...cookieOptions(app),
        maxAge: Math.max(0, Math.floor(seconds)),
      });
      return sessionOf(signedIn.principal);
    },
  );
  server.get(
    "/api/session",
    {
      config: { role: "viewer" },
      schema: {
        summary: "The signed-in user, role and CSRF token",
        tags: ["session"],
        response: { 200: Session },
      },
    },
    async (request) => sessionOf(principalOf(request)),
  );
  server.delete(
    "/api/session",
    {
      config: { role: "viewer" },
      schema: { summary: "Sign out (ends the session)", tags: ["session"] },
    },
    async (request, reply) => {
      const sessionId = request.cookies[SESSION_COOKIE];
      if (sessionId && principalOf(request).via === "session") await signOut(app, sessionId);
      reply.clearCookie(SESSION_COOKIE, cookieOptions(app));
      return reply.code(204).send();
    },
  );
}
