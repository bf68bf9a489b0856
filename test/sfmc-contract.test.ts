// The SFMC client's contract suite: every call, every error body shape and every fault kind,
// through the real client against the emulator, in-process (app.inject) and over a real socket.
import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import type { FaultRuleInput } from "../emulator/faults.ts";
import { advance, call, DEMO_MESSAGES, useEmulator } from "../emulator/test-helpers.ts";
import {
  SendOutcomeUnknown,
  SfmcConfigError,
  SfmcConnectionError,
  SfmcError,
} from "../src/sfmc/errors.ts";
import { harness, IN_PROCESS_URL, TRANSPORTS } from "./helpers/sfmc.ts";

const emulator = useEmulator();

async function fault(rule: FaultRuleInput): Promise<void> {
  const answer = await call(emulator(), "POST", "_emulator/faults", { body: rule });
  expect(answer.status, answer.text).toBe(201);
}

interface RecordedSend {
  tokenId: string;
  subscriberKeys: string[];
  sendTime: string | null;
  override: boolean;
  messageText: string | null;
  title: string | null;
  fields: Record<string, unknown>;
}

async function recordedSends(): Promise<RecordedSend[]> {
  return ((await call(emulator(), "GET", "_emulator/sends")).body as { items: RecordedSend[] })
    .items;
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (typeof address !== "object" || !address) throw new Error("no port");
  return address.port;
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    (value) => {
      throw new Error(`expected a rejection, got ${JSON.stringify(value)}`);
    },
    (error: unknown) => error,
  );
}

const KEYS = ["C000000", "C000002", "C000004"];
const sendPath = "/send";

