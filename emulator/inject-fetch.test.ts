import { describe, expect, it } from "vitest";
import { DEMO_CLIENT } from "./demo-tenant.ts";
import { injectFetch } from "./inject-fetch.ts";
import { call, DEMO_MESSAGES, HeldSleep, useEmulator } from "./test-helpers.ts";

const sleeps = new HeldSleep();
const emulator = useEmulator({ sleep: sleeps.sleep });
const BASE = "http://in-process.test/";

async function inProcessToken(fetcher: typeof fetch): Promise<Record<string, unknown>> {
  const response = await fetcher(new URL("v2/token", BASE), {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      grant_type: "client_credentials",
      client_id: DEMO_CLIENT.clientId,
      client_secret: DEMO_CLIENT.clientSecret,
    }),
  });
  expect(response.status).toBe(200);
  return (await response.json()) as Record<string, unknown>;
}

describe("injectFetch", () => {
  it("answers from the app without a socket; instance URLs follow the requested origin", async () => {
    const fetcher = injectFetch(emulator().app);
    const token = await inProcessToken(fetcher);
    expect(token.rest_instance_url).toBe(BASE);
    const list = await fetcher(new URL("push/v1/message?$pageSize=2", BASE), {
      headers: { authorization: `Bearer ${token.access_token}` },
    });
    expect(list.status).toBe(200);
    expect(((await list.json()) as { items: unknown[] }).items).toHaveLength(2);
    const refused = await fetcher(new URL("push/v1/message", BASE));
    expect(refused.status).toBe(401);
    expect(await refused.json()).toMatchObject({ errorcode: 0, message: "Not Authorized" });
  });

  it("a dropped connection throws fetch's error for a closed socket; the send is recorded", async () => {
    const fetcher = injectFetch(emulator().app);
    const token = await inProcessToken(fetcher);
    await call(emulator(), "POST", "_emulator/faults", {
      body: { kind: "dropConnection", route: "send", times: 1 },
    });
    const sending = fetcher(new URL(`push/v1/messageContact/${DEMO_MESSAGES.welcome}/send`, BASE), {
      method: "POST",
      headers: {
        authorization: `Bearer ${token.access_token}`,
        "content-type": "application/json",
      },
      body: JSON.stringify({ SubscriberKeys: ["C000000"] }),
    });
    const error = await sending.then(
      () => null,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).cause).toMatchObject({ code: "UND_ERR_SOCKET" });
    const sends = (await call(emulator(), "GET", "_emulator/sends")).body as { count: number };
    expect(sends.count).toBe(1);
    // A read too (its answer is written at once, unlike the send's).
    await call(emulator(), "POST", "_emulator/faults", {
      body: { kind: "dropConnection", route: "message.list", times: 1 },
    });
    const read = await fetcher(new URL("push/v1/message", BASE), {
      headers: { authorization: `Bearer ${token.access_token}` },
    }).then(
      () => null,
      (thrown: unknown) => thrown,
    );
    expect((read as Error).cause).toMatchObject({ code: "UND_ERR_SOCKET" });
  });

  it("rejects with the signal's reason when it aborts first, without waiting for the app", async () => {
    const fetcher = injectFetch(emulator().app);
    await call(emulator(), "POST", "_emulator/faults", {
      body: { kind: "slow", route: "token", delayMs: 300 },
    });
    try {
      // The slow fault holds the call until it is released, so only the abort can settle it.
      const error = await fetcher(new URL("v2/token", BASE), {
        method: "POST",
        signal: AbortSignal.timeout(50),
      }).then(
        () => null,
        (thrown: unknown) => thrown,
      );
      expect((error as Error).name).toBe("TimeoutError");
      expect(await sleeps.held()).toEqual([300]);
    } finally {
      sleeps.releaseAll();
    }
  });
});
