import { request } from "node:http";
import { describe, expect, it, vi } from "vitest";
import type { FaultRuleInput } from "./faults.ts";
import { startEmulator } from "./server.ts";
import { call, DEMO_MESSAGES, DOC_URL, HeldSleep, token, useEmulator } from "./test-helpers.ts";

const sleeps = new HeldSleep();
const emulator = useEmulator({ sleep: sleeps.sleep });
const list = "push/v1/message";
const sendPath = `push/v1/messageContact/${DEMO_MESSAGES.welcome}/send`;

async function addFault(rule: FaultRuleInput): Promise<void> {
  const answer = await call(emulator(), "POST", "_emulator/faults", { body: rule });
  expect(answer.status, answer.text).toBe(201);
}

describe("fault kinds", () => {
  it("rateLimited: 429 errorcode 50100 with Retry-After", async () => {
    const bearer = await token(emulator());
    await addFault({ kind: "rateLimited", retryAfterSeconds: 7 });
    const answer = await call(emulator(), "GET", list, { token: bearer });
    expect(answer.status).toBe(429);
    expect(answer.headers.get("retry-after")).toBe("7");
    expect(answer.body).toEqual({
      message: "Rate limit exceeded",
      errorcode: 50100,
      retryAfter: 7,
      documentation: DOC_URL,
    });
  });

  it("blocked: 429 errorcode 50200 without Retry-After", async () => {
    const bearer = await token(emulator());
    await addFault({ kind: "blocked" });
    const answer = await call(emulator(), "GET", list, { token: bearer });
    expect(answer.status).toBe(429);
    expect(answer.headers.get("retry-after")).toBeNull();
    expect(answer.body).toEqual({
      message: "Your requests are temporarily blocked.",
      errorcode: 50200,
      documentation: DOC_URL,
    });
  });

  it("unavailable: 503 errorcode 50300 with Retry-After", async () => {
    const bearer = await token(emulator());
    await addFault({ kind: "unavailable", retryAfterSeconds: 3 });
    const answer = await call(emulator(), "GET", list, { token: bearer });
    expect(answer.status).toBe(503);
    expect(answer.headers.get("retry-after")).toBe("3");
    expect(answer.body).toMatchObject({ errorcode: 50300, documentation: DOC_URL });
  });

  it("serverError: 500, and nothing is recorded", async () => {
    const bearer = await token(emulator());
    await addFault({ kind: "serverError", route: "send" });
    const answer = await call(emulator(), "POST", sendPath, {
      token: bearer,
      body: { SubscriberKeys: ["C000000"] },
    });
    expect(answer.status).toBe(500);
    expect(
      ((await call(emulator(), "GET", "_emulator/sends")).body as { count: number }).count,
    ).toBe(0);
  });

  it("slow: the normal answer, held back at the fault until its delay is over", async () => {
    const bearer = await token(emulator());
    await addFault({ kind: "slow", route: "send", delayMs: 300 });
    let answered = false;
    const answering = call(emulator(), "POST", sendPath, {
      token: bearer,
      body: { SubscriberKeys: ["C000000"] },
    }).then((answer) => {
      answered = true;
      return answer;
    });
    const sends = async () =>
      ((await call(emulator(), "GET", "_emulator/sends")).body as { count: number }).count;
    try {
      expect(await sleeps.held()).toEqual([300]);
      // A whole admin round trip later the send is neither carried out nor answered.
      expect(await sends()).toBe(0);
      expect(answered).toBe(false);
    } finally {
      sleeps.releaseAll();
    }
    expect((await answering).status).toBe(202);
    expect(await sends()).toBe(1);
  });

  it("slow, on a real server: waits on a timer of delayMs", async () => {
    const real = await startEmulator({ port: 0 });
    try {
      await call(real, "POST", "_emulator/faults", {
        body: { kind: "slow", route: "token", delayMs: 300 },
      });
      // Only setTimeout: app.inject needs the real setImmediate and nextTick to get anywhere.
      vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
      const timeouts = vi.spyOn(globalThis, "setTimeout");
      let answered = false;
      const answering = real.app
        .inject({
          method: "POST",
          url: "/v2/token",
          payload: {
            grant_type: "client_credentials",
            client_id: "demo-client",
            client_secret: "demo-secret",
          },
        })
        .then((answer) => {
          answered = true;
          return answer;
        });
      // The fault is counted and its timer set in one step.
      while (real.store.faults.list()[0]?.hits !== 1 && !answered)
        await new Promise((turn) => setImmediate(turn));
      // Other timers (fetch's keep-alive) come and go, so look for this one by its delay.
      expect(timeouts.mock.calls.map(([, ms]) => ms)).toContain(300);
      await vi.advanceTimersByTimeAsync(299);
      expect(answered).toBe(false);
      await vi.advanceTimersByTimeAsync(1);
      expect((await answering).statusCode).toBe(200);
    } finally {
      vi.restoreAllMocks();
      vi.useRealTimers();
      await real.close();
    }
  });

  it("dropConnection: the send is accepted and recorded, the client gets no answer", async () => {
    const bearer = await token(emulator());
    await addFault({ kind: "dropConnection", route: "send" });
    const url = new URL(sendPath, emulator().url);
    const outcome = await new Promise<string>((resolve) => {
      const outgoing = request(
        url,
        {
          method: "POST",
          headers: { authorization: `Bearer ${bearer}`, "content-type": "application/json" },
        },
        (response) => resolve(`answered ${response.statusCode}`),
      );
      outgoing.on("error", (error: NodeJS.ErrnoException) =>
        resolve(`error ${error.code ?? error.message}`),
      );
      outgoing.end(JSON.stringify({ SubscriberKeys: ["C000000", "C000002"] }));
    });
    expect(outcome).toBe("error ECONNRESET");
    const sends = (await call(emulator(), "GET", "_emulator/sends")).body as {
      count: number;
      items: { subscriberKeys: string[]; count: number }[];
    };
    expect(sends.count).toBe(1);
    expect(sends.items[0]).toMatchObject({ subscriberKeys: ["C000000", "C000002"], count: 2 });
  });

  it("expireToken: the presented token expires now (401), a new one works", async () => {
    const bearer = await token(emulator());
    await addFault({ kind: "expireToken", route: "message.list", times: 1 });
    const answer = await call(emulator(), "GET", list, { token: bearer });
    expect(answer).toMatchObject({
      status: 401,
      body: { errorcode: 0, message: "Not Authorized" },
    });
    expect((await call(emulator(), "GET", list, { token: bearer })).status).toBe(401);
    expect((await call(emulator(), "GET", list, { token: await token(emulator()) })).status).toBe(
      200,
    );
  });

  it("faults /v2/token too: 429 50200, the documented throttled-token body", async () => {
    await addFault({ kind: "blocked", route: "token", times: 1 });
    const body = {
      grant_type: "client_credentials",
      client_id: "demo-client",
      client_secret: "demo-secret",
    };
    const throttled = await call(emulator(), "POST", "v2/token", { body });
    expect(throttled.status).toBe(429);
    expect(throttled.body).toEqual({
      message: "Your requests are temporarily blocked.",
      errorcode: 50200,
      documentation: DOC_URL,
    });
    expect((await call(emulator(), "POST", "v2/token", { body })).status).toBe(200);
  });
});