describe.each(TRANSPORTS)("SFMC client contract (%s)", (transport) => {
  const make = (options: Parameters<typeof harness>[2] = {}) =>
    harness(emulator(), transport, options);
  const base = () => (transport === "socket" ? emulator().url : IN_PROCESS_URL);

  describe("calls", () => {
    it("gets one token per business unit and reuses it; REST URLs come from the token answer", async () => {
      const { client, on, attempts } = make();
      const main = await client.authenticate("100");
      expect(main.scopes).toEqual(expect.arrayContaining(["push_read", "push_send"]));
      expect(main.restUrl).toBe(base());
      expect(main.expiresAt.getTime()).toBeGreaterThan(Date.now());
      await client.listMessages("100");
      await client.listMessages("100");
      await client.listMessages("200");
      expect(on("/v2/token")).toHaveLength(2);
      expect(attempts.every((a) => !a.url.slice(8).includes("//"))).toBe(true);
      expect(attempts.map((a) => a.url)).toContain(`${base()}push/v1/message?$page=1&$pageSize=50`);
    });

    it("lists messages page by page and reads a message and an app (or null when absent)", async () => {
      const { client } = make();
      const page = await client.listMessages("100", { pageSize: 3, page: 2 });
      expect(page).toMatchObject({ count: 7, page: 2, pageSize: 3 });
      expect(page.items.map((m) => m.name)).toEqual([
        "NJA_NewArrivals",
        "NJA_Retired",
        "NJA_UiNewsletter",
      ]);
      // List items carry statusid; the client reads it as status.
      expect(page.items[1]).toMatchObject({ status: 3, sendInitiator: 1, messageType: 1 });
      const all = await client.listAllMessages("100", {
        pageSize: 3,
        filter: "messageType eq '1'",
      });
      expect(all).toHaveLength(7);
      const welcome = await client.getMessage("100", DEMO_MESSAGES.welcome);
      expect(welcome).toMatchObject({
        name: "NJA_Welcome",
        status: 2,
        application: { id: expect.any(String) },
      });
      await call(emulator(), "PATCH", "_emulator/behaviour", {
        body: { singleMessageAsArray: false },
      });
      expect((await client.getMessage("100", DEMO_MESSAGES.summerSale))?.name).toBe(
        "NJA_SummerSale",
      );
      expect(await client.getMessage("100", DEMO_MESSAGES.outletWelcome)).toBeNull();
      const app = await client.getApplication("100", "6f1c3a52-1000-4a6e-9b3d-0000000000a1");
      expect(app).toMatchObject({ name: "Demo Shop iOS" });
      expect(await client.getApplication("100", "6f1c3a52-2000-4a6e-9b3d-0000000000b1")).toBeNull();
    });

    it("sends to contacts with a send time and overrides; deliveries go New → Started → Finished", async () => {
      const { client } = make();
      const at = new Date("2026-06-01T18:30:40Z"); // 12:30 in SFMC's UTC-6
      const tokenId = await client.sendToContacts("100", DEMO_MESSAGES.welcome, KEYS, at, {
        messageText: "Hello there",
        title: "Hi",
        customKeys: { promo: "SUMMER" },
        customPayload: { deep: true },
      });
      expect(tokenId).toMatch(/^[0-9a-f-]{36}$/);
      const [sent, ...others] = await recordedSends();
      expect(others).toHaveLength(0);
      expect(sent).toMatchObject({
        tokenId,
        subscriberKeys: KEYS,
        sendTime: "2026-06-01 12:30",
        override: true,
        messageText: "Hello there",
        title: "Hi",
        fields: { CustomKeys: { promo: "SUMMER" }, CustomPayload: '{"deep":true}' },
      });
      const first = await client.getDeliveries("100", DEMO_MESSAGES.welcome, tokenId);
      expect(first).toMatchObject({ status: "New", count: 3, messageId: DEMO_MESSAGES.welcome });
      expect(first.scheduledAt?.toISOString()).toBe("2026-06-01T18:30:00.000Z");
      expect(first.createdAt?.toISOString()).toBe("2026-06-01T08:00:00.000Z");
      await call(emulator(), "POST", "_emulator/clock", { body: { set: "2026-06-01T18:30:10Z" } });
      expect((await client.getDeliveries("100", DEMO_MESSAGES.welcome, tokenId)).status).toBe(
        "Started",
      );
      await advance(emulator(), 61);
      expect((await client.getDeliveries("100", DEMO_MESSAGES.welcome, tokenId)).status).toBe(
        "Finished",
      );
      // An immediate send (no SendTime) in the other BU.
      const now = await client.sendToContacts("200", DEMO_MESSAGES.outletWelcome, ["C000000"]);
      expect((await client.getDeliveries("200", DEMO_MESSAGES.outletWelcome, now)).count).toBe(1);
    });

    it("refuses a send of no keys or more than 5000 before calling SFMC", async () => {
      const { client, attempts } = make();
      const tooMany = Array.from({ length: 5001 }, (_, i) => `K${i}`);
      await expect(client.sendToContacts("100", DEMO_MESSAGES.welcome, tooMany)).rejects.toThrow(
        RangeError,
      );
      await expect(client.sendToContacts("100", DEMO_MESSAGES.welcome, [])).rejects.toThrow(
        RangeError,
      );
      expect(attempts).toHaveLength(0);
    });
  });

  describe("error bodies", () => {
    it("MobilePush validation (400 {errors}) becomes an SfmcError, not retried", async () => {
      const { client, on } = make();
      const error = await rejection(client.sendToContacts("100", DEMO_MESSAGES.retired, KEYS));
      expect(error).toBeInstanceOf(SfmcError);
      expect(error).toMatchObject({
        httpStatus: 400,
        code: null,
        messages: [`The status for Message ${DEMO_MESSAGES.retired} is not set to Active.`],
        retryAfterSec: null,
      });
      expect(on(sendPath)).toHaveLength(1);
      const unknown = "00000000-0000-4000-8000-000000000000";
      await expect(
        client.getDeliveries("100", DEMO_MESSAGES.welcome, unknown),
      ).rejects.toMatchObject({
        httpStatus: 400,
        messages: [`Token id ${unknown} is not valid.`],
      });
      expect(await recordedSends()).toHaveLength(0);
    });

    it("REST errorcode bodies become an SfmcError: 403 20002 without the scope", async () => {
      await call(emulator(), "POST", "_emulator/seed", {
        body: {
          clients: [
            {
              clientId: "reader",
              clientSecret: "reader-secret",
              homeMid: 100,
              scopes: ["push_read"],
            },
          ],
        },
      });
      const { client } = make({ account: { clientId: "reader" }, secret: () => "reader-secret" });
      expect((await client.authenticate("100")).scopes).toEqual(["push_read"]);
      const error = await rejection(client.sendToContacts("100", DEMO_MESSAGES.welcome, KEYS));
      expect(error).toBeInstanceOf(SfmcError);
      expect(error).toMatchObject({
        httpStatus: 403,
        code: 20002,
        messages: ["Insufficient privileges to complete this action."],
      });
      expect((error as Error).message).toContain(
        "SFMC answered 403 (20002) to POST /push/v1/messageContact/",
      );
    });

    it("OAuth bodies from /v2/token: wrong secret, unknown client id, BU not enabled are config errors, not retried", async () => {
      const wrongSecret = make({ secret: () => "not-the-secret" });
      const secretError = await rejection(wrongSecret.client.listMessages("100"));
      expect(secretError).toBeInstanceOf(SfmcConfigError);
      expect(secretError).toMatchObject({
        problem: "client_secret",
        httpStatus: 401,
        code: "invalid_client",
      });
      expect((secretError as Error).message).toContain(
        "check the environment variable SFMC_CLIENT_SECRET",
      );
      expect(wrongSecret.on("/v2/token")).toHaveLength(1);
      expect(wrongSecret.delays).toEqual([]);

      const unknownClient = make({ account: { clientId: "nobody" } });
      await expect(unknownClient.client.authenticate("100")).rejects.toMatchObject({
        name: "SfmcConfigError",
        problem: "client_id",
        messages: ["Invalid client ID. Use the client ID in Marketing Cloud Installed Packages."],
      });

      const { client, on } = make();
      const buError = await rejection(client.authenticate("300"));
      expect(buError).toMatchObject({ problem: "business_unit", code: "unauthorized_client" });
      expect((buError as Error).message).toContain(
        "business unit 300 is not enabled for the installed package",
      );
      expect(on("/v2/token")).toHaveLength(1);
    });
  });

  describe("tokens", () => {
    it("retries a 429 from /v2/token, with Retry-After and without (50200)", async () => {
      await fault({ kind: "rateLimited", route: "token", times: 1, retryAfterSeconds: 3 });
      const limited = make();
      await limited.client.authenticate("100");
      expect(limited.on("/v2/token").map((a) => a.status)).toEqual([429, 200]);
      expect(limited.delays).toEqual([3000]);

      await fault({ kind: "blocked", route: "token", times: 1 });
      const blocked = make();
      await blocked.client.authenticate("100");
      expect(blocked.on("/v2/token").map((a) => a.status)).toEqual([429, 200]);
      // The account's pause: 30 s from when the 429 came, less the milliseconds since.
      expect(blocked.delays).toHaveLength(1);
      expect(blocked.delays[0]).toBeGreaterThan(29_000);
      expect(blocked.delays[0]).toBeLessThanOrEqual(30_000);
    });

    it("renews a token SFMC refuses (401) once, then gives up with the 401", async () => {
      const { client, on } = make();
      await client.authenticate("100");
      await fault({ kind: "expireToken", route: "message.list", times: 1 });
      await client.listMessages("100");
      expect(on("/push/v1/message").map((a) => a.status)).toEqual([401, 200]);
      expect(on("/v2/token")).toHaveLength(2);

      await fault({ kind: "expireToken", route: "message.list" });
      const error = await rejection(client.listMessages("100"));
      expect(error).toMatchObject({ httpStatus: 401, code: 0, messages: ["Not Authorized"] });
      expect(on("/v2/token")).toHaveLength(3);
    });

    it("survives token expiry in the middle of a run (SFMC's clock runs ahead: 401, renewed)", async () => {
      const { client, on } = make();
      const first = await client.sendToContacts("100", DEMO_MESSAGES.welcome, KEYS.slice(0, 1));
      await advance(emulator(), 21 * 60); // past the 20-minute lifetime
      const second = await client.sendToContacts("100", DEMO_MESSAGES.welcome, KEYS.slice(1));
      expect(on(sendPath).map((a) => a.status)).toEqual([202, 401, 202]);
      expect(on("/v2/token")).toHaveLength(2);
      expect((await recordedSends()).map((s) => s.tokenId)).toEqual([first, second]);
    });

    it("renews a token before it expires, on its own clock, without a 401", async () => {
      const { client, on, attempts } = make({ now: () => emulator().clock.now() });
      await client.listMessages("100");
      await advance(emulator(), 16 * 60);
      await client.listMessages("100");
      expect(on("/v2/token")).toHaveLength(1);
      await advance(emulator(), 60); // 17 min: less than 60 s left of expires_in (1079 s)
      await client.listMessages("100");
      expect(on("/v2/token")).toHaveLength(2);
      expect(attempts.some((a) => a.status === 401)).toBe(false);
    });
  });

  describe("faults", () => {
    it("429 with Retry-After on a send: waits as told, then sends once", async () => {
      await fault({ kind: "rateLimited", route: "send", times: 1, retryAfterSeconds: 7 });
      const { client, on, delays } = make();
      await client.sendToContacts("100", DEMO_MESSAGES.welcome, KEYS);
      expect(on(sendPath).map((a) => a.status)).toEqual([429, 202]);
      expect(delays).toEqual([7000]);
      expect(await recordedSends()).toHaveLength(1);
    });

    it("429 without Retry-After (50200) on a send: the account pauses hard, then sends once", async () => {
      await fault({ kind: "blocked", route: "send", times: 1 });
      const { client, on, delays } = make();
      await client.sendToContacts("100", DEMO_MESSAGES.welcome, KEYS);
      expect(on(sendPath).map((a) => a.status)).toEqual([429, 202]);
      expect(delays).toHaveLength(1);
      expect(delays[0]).toBeGreaterThan(29_000);
      expect(delays[0]).toBeLessThanOrEqual(30_000);
      expect(await recordedSends()).toHaveLength(1);
    });

    it("429 without Retry-After and errorcode 50100 backs off exponentially", async () => {
      const { client, on, delays } = make({
        wrap: (inner) => {
          let throttled = 0;
          return async (input, init) => {
            if (String(input).includes("/push/v1/message?") && throttled++ < 2)
              return Response.json(
                { message: "Rate limit exceeded", errorcode: 50100 },
                { status: 429 },
              );
            return inner(input, init);
          };
        },
      });
      await client.listMessages("100");
      expect(on("/push/v1/message").map((a) => a.status)).toEqual([429, 429, 200]);
      expect(delays).toEqual([500, 1000]);
    });

    it("503 is retried after its Retry-After; a lasting 503 ends in an SfmcError with retryAfterSec", async () => {
      await fault({ kind: "unavailable", route: "send", times: 1, retryAfterSeconds: 2 });
      const { client, on, delays } = make();
      await client.sendToContacts("100", DEMO_MESSAGES.welcome, KEYS);
      expect(on(sendPath).map((a) => a.status)).toEqual([503, 202]);
      expect(delays).toEqual([2000]);

      await fault({ kind: "unavailable", route: "message.list" });
      const error = await rejection(client.listMessages("100"));
      expect(error).toBeInstanceOf(SfmcError);
      expect(error).toMatchObject({ httpStatus: 503, code: 50300, retryAfterSec: 5 });
      expect(on("/push/v1/message")).toHaveLength(5);
    });

    it("a 429 asking to wait longer than Nightjar waits is the answer, saying how long SFMC asked", async () => {
      await fault({
        kind: "rateLimited",
        route: "message.list",
        times: 1,
        retryAfterSeconds: 3720,
      });
      const { client, on, delays } = make();
      const error = await rejection(client.listMessages("100"));
      expect(error).toBeInstanceOf(SfmcError);
      expect(error).toMatchObject({ httpStatus: 429, retryAfterSec: 3720 });
      expect((error as Error).message).toContain(
        "SFMC asked to wait 62 min (Retry-After) before trying again, longer than Nightjar waits; try again later",
      );
      expect(on("/push/v1/message")).toHaveLength(1);
      expect(delays).toEqual([]);
    });

    it("a connection dropped after an accepted send: SendOutcomeUnknown with the keys, exactly one send", async () => {
      await fault({ kind: "dropConnection", route: "send", times: 1 });
      const { client, on } = make();
      const error = await rejection(client.sendToContacts("100", DEMO_MESSAGES.welcome, KEYS));
      expect(error).toBeInstanceOf(SendOutcomeUnknown);
      expect(error).toMatchObject({
        contactKeys: KEYS,
        messageId: DEMO_MESSAGES.welcome,
        mid: "100",
      });
      expect((error as SendOutcomeUnknown).reason).toContain("UND_ERR_SOCKET");
      expect(on(sendPath)).toHaveLength(1);
      const sends = await recordedSends();
      expect(sends).toHaveLength(1);
      expect(sends[0]?.subscriberKeys).toEqual(KEYS);
    });

    it("a connection dropped on a read is retried", async () => {
      await fault({ kind: "dropConnection", route: "message.list", times: 1 });
      const { client, on } = make();
      expect((await client.listMessages("100")).count).toBe(7);
      expect(on("/push/v1/message").map((a) => a.status)).toEqual([null, 200]);
    });

    it("a timeout: a send is SendOutcomeUnknown (and lands later), a read is retried", async () => {
      const { client, on } = make({ timeouts: { requestMs: 200, sendMs: 200 } });
      await client.authenticate("100");
      await fault({ kind: "slow", route: "send", times: 1, delayMs: 500 });
      const error = await rejection(client.sendToContacts("100", DEMO_MESSAGES.welcome, KEYS));
      expect(error).toBeInstanceOf(SendOutcomeUnknown);
      expect((error as SendOutcomeUnknown).reason).toBe("no answer before the timeout");
      expect(on(sendPath)).toHaveLength(1);
      // In-process the emulator carries the send out after the client gave up (what makes a retry
      // unsafe); over a socket it stops reading the body of a request whose client has gone.
      await new Promise((resolve) => setTimeout(resolve, 450));
      expect(await recordedSends()).toHaveLength(transport === "in-process" ? 1 : 0);

      await fault({ kind: "slow", route: "message.list", times: 1, delayMs: 500 });
      expect((await client.listMessages("100")).count).toBe(7);
      expect(on("/push/v1/message")).toHaveLength(2);
    });

    it("a 500: a read is retried; a send is SendOutcomeUnknown, not retried", async () => {
      await fault({ kind: "serverError", route: "message.get", times: 1 });
      const { client, on } = make();
      expect(await client.getMessage("100", DEMO_MESSAGES.welcome)).not.toBeNull();
      expect(on(/^\/push\/v1\/message\/[^/]+$/).map((a) => a.status)).toEqual([500, 200]);
      await fault({ kind: "serverError", route: "send", times: 1 });
      const error = await rejection(client.sendToContacts("100", DEMO_MESSAGES.welcome, KEYS));
      expect(error).toBeInstanceOf(SendOutcomeUnknown);
      expect(on(sendPath)).toHaveLength(1);
    });

    it("a connection refused before the request was written is retried, for a send too", async () => {
      const port = await closedPort();
      const { client, on, delays } = make({
        wrap: (inner) => {
          let refused = false;
          return (input, init) => {
            if (!refused && String(input).endsWith(sendPath)) {
              refused = true;
              // The real refusal, as undici reports it on this Node.
              return globalThis.fetch(`http://127.0.0.1:${port}/`, init);
            }
            return inner(input, init);
          };
        },
      });
      await client.sendToContacts("100", DEMO_MESSAGES.welcome, KEYS);
      expect(on(sendPath).map((a) => a.status)).toEqual([null, 202]);
      expect(delays).toEqual([500]);
      expect(await recordedSends()).toHaveLength(1);

      const nowhere = make({
        account: { authBaseUrl: `http://127.0.0.1:${port}/` },
        wrap: () => globalThis.fetch,
      });
      const error = await rejection(nowhere.client.authenticate("100"));
      expect(error).toBeInstanceOf(SfmcConnectionError);
      expect((error as Error).message).toBe(
        `cannot reach http://127.0.0.1:${port}/: connection refused (5 attempts), for POST /v2/token (account demo, business unit 100) — is the SFMC emulator running? (\`nightjar emulator\`)`,
      );
      expect(nowhere.delays).toEqual([500, 1000, 2000, 4000]);
    });

    it("an expired token (expireToken fault) on a send: renewed, sent once", async () => {
      const { client, on } = make();
      await client.authenticate("100");
      await fault({ kind: "expireToken", route: "send", times: 1 });
      await client.sendToContacts("100", DEMO_MESSAGES.welcome, KEYS);
      expect(on(sendPath).map((a) => a.status)).toEqual([401, 202]);
      expect(await recordedSends()).toHaveLength(1);
    });
  });

  describe("requests in flight", () => {
    async function peak(maxInFlight: number | undefined, calls: number): Promise<number> {
      let running = 0;
      let highest = 0;
      const { client } = make({
        ...(maxInFlight === undefined ? {} : { maxInFlight }),
        wrap: (inner) => async (input, init) => {
          running += 1;
          highest = Math.max(highest, running);
          try {
            return await inner(input, init);
          } finally {
            running -= 1;
          }
        },
      });
      await client.authenticate("100");
      await fault({ kind: "slow", route: "message.list", delayMs: 40 });
      await Promise.all(Array.from({ length: calls }, () => client.listMessages("100")));
      await call(emulator(), "DELETE", "_emulator/faults");
      return highest;
    }

    it("keeps at most the configured number of requests in flight per account (default 4)", async () => {
      expect(await peak(2, 6)).toBe(2);
      expect(await peak(undefined, 9)).toBe(4);
    });
  });
});
