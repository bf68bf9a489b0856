// The server's life and manners: requests in flight finish when it stops, every answer carries the
// security headers and no CORS grant, and the password prompt of the CLI does not echo.
import { PassThrough } from "node:stream";
import { afterEach, beforeEach, expect, it } from "vitest";
import { injectFetch } from "../emulator/inject-fetch.ts";
import { call as emulatorCall, useEmulator } from "../emulator/test-helpers.ts";
import { createApiKey } from "../src/access/api-keys.ts";
import { cliActor, listAudit } from "../src/audit/audit.ts";
import { readNewPassword } from "../src/cli/password.ts";
import { serveApi } from "../src/server/serve.ts";
import { describeEachEngine } from "./helpers/engines.ts";
import { startTestServer, type TestServer } from "./helpers/server.ts";

const emulator = useEmulator();

describeEachEngine("the API server's life", (test) => {
  let t: TestServer;
  beforeEach(async () => {
    t = await startTestServer(test().db, { sfmc: injectFetch(emulator().app) });
  });
  afterEach(async () => {
    await t.close();
  });

  it("lets a request in flight finish when it stops, and takes no new ones", async () => {
    await t.addUser("admin@example.com", "admin");
    const { key } = await createApiKey(t.app, cliActor(), "admin@example.com", "ops");
    // SFMC answers the token request late: the sync is still running when the stop comes.
    await emulatorCall(emulator(), "POST", "_emulator/faults", {
      body: { kind: "slow", route: "token", delayMs: 600, times: 1 },
    });
    const running = await serveApi(t.app, { host: "127.0.0.1", port: 0, version: "test" });
    const headers = { authorization: `Bearer ${key}` };
    const inFlight = fetch(`${running.url}/api/sfmc/sync`, { method: "POST", headers });
    await new Promise((resolve) => setTimeout(resolve, 200));
    let closed = false;
    const closing = running.close().then(() => {
      closed = true;
    });
    const answer = await inFlight;
    expect(answer.status).toBe(200);
    expect(await answer.json()).toMatchObject({ accounts: 1, messages: { added: 7 } });
    await closing;
    expect(closed).toBe(true);
    await expect(fetch(`${running.url}/api/health`)).rejects.toThrow();
    // The sync it finished is in the audit log, by the key's user.
    const audit = await listAudit(test().db.kysely, { entity: "sfmc_messages" });
    expect(audit).toEqual([
      expect.objectContaining({
        actor: "user:admin@example.com",
        action: "sync",
        after: expect.objectContaining({ added: 7 }),
      }),
    ]);
  });

  it("sends the security headers on every answer and grants no cross-origin access", async () => {
    await t.addUser("viewer@example.com", "viewer");
    const viewer = await t.signIn("viewer@example.com");
    const answers = [
      await t.server.http.inject({ url: "/api/health" }),
      await t.server.http.inject({ url: "/api/apps" }),
      await t.server.http.inject({ url: "/api/apps", headers: t.as(viewer) }),
      await t.server.http.inject({ url: "/api/users", headers: t.as(viewer) }),
      await t.server.http.inject({ url: "/api/nowhere" }),
      await t.server.http.inject({
        method: "OPTIONS",
        url: "/api/apps",
        headers: { origin: "https://evil.example", "access-control-request-method": "GET" },
      }),
      await t.server.http.inject({
        url: "/api/apps",
        headers: { ...t.as(viewer), origin: "https://evil.example" },
      }),
    ];
    expect(answers.map((a) => a.statusCode)).toEqual([200, 401, 200, 403, 404, 404, 200]);
    for (const answer of answers) {
      expect(answer.headers["x-content-type-options"]).toBe("nosniff");
      expect(answer.headers["content-security-policy"]).toContain("default-src 'self'");
      // Served over plain HTTP (no https publicUrl): no upgrade, no HSTS, or the UI breaks on a LAN.
      expect(answer.headers["content-security-policy"]).not.toContain("upgrade-insecure-requests");
      expect(answer.headers["strict-transport-security"]).toBeUndefined();
      expect(answer.headers["access-control-allow-origin"]).toBeUndefined();
    }
  });

  it("serves the API reference to signed-in users under a policy that works over plain HTTP", async () => {
    await t.addUser("viewer@example.com", "viewer");
    const viewer = await t.signIn("viewer@example.com");
    expect((await t.server.http.inject({ url: "/api/docs/" })).statusCode).toBe(401);
    const page = await t.server.http.inject({ url: "/api/docs/", headers: t.as(viewer) });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain("swagger-ui");
    const policy = String(page.headers["content-security-policy"]);
    expect(policy).toContain("script-src 'self'");
    expect(policy).not.toContain("upgrade-insecure-requests");
    expect(policy).not.toContain("validator.swagger.io");
    const document = await t.server.http.inject({ url: "/api/docs/json", headers: t.as(viewer) });
    expect(document.json()).toMatchObject({ openapi: "3.1.0", info: { title: "Nightjar API" } });
  });

  it("refuses an empty change of a user", async () => {
    const id = await t.addUser("admin@example.com", "admin");
    const admin = await t.signIn("admin@example.com");
    const empty = await t.server.http.inject({
      method: "PATCH",
      url: `/api/users/${id}`,
      headers: t.as(admin),
      payload: {},
    });
    expect(empty.statusCode).toBe(400);
    expect(empty.json().errors).toEqual([
      { path: "body", message: "give role or disabled (or both)" },
    ]);
  });
});

it("asks for a new password twice on a terminal without echoing it", async () => {
  const stdin = Object.assign(new PassThrough(), { isTTY: true, setRawMode: () => {} });
  let shown = "";
  const io = {
    stdout: { write: () => true },
    stderr: { write: (text: string) => (shown += text) },
    env: {},
    cwd: "/",
    stdin,
  };
  const asked = readNewPassword(io, false);
  setTimeout(() => stdin.write("a long secret phrase\n"), 20);
  setTimeout(() => stdin.write("a long secret phrase\n"), 60);
  expect(await asked).toBe("a long secret phrase");
  expect(shown).toContain("Password (at least 12 characters): ");
  expect(shown).toContain("The same password again: ");
  expect(shown).not.toContain("a long secret phrase");

  const mismatch = Object.assign(new PassThrough(), { isTTY: true, setRawMode: () => {} });
  const refused = readNewPassword({ ...io, stdin: mismatch }, false);
  setTimeout(() => mismatch.write("a long secret phrase\n"), 20);
  setTimeout(() => mismatch.write("another phrase here\n"), 60);
  await expect(refused).rejects.toThrow("the two passwords differ");
});
