// Every route of the API, as the generated OpenAPI document lists it: each refuses anonymous
// callers (401) and roles below its declared minimum (403), the document lists every route, and
// no answer or log line carries a secret.
import { readFile } from "node:fs/promises";
import Fastify from "fastify";
import { afterEach, beforeEach, expect, it } from "vitest";
import { injectFetch } from "../emulator/inject-fetch.ts";
import { useEmulator } from "../emulator/test-helpers.ts";
import { webApiTypes } from "../scripts/web-types.ts";
import { createApiKey } from "../src/access/api-keys.ts";
import { MINIMUM_ROLES, ROLES, type Role } from "../src/access/roles.ts";
import { createApp } from "../src/app.ts";
import { cliActor } from "../src/audit/audit.ts";
import { configFromObject } from "../src/config/load.ts";
import { migrate } from "../src/db/migrate.ts";
import { installAccessControl, UndeclaredRoleError } from "../src/server/auth.ts";
import { openApiText } from "../src/server/openapi.ts";
import { buildServer, openApiPath } from "../src/server/server.ts";
import { describeEachEngine, openTestDatabase } from "./helpers/engines.ts";
import { PASSWORD, startTestServer, type TestServer } from "./helpers/server.ts";
import { captureLogger } from "./helpers/sfmc.ts";

type Operation = { "x-nightjar-role": string };
type Document = { paths: Record<string, Record<string, Operation>> };

const emulator = useEmulator();

/** The committed document's operations: method, path with sample ids, declared role. */
function operations(document: Document, ids: Record<string, string> = {}) {
  return Object.entries(document.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, operation]) => ({
      method: method.toUpperCase() as "GET" | "POST" | "PATCH" | "DELETE",
      path,
      url: path.replace(
        /\{(\w+)\}/g,
        (_, name: string) => ids[`${path}:${name}`] ?? ids[name] ?? "1",
      ),
      role: operation["x-nightjar-role"],
    })),
  );
}

it("the committed openapi.json is the one the routes make (run `npm run openapi` after changing a route)", async () => {
  const committed = await readFile(new URL("../openapi.json", import.meta.url), "utf8");
  expect(committed).toBe(await openApiText());
});

it("the web client's committed types are the ones openapi.json makes (npm run openapi)", async () => {
  const committed = await readFile(new URL("../web/src/api/schema.d.ts", import.meta.url), "utf8");
  expect(committed).toBe(await webApiTypes(await openApiText()));
});

it("refuses to start with an /api route that declares no minimum role", async () => {
  const server = Fastify();
  const routes = installAccessControl(server, {} as never);
  server.get("/api/forgotten", async () => "x");
  server.get("/api/declared", { config: { role: "viewer" } }, async () => "x");
  await expect(server.ready()).rejects.toThrow(UndeclaredRoleError);
  expect(routes.map((r) => r.url)).toContain("/api/forgotten");
});

it("answers an unexpected error with 500 and an error id that the log names, never its stack", async () => {
  const { logger, lines } = captureLogger();
  // An app without a database: looking up the caller's key fails in a way nobody expected.
  const app = await createApp({
    config: configFromObject({}, { file: "/x/nightjar.config.json", env: {} }),
    db: false,
    logger,
  });
  const server = await buildServer(app, { version: "test" });
  const answer = await server.http.inject({
    url: "/api/apps",
    headers: { authorization: "Bearer nj_whatever" },
  });
  expect(answer.statusCode).toBe(500);
  const body = answer.json();
  expect(body).toMatchObject({
    status: 500,
    title: "Internal error",
    errorId: expect.stringMatching(/^[0-9a-f-]{36}$/),
  });
  expect(body.detail).toContain(body.errorId);
  expect(answer.body).not.toContain("createApp");
  expect(answer.body).not.toMatch(/at .*\.ts:\d+/);
  const logged = lines.find((line) => line.includes(body.errorId));
  expect(logged).toContain("opened without a database");
  await server.http.close();
});

it("reports ready: false until the migrations have run", async () => {
  const fresh = await openTestDatabase("pglite");
  try {
    const app = await createApp({
      config: configFromObject({}, { file: "/x/nightjar.config.json", env: {} }),
      db: fresh.db,
    });
    const server = await buildServer(app, { version: "9.9.9" });
    expect((await server.http.inject("/api/health")).json()).toEqual({
      status: "ok",
      ready: false,
      version: "9.9.9",
      database: "pglite",
    });
    await migrate(fresh.db);
    expect((await server.http.inject("/api/health")).json()).toMatchObject({ ready: true });
    await server.http.close();
  } finally {
    await fresh.dispose();
  }
});

