// Sign-in, sessions, API keys, CSRF, rate limits, the last-admin rule, problem details and the
// audit log, through the API server in-process, on both engines.

import * as argon2 from "@node-rs/argon2";
import type { LightMyRequestResponse } from "fastify";
import { afterEach, beforeEach, expect, it, vi } from "vitest";
import { createApiKey } from "../src/access/api-keys.ts";
import { addUser } from "../src/access/users.ts";
import { cliActor, listAudit } from "../src/audit/audit.ts";
import { describeEachEngine } from "./helpers/engines.ts";
import { PASSWORD, startTestServer, type TestServer } from "./helpers/server.ts";

// Every argon2id verification the server makes is counted (and still made).
vi.mock("@node-rs/argon2", async (original) => {
  const real = await original<typeof import("@node-rs/argon2")>();
  return { ...real, verify: vi.fn(real.verify) };
});

describeEachEngine("the API's sign-in and access rules", (test) => {
  let t: TestServer;
  beforeEach(async () => {
    t = await startTestServer(test().db);
  });
  afterEach(async () => {
    await t.close();
  });
  const call = (
    method: "GET" | "POST" | "PATCH" | "DELETE",
    url: string,
    headers = {},
    payload?: object,
  ): Promise<LightMyRequestResponse> =>
    t.server.http.inject({ method, url, headers, ...(payload === undefined ? {} : { payload }) });

  it("signs in with a cookie session, answers who is signed in, and signs out", async () => {
    await t.addUser("Ada@Example.com", "marketer");
    const response = await call(
      "POST",
      "/api/session",
      {},
      { email: "ada@example.com", password: PASSWORD },
    );
    expect(response.statusCode).toBe(200);
    const cookie = response.cookies.find((c) => c.name === "nightjar_session");
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: "Lax", path: "/" });
    expect(cookie?.secure).toBeFalsy();
    expect(cookie?.value).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const caller = await t.signIn("ada@example.com");
    const session = await call("GET", "/api/session", { cookie: caller.cookie });
    expect(session.json()).toEqual({
      user: { id: expect.any(Number), email: "Ada@Example.com", role: "marketer" },
      role: "marketer",
      via: "session",
      csrfToken: caller.csrfToken,
    });
    // The database holds only the session id's digest.
    const stored = await test().db.kysely.selectFrom("user_sessions").select("id_sha256").execute();
    expect(stored.map((s) => s.id_sha256)).not.toContain(caller.sessionId);
    expect((await call("DELETE", "/api/session", t.as(caller))).statusCode).toBe(204);
    expect((await call("GET", "/api/session", { cookie: caller.cookie })).statusCode).toBe(401);
  });

  it("sets the Secure flag when the public URL is https", async () => {
    await t.close();
    t = await startTestServer(test().db, {
      config: (c) => {
        c.server.publicUrl = "https://nightjar.example.com";
        c.server.secureCookies = true;
      },
    });
    await t.addUser("ada@example.com", "viewer");
    const response = await call(
      "POST",
      "/api/session",
      {},
      { email: "ada@example.com", password: PASSWORD },
    );
    expect(response.cookies[0]?.secure).toBe(true);
    expect(response.headers["content-security-policy"]).toContain("upgrade-insecure-requests");
    expect(response.headers["strict-transport-security"]).toBeDefined();
  });

  it("answers a wrong email and a wrong password alike, each after one argon2id verification", async () => {
    await t.addUser("ada@example.com", "viewer");
    const verify = vi.mocked(argon2.verify);
    const attempt = async (email: string, address: string) => {
      verify.mockClear();
      const response = await t.server.http.inject({
        method: "POST",
        url: "/api/session",
        payload: { email, password: "not the password!" },
        remoteAddress: address,
      });
      // The same work either way (a missing user is checked against a dummy hash made with
      // the same parameters), so the answer's time says nothing about whether the email exists.
      const hashes = verify.mock.calls.map(([hash]) =>
        String(hash).split("$").slice(0, 4).join("$"),
      );
      return { status: response.statusCode, body: response.json(), hashes };
    };
    const wrongEmail = await attempt("nobody@example.com", "10.0.1.1");
    const wrongPassword = await attempt("ada@example.com", "10.0.2.1");
    expect(wrongEmail.status).toBe(401);
    expect(wrongEmail.body).toEqual(wrongPassword.body);
    expect(wrongEmail.hashes).toHaveLength(1);
    expect(wrongPassword.hashes).toHaveLength(1);
    // `$argon2id$v=19$m=…,t=…,p=…`: the same algorithm and cost for both.
    expect(wrongEmail.hashes[0]).toMatch(/^\$argon2id\$v=19\$m=\d+,t=\d+,p=\d+$/);
    expect(wrongEmail.hashes).toEqual(wrongPassword.hashes);
  });

  it("ends a session after the idle limit and after the absolute limit", async () => {
    await t.addUser("ada@example.com", "viewer");
    const idle = await t.signIn("ada@example.com");
    const ok = async () => (await call("GET", "/api/session", { cookie: idle.cookie })).statusCode;
    t.clock.advance(59 * 60_000);
    expect(await ok()).toBe(200);
    t.clock.advance(59 * 60_000); // used 59 minutes ago: still alive
    expect(await ok()).toBe(200);
    t.clock.advance(60 * 60_000);
    expect(await ok()).toBe(401);

    const busy = await t.signIn("ada@example.com");
    const busyOk = async () =>
      (await call("GET", "/api/session", { cookie: busy.cookie })).statusCode;
    for (let hour = 0; hour < 11; hour++) {
      t.clock.advance(60 * 60_000 - 1000);
      expect(await busyOk()).toBe(200);
    }
    t.clock.advance(60 * 60_000);
    expect(await busyOk()).toBe(401);
  });

  it("revokes sessions and API keys when a user is disabled, and sessions on a password reset", async () => {
    await t.addUser("admin@example.com", "admin");
    const adaId = await t.addUser("ada@example.com", "marketer");
    const admin = await t.signIn("admin@example.com");
    const ada = await t.signIn("ada@example.com");
    const { key } = await createApiKey(t.app, cliActor(), "ada@example.com", "nightly export");
    expect((await call("GET", "/api/apps", t.as(key))).statusCode).toBe(200);

    const reset = await call("POST", `/api/users/${adaId}/password`, t.as(admin), {
      password: "a brand new passphrase",
    });
    expect(reset.statusCode).toBe(200);
    expect((await call("GET", "/api/session", { cookie: ada.cookie })).statusCode).toBe(401);
    expect(
      (await call("POST", "/api/session", {}, { email: "ada@example.com", password: PASSWORD }))
        .statusCode,
    ).toBe(401);
    const again = await t.signIn("ada@example.com", "a brand new passphrase");

    const disable = await call("PATCH", `/api/users/${adaId}`, t.as(admin), { disabled: true });
    expect(disable.json()).toMatchObject({ disabled: true });
    expect((await call("GET", "/api/session", { cookie: again.cookie })).statusCode).toBe(401);
    expect((await call("GET", "/api/apps", t.as(key))).statusCode).toBe(401);
    const signIn = await call(
      "POST",
      "/api/session",
      {},
      { email: "ada@example.com", password: "a brand new passphrase" },
    );
    expect(signIn.statusCode).toBe(401);

    await call("PATCH", `/api/users/${adaId}`, t.as(admin), { disabled: false });
    expect((await call("GET", "/api/apps", t.as(key))).statusCode).toBe(200);
  });

  it("limits failed sign-ins per email and per address, with Retry-After", async () => {
    await t.addUser("ada@example.com", "viewer");
    await t.addUser("bob@example.com", "viewer");
    const attempt = (email: string, address: string, password = "wrong password!!") =>
      t.server.http.inject({
        method: "POST",
        url: "/api/session",
        payload: { email, password },
        remoteAddress: address,
      });
    // Per email: failures from many addresses.
    for (let i = 0; i < 9; i++)
      expect((await attempt("ada@example.com", `10.1.0.${i}`)).statusCode).toBe(401);
    // Another address signing in as ada does not clear the failures of the others…
    expect((await attempt("ada@example.com", "10.9.9.9", PASSWORD)).statusCode).toBe(200);
    expect((await attempt("ada@example.com", "10.1.0.99")).statusCode).toBe(401);
    // …so the 10th failure locks the email, even with the right password.
    const locked = await attempt("ada@example.com", "10.2.0.1", PASSWORD);
    expect(locked.statusCode).toBe(429);
    expect(Number(locked.headers["retry-after"])).toBeGreaterThan(0);
    expect(Number(locked.headers["retry-after"])).toBeLessThanOrEqual(15 * 60);
    expect(locked.json()).toMatchObject({ status: 429, title: "Too many requests" });
    // The limit counts an email that does not exist just the same.
    for (let i = 0; i < 10; i++) await attempt("ghost@example.com", `10.3.0.${i}`);
    expect((await attempt("ghost@example.com", "10.3.1.1")).statusCode).toBe(429);
    // Per address: ten failures with different emails.
    for (let i = 0; i < 10; i++) await attempt(`x${i}@example.com`, "10.4.0.1");
    expect((await attempt("bob@example.com", "10.4.0.1", PASSWORD)).statusCode).toBe(429);
    expect((await attempt("bob@example.com", "10.4.0.2", PASSWORD)).statusCode).toBe(200);
    t.clock.advance(15 * 60_000 + 1000);
    expect((await attempt("ada@example.com", "10.2.0.1", PASSWORD)).statusCode).toBe(200);
    expect((await attempt("bob@example.com", "10.4.0.1", PASSWORD)).statusCode).toBe(200);
  });

  it("refuses a change made with the session cookie but without its CSRF token; Bearer needs none", async () => {
    await t.addUser("admin@example.com", "admin");
    const admin = await t.signIn("admin@example.com");
    const body = { email: "new@example.com", role: "viewer", password: PASSWORD };
    const without = await call("POST", "/api/users", { cookie: admin.cookie }, body);
    expect(without.statusCode).toBe(403);
    expect(without.json().detail).toContain("x-csrf-token");
    const wrong = await call(
      "POST",
      "/api/users",
      { cookie: admin.cookie, "x-csrf-token": "x".repeat(43) },
      body,
    );
    expect(wrong.statusCode).toBe(403);
    const other = await t.signIn("admin@example.com");
    expect(
      (
        await call(
          "POST",
          "/api/users",
          { cookie: admin.cookie, "x-csrf-token": other.csrfToken },
          body,
        )
      ).statusCode,
    ).toBe(403);
    expect((await listAudit(test().db.kysely, { entity: "user" })).map((e) => e.action)).toEqual([
      "create",
    ]);
    const { key } = await createApiKey(t.app, cliActor(), "admin@example.com", "ci");
    expect((await call("POST", "/api/users", t.as(key), body)).statusCode).toBe(201);
    expect((await call("DELETE", "/api/session", { cookie: admin.cookie })).statusCode).toBe(403);
  });

  it("acts with the API key's user's role, lists keys without them, and refuses revoked keys", async () => {
    await t.addUser("admin@example.com", "admin");
    await t.addUser("viewer@example.com", "viewer");
    const { key, info } = await createApiKey(t.app, cliActor(), "viewer@example.com", "dashboard");
    expect(key).toMatch(/^nj_[A-Za-z0-9_-]{43}$/);
    const session = await call("GET", "/api/session", t.as(key));
    expect(session.json()).toMatchObject({ role: "viewer", via: "api_key", csrfToken: null });
    expect((await call("GET", "/api/users", t.as(key))).statusCode).toBe(403);
    expect((await call("GET", "/api/users", t.as("nj_not-a-key"))).statusCode).toBe(401);
    expect((await call("GET", "/api/users", { authorization: "Basic abc" })).statusCode).toBe(401);
    const admin = await t.signIn("admin@example.com");
    const keys = await call("GET", "/api/api-keys", t.as(admin));
    expect(keys.json()).toEqual([
      expect.objectContaining({
        id: info.id,
        name: "dashboard",
        email: "viewer@example.com",
        lastUsedAt: "2026-12-01T09:00:00.000Z",
        revokedAt: null,
      }),
    ]);
    expect(keys.body).not.toContain(key);
    expect((await call("DELETE", `/api/api-keys/${info.id}`, t.as(admin))).json()).toMatchObject({
      revokedAt: expect.any(String),
    });
    expect((await call("GET", "/api/session", t.as(key))).statusCode).toBe(401);
    const stored = await test().db.kysely.selectFrom("api_keys").select("key_sha256").execute();
    expect(JSON.stringify(stored)).not.toContain(key);
  });

  it("never disables or demotes the last enabled admin", async () => {
    const firstId = await t.addUser("first@example.com", "admin");
    const admin = await t.signIn("first@example.com");
    const demote = await call("PATCH", `/api/users/${firstId}`, t.as(admin), { role: "marketer" });
    expect(demote.statusCode).toBe(409);
    expect(demote.json().detail).toContain("last enabled admin");
    expect(
      (await call("PATCH", `/api/users/${firstId}`, t.as(admin), { disabled: true })).statusCode,
    ).toBe(409);
    const secondId = await t.addUser("second@example.com", "admin");
    expect(
      (await call("PATCH", `/api/users/${secondId}`, t.as(admin), { disabled: true })).statusCode,
    ).toBe(200);
    // A disabled admin does not count.
    expect(
      (await call("PATCH", `/api/users/${firstId}`, t.as(admin), { role: "viewer" })).statusCode,
    ).toBe(409);
    await call("PATCH", `/api/users/${secondId}`, t.as(admin), { disabled: false });
    expect(
      (await call("PATCH", `/api/users/${firstId}`, t.as(admin), { role: "viewer" })).json(),
    ).toMatchObject({ role: "viewer" });
    const audit = await listAudit(test().db.kysely, { entity: "user" });
    expect(audit.map((e) => e.action)).toEqual([
      "set_role",
      "enable",
      "disable",
      "create",
      "create",
    ]);
  });

  it("answers invalid requests with problem details naming each field", async () => {
    await t.addUser("admin@example.com", "admin");
    const admin = await t.signIn("admin@example.com");
    const bad = await call("POST", "/api/users", t.as(admin), {
      email: "not-an-email",
      role: "boss",
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.headers["content-type"]).toContain("application/problem+json");
    expect(bad.json()).toEqual({
      type: expect.any(String),
      title: "Bad request",
      status: 400,
      detail: expect.any(String),
      errors: [
        { path: "body.email", message: "must be an email address" },
        { path: "body.role", message: expect.stringContaining("expected one of") },
        { path: "body.password", message: expect.any(String) },
      ],
    });
    const weak = await call("POST", "/api/users", t.as(admin), {
      email: "a@example.com",
      role: "viewer",
      password: "short",
    });
    expect(weak.statusCode).toBe(422);
    expect(weak.json().detail).toContain("at least 12 characters");
    const taken = await call("POST", "/api/users", t.as(admin), {
      email: "ADMIN@example.com",
      role: "viewer",
      password: PASSWORD,
    });
    expect(taken.statusCode).toBe(409);
    const query = await call("GET", "/api/audit?from=yesterday", t.as(admin));
    expect(query.json().errors[0].path).toBe("query.from");
    const path = await call("PATCH", "/api/users/abc", t.as(admin), {});
    expect(path.json().errors[0].path).toBe("path.id");
    const json = await t.server.http.inject({
      method: "POST",
      url: "/api/users",
      headers: { ...t.as(admin), "content-type": "application/json" },
      payload: "{nope",
    });
    expect(json.statusCode).toBe(400);
    expect(json.json().title).toBe("Bad request");
    expect((await call("GET", "/api/nothing-here", t.as(admin))).json()).toMatchObject({
      status: 404,
    });
    // Neither refusal left an audit row.
    expect((await listAudit(test().db.kysely, { entity: "user" })).length).toBe(1);
  });

  it("writes the audit row in the change's transaction: no change without its row, no row without its change", async () => {
    await t.addUser("admin@example.com", "admin");
    // An actor that is not a user makes the audit insert fail (foreign key): the user is not added.
    const ghost = { label: "user:ghost@example.com", userId: 999_999 };
    await expect(
      addUser(t.app, ghost, { email: "c@example.com", role: "viewer", password: PASSWORD }),
    ).rejects.toThrow();
    const users = await test().db.kysely.selectFrom("users").select("email").execute();
    expect(users.map((u) => u.email)).toEqual(["admin@example.com"]);
    const admin = await t.signIn("admin@example.com");
    await call("POST", "/api/users", t.as(admin), {
      email: "d@example.com",
      role: "viewer",
      password: PASSWORD,
    });
    const audit = await call("GET", "/api/audit?entity=user", t.as(admin));
    expect(audit.json()).toEqual([
      expect.objectContaining({
        actor: "user:admin@example.com",
        entity: "user",
        action: "create",
        after: expect.objectContaining({ email: "d@example.com", role: "viewer" }),
      }),
      expect.objectContaining({
        actor: expect.stringMatching(/^cli:/),
        action: "create",
        before: null,
      }),
    ]);
    expect(audit.body).not.toContain("password_hash");
    expect(audit.body).not.toContain("$argon2id");
    const later = await call(
      "GET",
      `/api/audit?from=${encodeURIComponent("2026-12-02T00:00:00Z")}`,
      t.as(admin),
    );
    expect(later.json()).toEqual([]);
  });
});
