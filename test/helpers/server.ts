import { expect } from "vitest";
import { DEMO_CLIENT } from "../../emulator/demo-tenant.ts";
import type { Role } from "../../src/access/roles.ts";
import { addUser } from "../../src/access/users.ts";
import { type App, type AppOptions, createApp } from "../../src/app.ts";
import { cliActor } from "../../src/audit/audit.ts";
import { type Clock, TestClock } from "../../src/clock.ts";
import { EXAMPLE_CONFIG } from "../../src/config/example.ts";
import { configFromObject } from "../../src/config/load.ts";
import type { NightjarConfig } from "../../src/config/schema.ts";
import type { NightjarDb } from "../../src/db/connect.ts";
import { buildServer, type NightjarServer } from "../../src/server/server.ts";
import { captureLogger, IN_PROCESS_URL } from "./sfmc.ts";

/** The password every test user gets (long enough). */
export const PASSWORD = "correct horse battery staple";

/** A signed-in caller: its cookie and CSRF token, to send with `as`. */
export interface Caller {
  cookie: string;
  csrfToken: string;
  sessionId: string;
}

/** An API server on a test database, driven in-process with `inject`. */
export interface TestServer {
  app: App;
  server: NightjarServer;
  clock: TestClock;
  /** Every log line written (info and up). */
  logLines: string[];
  /** Adds a user with `PASSWORD`. */
  addUser(email: string, role: Role): Promise<number>;
  /** Signs in; fails the test unless it works. */
  signIn(email: string, password?: string): Promise<Caller>;
  /** Headers that carry a caller's session (and CSRF token) or an API key. */
  as(who: Caller | string | null): Record<string, string>;
  close(): Promise<void>;
}

/** Builds the API server on `db` (migrated by the app), with a test clock and a captured log. */
export async function startTestServer(
  db: NightjarDb,
  options: {
    config?: (config: NightjarConfig) => void;
    /** The example config's SFMC account is reached through this `fetch` (the emulator's). */
    sfmc?: typeof fetch;
    clock?: Clock;
    /** The config's file, which relative paths (e.g. `imports.dropFolder`) are read from. */
    file?: string;
    /** The SFMC clients' retry policy and timeouts. */
    sfmcClient?: AppOptions["sfmcClient"];
  } = {},
): Promise<TestServer> {
  const config = structuredClone(EXAMPLE_CONFIG) as NightjarConfig;
  if (options.sfmc)
    for (const account of config.sfmc.accounts) account.authBaseUrl = IN_PROCESS_URL;
  options.config?.(config);
  const loaded = configFromObject(config, {
    file: options.file ?? "/nonexistent/nightjar.config.json",
    env: options.sfmc ? { SFMC_CLIENT_SECRET: DEMO_CLIENT.clientSecret } : {},
  });
  const clock = new TestClock("2026-12-01T09:00:00Z");
  const { logger, lines } = captureLogger();
  const app = await createApp({
    config: loaded,
    db,
    upgrade: true,
    clock: options.clock ?? clock,
    logger,
    ...(options.sfmc ? { fetch: options.sfmc } : {}),
    ...(options.sfmcClient ? { sfmcClient: options.sfmcClient } : {}),
  });
  const server = await buildServer(app, { version: "test" });
  const http = server.http;
  const test: TestServer = {
    app,
    server,
    clock,
    logLines: lines,
    addUser: async (email, role) =>
      (await addUser(app, cliActor(), { email, role, password: PASSWORD })).id,
    async signIn(email, password = PASSWORD) {
      const response = await http.inject({
        method: "POST",
        url: "/api/session",
        payload: { email, password },
      });
      expect(response.statusCode, response.body).toBe(200);
      const sessionId = response.cookies.find((c) => c.name === "nightjar_session")?.value;
      if (!sessionId) throw new Error("no session cookie");
      return {
        cookie: `nightjar_session=${sessionId}`,
        csrfToken: response.json().csrfToken,
        sessionId,
      };
    },
    as(who): Record<string, string> {
      if (who === null) return {};
      if (typeof who === "string") return { authorization: `Bearer ${who}` };
      return { cookie: who.cookie, "x-csrf-token": who.csrfToken };
    },
    close: () => http.close(),
  };
  return test;
}