describe("fault rules", () => {
  it("hit every Nth matching call of one route only", async () => {
    const bearer = await token(emulator());
    await addFault({ kind: "serverError", route: "message.list", every: 3 });
    const statuses: number[] = [];
    for (let i = 0; i < 6; i += 1) {
      statuses.push((await call(emulator(), "GET", list, { token: bearer })).status);
      // Other routes do not count and are not hit.
      expect(
        (await call(emulator(), "GET", `${list}/${DEMO_MESSAGES.welcome}`, { token: bearer }))
          .status,
      ).toBe(200);
    }
    expect(statuses).toEqual([200, 200, 500, 200, 200, 500]);
    const rules = (await call(emulator(), "GET", "_emulator/faults")).body as {
      rules: { calls: number; hits: number }[];
    };
    expect(rules.rules[0]).toMatchObject({ calls: 6, hits: 2 });
  });

  it("hit with a seeded probability: the same seed, the same calls", async () => {
    const pattern = async () => {
      await call(emulator(), "DELETE", "_emulator/faults");
      await addFault({ kind: "unavailable", route: "message.list", probability: 0.3, seed: 42 });
      const bearer = await token(emulator());
      let hits = "";
      for (let i = 0; i < 40; i += 1)
        hits += (await call(emulator(), "GET", list, { token: bearer })).status === 503 ? "x" : ".";
      return hits;
    };
    const first = await pattern();
    expect(await pattern()).toBe(first);
    const hits = [...first].filter((c) => c === "x").length;
    expect(hits).toBeGreaterThan(2);
    expect(hits).toBeLessThan(25);
  });

  it("stop after `times` hits, and can be removed", async () => {
    const bearer = await token(emulator());
    await addFault({ kind: "serverError", times: 2 });
    const statuses = [];
    for (let i = 0; i < 3; i += 1)
      statuses.push((await call(emulator(), "GET", list, { token: bearer })).status);
    expect(statuses).toEqual([500, 500, 200]);
    await addFault({ kind: "serverError" });
    const rules = (await call(emulator(), "GET", "_emulator/faults")).body as {
      rules: { id: number }[];
    };
    const id = rules.rules[1]?.id;
    expect((await call(emulator(), "DELETE", `_emulator/faults/${id}`)).status).toBe(200);
    expect((await call(emulator(), "GET", list, { token: bearer })).status).toBe(200);
  });

  it("refuses a rule it cannot apply", async () => {
    const both = await call(emulator(), "POST", "_emulator/faults", {
      body: { kind: "serverError", every: 2, probability: 0.5 },
    });
    expect(both.status).toBe(400);
    const unknown = await call(emulator(), "POST", "_emulator/faults", {
      body: { kind: "meteor" },
    });
    expect(unknown.status).toBe(400);
  });

  it("never touch the admin API", async () => {
    await addFault({ kind: "serverError" });
    expect((await call(emulator(), "GET", "_emulator/sends")).status).toBe(200);
  });
});
