import { describe, expect, it } from "vitest";
import { advance, call, DEMO_MESSAGES, DOC_URL, token, useEmulator } from "./test-helpers.ts";

const emulator = useEmulator();
const NOT_AUTHORIZED = { documentation: DOC_URL, errorcode: 0, message: "Not Authorized" };

const grant = (fields: Record<string, unknown> = {}) => ({
  grant_type: "client_credentials",
  client_id: "demo-client",
  client_secret: "demo-secret",
  ...fields,
});

describe("POST /v2/token", () => {
  it("issues a 20-minute Bearer token for the home MID with every granted scope", async () => {
    const answer = await call(emulator(), "POST", "v2/token", { body: grant() });
    expect(answer.status).toBe(200);
    const body = answer.body as Record<string, unknown>;
    expect(body).toEqual({
      access_token: expect.stringMatching(/^eyJ[\w-]+\.[\w-]+\.[\w-]+$/),
      token_type: "Bearer",
      expires_in: 1079,
      scope: "push_read push_write push_send",
      soap_instance_url: emulator().url,
      rest_instance_url: emulator().url,
    });
    expect(String(body.access_token).length).toBeLessThanOrEqual(512);
    expect(String(body.rest_instance_url).endsWith("/")).toBe(true);
    const context = await call(emulator(), "GET", "platform/v1/tokenContext", {
      token: String(body.access_token),
    });
    expect(context.status).toBe(202);
    expect(context.body).toEqual({
      enterprise: { id: 100 },
      organization: { id: 100 },
      user: { id: 700001 },
    });
  });

  it("selects the BU with account_id, as a number or a string", async () => {
    for (const accountId of [200, "200"]) {
      const answer = await call(emulator(), "POST", "v2/token", {
        body: grant({ account_id: accountId }),
      });
      expect(answer.status).toBe(200);
      const context = await call(emulator(), "GET", "platform/v1/tokenContext", {
        token: (answer.body as { access_token: string }).access_token,
      });
      expect(context.body).toMatchObject({ organization: { id: 200 } });
    }
  });

  it("accepts a form-encoded body too", async () => {
    const answer = await call(emulator(), "POST", "v2/token", {
      form: {
        grant_type: "client_credentials",
        client_id: "demo-client",
        client_secret: "demo-secret",
        account_id: "200",
      },
    });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ token_type: "Bearer", expires_in: 1079 });
  });

  it("refuses form encoding when it is switched off", async () => {
    await call(emulator(), "PATCH", "_emulator/behaviour", { body: { formEncodedToken: false } });
    const answer = await call(emulator(), "POST", "v2/token", {
      form: {
        grant_type: "client_credentials",
        client_id: "demo-client",
        client_secret: "demo-secret",
      },
    });
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ error: "invalid_request" });
  });

  it("answers an unknown client id with the documented invalid_client body", async () => {
    const answer = await call(emulator(), "POST", "v2/token", {
      body: grant({ client_id: "nobody" }),
    });
    expect(answer.status).toBe(401);
    expect(answer.body).toEqual({
      error: "invalid_client",
      error_description:
        "Invalid client ID. Use the client ID in Marketing Cloud Installed Packages.",
      error_uri: "https://developer.salesforce.com/docs",
    });
  });

  it("answers a wrong secret with the documented invalid_client body", async () => {
    const answer = await call(emulator(), "POST", "v2/token", {
      body: grant({ client_secret: "wrong" }),
    });
    expect(answer.status).toBe(401);
    expect(answer.body).toEqual({
      error: "invalid_client",
      error_description:
        "Client authentication failed. Make sure that the client ID and client secret are valid and that the package is installed and enabled.",
      error_uri: "https://developer.salesforce.com/docs",
    });
  });

  it("answers a BU the client may not use with 401 unauthorized_client (configurable)", async () => {
    const answer = await call(emulator(), "POST", "v2/token", { body: grant({ account_id: 999 }) });
    expect(answer.status).toBe(401);
    expect(answer.body).toMatchObject({
      error: "unauthorized_client",
      error_uri: "https://developer.salesforce.com/docs",
    });
    await call(emulator(), "PATCH", "_emulator/behaviour", {
      body: { accountNotAllowed: { status: 403, error: "access_denied" } },
    });
    const other = await call(emulator(), "POST", "v2/token", { body: grant({ account_id: 999 }) });
    expect(other.status).toBe(403);
    expect(other.body).toMatchObject({ error: "access_denied" });
  });

  it("answers a bad grant type and missing fields with 400", async () => {
    const badGrant = await call(emulator(), "POST", "v2/token", {
      body: grant({ grant_type: "password" }),
    });
    expect(badGrant.status).toBe(400);
    expect(badGrant.body).toMatchObject({ error: "unsupported_grant_type" });
    const noGrant = await call(emulator(), "POST", "v2/token", {
      body: { client_id: "demo-client", client_secret: "demo-secret" },
    });
    expect(noGrant.status).toBe(400);
    expect(noGrant.body).toMatchObject({ error: "invalid_request" });
    const noSecret = await call(emulator(), "POST", "v2/token", {
      body: { grant_type: "client_credentials", client_id: "demo-client" },
    });
    expect(noSecret.status).toBe(400);
    expect(noSecret.body).toMatchObject({ error: "invalid_request" });
  });

  it("answers a body it cannot parse with 400 invalid_request", async () => {
    const answer = await call(emulator(), "POST", "v2/token", {
      headers: { "content-type": "application/json" },
      rawBody: "{grant_type",
    });
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({
      error: "invalid_request",
      error_uri: "https://developer.salesforce.com/docs",
    });
  });

  it("gives the requested scopes that are granted; an empty scope gives none", async () => {
    const read = await call(emulator(), "POST", "v2/token", {
      body: grant({ scope: "push_read email_send" }),
    });
    expect(read.body).toMatchObject({ scope: "push_read" });
    const none = await call(emulator(), "POST", "v2/token", { body: grant({ scope: "" }) });
    expect(none.body).toMatchObject({ scope: "" });
  });
});