describeEachEngine("every route of the API", (test) => {
  let t: TestServer;
  const tokens: string[] = [];
  beforeEach(async () => {
    const fetch = injectFetch(emulator().app);
    // Every SFMC access token the server is given, to look for it in answers and logs.
    const recording: typeof globalThis.fetch = async (input, init) => {
      const response = await fetch(input, init);
      if (String(input instanceof Request ? input.url : input).includes("/v2/token")) {
        const body = (await response
          .clone()
          .json()
          .catch(() => ({}))) as { access_token?: string };
        if (body.access_token) tokens.push(body.access_token);
      }
      return response;
    };
    t = await startTestServer(test().db, { sfmc: recording });
  });
  afterEach(async () => {
    await t.close();
  });

  it("lists every /api route in the OpenAPI document, each with its minimum role", async () => {
    const document = t.server.http.swagger() as unknown as Document;
    const documented = new Set(operations(document).map((o) => `${o.method} ${o.path}`));
    const served = t.server.routes.filter(
      (r) => !r.url.startsWith("/api/docs") && r.method !== "HEAD",
    );
    expect(served.length).toBeGreaterThan(10);
    for (const route of served)
      expect(documented).toContain(`${route.method} ${openApiPath(route.url)}`);
    for (const operation of operations(document)) expect(MINIMUM_ROLES).toContain(operation.role);
    const publicOnes = operations(document)
      .filter((o) => o.role === "public")
      .map((o) => `${o.method} ${o.path}`);
    expect(publicOnes.sort()).toEqual(["GET /api/health", "POST /api/session"]);
  });

  it("answers 401 without credentials and 403 below the declared role, on every route", async () => {
    const keys: Partial<Record<Role, string>> = {};
    const sessions: Partial<Record<Role, Record<string, string>>> = {};
    for (const role of ROLES) {
      await t.addUser(`${role}@example.com`, role);
      keys[role] = (await createApiKey(t.app, cliActor(), `${role}@example.com`, "test")).key;
      sessions[role] = t.as(await t.signIn(`${role}@example.com`));
    }
    const document = t.server.http.swagger() as unknown as Document;
    const checked: string[] = [];
    for (const op of operations(document).concat([
      { method: "GET", path: "/api/docs", url: "/api/docs/", role: "viewer" },
    ])) {
      if (op.role === "public") continue;
      const anonymous = await t.server.http.inject({
        method: op.method,
        url: op.url,
        payload: op.method === "GET" ? undefined : {},
      });
      expect(anonymous.statusCode, `${op.method} ${op.url} without credentials`).toBe(401);
      for (const role of ROLES.slice(0, ROLES.indexOf(op.role as Role))) {
        for (const headers of [
          t.as(keys[role] as string),
          sessions[role] as Record<string, string>,
        ]) {
          // An empty body: the role is refused before the body is looked at.
          const below = await t.server.http.inject({
            method: op.method,
            url: op.url,
            headers,
            payload: op.method === "GET" ? undefined : {},
          });
          expect(below.statusCode, `${op.method} ${op.url} as ${role}`).toBe(403);
        }
      }
      checked.push(`${op.method} ${op.path}`);
    }
    expect(checked).toContain("PATCH /api/users/{id}");
    expect(checked).toContain("GET /api/audit");
  });

  it("calls every route signed in and finds no secret in any answer or log line", async () => {
    const adminId = await t.addUser("admin@example.com", "admin");
    const otherId = await t.addUser("other@example.com", "marketer");
    const { key, info } = await createApiKey(t.app, cliActor(), "admin@example.com", "spare");
    const { key: spareKey } = await createApiKey(
      t.app,
      cliActor(),
      "admin@example.com",
      "to revoke",
    );
    const admin = await t.signIn("admin@example.com");
    const bodies: Record<string, unknown> = {
      "POST /api/session": { email: "admin@example.com", password: PASSWORD },
      "POST /api/users": {
        email: "new@example.com",
        role: "viewer",
        password: "another long password",
      },
      "PATCH /api/users/{id}": { role: "admin" },
      "POST /api/users/{id}/password": { password: "yet another long password" },
    };
    const document = t.server.http.swagger() as unknown as Document;
    const ids = {
      id: String(adminId),
      "/api/apps/{id}/messages:id": "6f1c3a52-1000-4a6e-9b3d-0000000000a1",
      "/api/api-keys/{id}:id": String(info.id + 1),
      "/api/users/{id}/password:id": String(otherId),
    };
    const answers: string[] = [];
    const statuses: Record<string, number> = {};
    // Sign-out ends the session: it goes last.
    const order = (path: string, method: string) =>
      method === "DELETE" && path === "/api/session" ? 1 : 0;
    const ops = operations(document, ids).sort(
      (a, b) => order(a.path, a.method) - order(b.path, b.method),
    );
    await t.server.http.inject({ method: "POST", url: "/api/sfmc/sync", headers: t.as(admin) });
    for (const op of ops) {
      const body = bodies[`${op.method} ${op.path}`];
      const response = await t.server.http.inject({
        method: op.method,
        url: op.url,
        headers: op.path === "/api/users/{id}/password" ? t.as(key) : t.as(admin),
        ...(op.method === "GET" ? {} : { payload: body ?? {} }),
      });
      statuses[`${op.method} ${op.path}`] = response.statusCode;
      answers.push(response.body, JSON.stringify(response.headers));
    }
    answers.push((await t.server.http.inject({ url: "/api/docs/", headers: t.as(key) })).body);
    expect(statuses).toMatchObject({
      "GET /api/health": 200,
      "GET /api/session": 200,
      "POST /api/users": 201,
      "GET /api/sfmc/accounts": 200,
      "POST /api/sfmc/check": 200,
      "POST /api/sfmc/sync": 200,
      "GET /api/apps/{id}/messages": 200,
      "GET /api/audit": 200,
      "DELETE /api/api-keys/{id}": 200,
      "POST /api/users/{id}/password": 200,
      "DELETE /api/session": 204,
    });
    expect(tokens.length).toBeGreaterThan(0);
    const secrets = [
      "demo-secret",
      PASSWORD,
      "another long password",
      "yet another long password",
      admin.sessionId,
      key,
      spareKey,
      ...tokens,
    ];
    const haystack = [...answers, ...t.logLines];
    expect(t.logLines.some((line) => line.includes('"route":"/api/users"'))).toBe(true);
    for (const secret of secrets)
      for (const text of haystack)
        expect(text.includes(secret), `a secret appeared in: ${text.slice(0, 300)}`).toBe(false);
  });
});