describe("Bearer auth", () => {
  const list = "push/v1/message";

  it("answers a missing, malformed or unknown token with 401 errorcode 0", async () => {
    expect(await call(emulator(), "GET", list)).toMatchObject({
      status: 401,
      body: NOT_AUTHORIZED,
    });
    const basic = await call(emulator(), "GET", list, { headers: { authorization: "Basic abc" } });
    expect(basic).toMatchObject({ status: 401, body: NOT_AUTHORIZED });
    expect(await call(emulator(), "GET", list, { token: "not-a-token" })).toMatchObject({
      status: 401,
      body: NOT_AUTHORIZED,
    });
    // The token belongs in the header only.
    const good = await token(emulator());
    const inUrl = await call(emulator(), "GET", `${list}?access_token=${good}`);
    expect(inUrl).toMatchObject({ status: 401, body: NOT_AUTHORIZED });
  });

  it("expires a token 20 minutes after it was issued, on the emulated clock", async () => {
    const bearer = await token(emulator());
    await advance(emulator(), 19 * 60 + 59);
    expect((await call(emulator(), "GET", list, { token: bearer })).status).toBe(200);
    await advance(emulator(), 1);
    expect(await call(emulator(), "GET", list, { token: bearer })).toMatchObject({
      status: 401,
      body: NOT_AUTHORIZED,
    });
  });

  it("expires tokens at once through the admin API", async () => {
    const bearer = await token(emulator());
    const expired = await call(emulator(), "POST", "_emulator/tokens/expire", { body: {} });
    expect(expired.body).toEqual({ expired: 1 });
    expect((await call(emulator(), "GET", list, { token: bearer })).status).toBe(401);
    expect((await call(emulator(), "GET", list, { token: await token(emulator()) })).status).toBe(
      200,
    );
  });

  it("answers a token without the route's scope with 403 errorcode 20002", async () => {
    const readOnly = await token(emulator(), { scope: "push_read" });
    expect((await call(emulator(), "GET", list, { token: readOnly })).status).toBe(200);
    const forbidden = {
      status: 403,
      body: { message: expect.any(String), errorcode: 20002, documentation: DOC_URL },
    };
    const send = `push/v1/messageContact/${DEMO_MESSAGES.welcome}/send`;
    expect(
      await call(emulator(), "POST", send, {
        token: readOnly,
        body: { SubscriberKeys: ["C000000"] },
      }),
    ).toMatchObject(forbidden);
    expect(
      await call(emulator(), "DELETE", `${list}/${DEMO_MESSAGES.welcome}`, { token: readOnly }),
    ).toMatchObject(forbidden);
    // POST and PUT of messages need push_send, not push_write.
    const writeOnly = await token(emulator(), { scope: "push_write" });
    expect(await call(emulator(), "POST", list, { token: writeOnly, body: {} })).toMatchObject(
      forbidden,
    );
    expect(await call(emulator(), "GET", list, { token: writeOnly })).toMatchObject(forbidden);
    const none = await token(emulator(), { scope: "" });
    expect(
      await call(emulator(), "GET", `push/v1/application/6f1c3a52-1000-4a6e-9b3d-0000000000a1`, {
        token: none,
      }),
    ).toMatchObject(forbidden);
    // tokenContext needs a token, no scope.
    expect(
      (await call(emulator(), "GET", "platform/v1/tokenContext", { token: none })).status,
    ).toBe(202);
  });

  it("answers an unknown route with 404 (596 when configured)", async () => {
    const bearer = await token(emulator());
    const missing = await call(emulator(), "GET", "push/v1/nowhere", { token: bearer });
    expect(missing.status).toBe(404);
    await call(emulator(), "PATCH", "_emulator/behaviour", { body: { unknownRouteStatus: 596 } });
    const gateway = await call(emulator(), "GET", "push/v1/nowhere", { token: bearer });
    expect(gateway).toMatchObject({ status: 596, body: { message: "Service Not Found" } });
  });
});
