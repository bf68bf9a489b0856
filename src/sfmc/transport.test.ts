import { describe, expect, it } from "vitest";
import { SfmcConnectionError } from "./errors.ts";
import type { SfmcLog } from "./log.ts";
import {
  classifyFailure,
  DEFAULT_RETRY,
  DEFAULT_TIMEOUTS,
  type HttpCall,
  Transport,
} from "./transport.ts";

const quiet: SfmcLog = { debug() {}, info() {}, warn() {}, error() {} };

/** undici's `fetch failed` with a cause of this code. */
const fetchFailed = (code: string, message = code) =>
  new TypeError("fetch failed", { cause: Object.assign(new Error(message), { code }) });

describe("classifyFailure", () => {
  it("connection refusals, DNS and connect timeouts happen before the request is written", () => {
    for (const [code, reason] of [
      ["ECONNREFUSED", "connection refused"],
      ["ENOTFOUND", "unknown host"],
      ["EAI_AGAIN", "the host name could not be looked up (DNS)"],
      ["UND_ERR_CONNECT_TIMEOUT", "no connection before the timeout"],
      ["EHOSTUNREACH", "the host cannot be reached"],
    ])
      expect(classifyFailure(fetchFailed(code as string))).toEqual({ written: false, reason });
    // Node 20 tries every address of a host: an AggregateError of refusals.
    const each = new AggregateError([
      Object.assign(new Error("connect ECONNREFUSED ::1:1"), { code: "ECONNREFUSED" }),
      Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), { code: "ECONNREFUSED" }),
    ]);
    expect(classifyFailure(new TypeError("fetch failed", { cause: each })).written).toBe(false);
  });

  it("a closed socket, a reset, a timeout or anything unknown may come after the request was written", () => {
    expect(classifyFailure(fetchFailed("UND_ERR_SOCKET", "other side closed"))).toEqual({
      written: true,
      reason: "connection failed after the request started (UND_ERR_SOCKET)",
    });
    expect(classifyFailure(fetchFailed("ECONNRESET")).written).toBe(true);
    expect(
      classifyFailure(new DOMException("The operation was aborted due to timeout", "TimeoutError")),
    ).toEqual({
      written: true,
      reason: "no answer before the timeout",
    });
    expect(
      classifyFailure(new TypeError("fetch failed", { cause: new Error("bad port") })).reason,
    ).toContain("bad port");
  });
});

/** A transport over a scripted fetch: each call takes the next answer (a Response or an error). */
function scripted(
  script: (Response | Error)[],
  options: {
    now?: () => number;
    retry?: Partial<typeof DEFAULT_RETRY>;
    random?: number;
    maxInFlight?: number;
  } = {},
) {
  const delays: number[] = [];
  const urls: string[] = [];
  const transport = new Transport({
    fetch: async (input) => {
      urls.push(String(input));
      const next = script.shift();
      if (!next) throw new Error("script ran out");
      if (next instanceof Error) throw next;
      return next;
    },
    maxInFlight: options.maxInFlight ?? 4,
    retry: { ...DEFAULT_RETRY, ...options.retry },
    timeouts: DEFAULT_TIMEOUTS,
    sleep: async (ms) => {
      delays.push(ms);
    },
    random: () => options.random ?? 0,
    now: options.now ?? (() => 0),
    log: quiet,
  });
  return { transport, delays, urls };
}

const call = (kind: HttpCall["kind"], path = "/push/v1/message"): HttpCall => ({
  kind,
  method: kind === "send" ? "POST" : "GET",
  url: `https://rest.example/${path.slice(1)}`,
  path,
  headers: {},
  account: "main",
  mid: "100",
});
const unknown = (reason: string) => new Error(`unknown: ${reason}`);
const status = (code: number, body: unknown = {}, headers: Record<string, string> = {}) =>
  Response.json(body, { status: code, headers });

describe("Transport retries", () => {
  it("backs off exponentially on 5xx for reads, with at most `jitter` more, and returns the last answer", async () => {
    const { transport, delays } = scripted(
      [status(504), status(502), status(500), status(500), status(500)],
      { random: 1 },
    );
    const answer = await transport.call(call("read"), unknown);
    expect(answer.status).toBe(500);
    expect(delays).toEqual([600, 1200, 2400, 4800]);
  });

  it("does not repeat a send on a 5xx other than 503: its outcome is unknown", async () => {
    const { transport, urls } = scripted([status(502)]);
    await expect(transport.call(call("send"), unknown)).rejects.toThrow(
      "unknown: SFMC answered 502",
    );
    expect(urls).toHaveLength(1);
  });

  it("repeats a send refused before writing; not one cut after", async () => {
    const { transport, delays } = scripted([
      fetchFailed("ECONNREFUSED"),
      status(202, { tokenId: "t" }),
    ]);
    expect((await transport.call(call("send"), unknown)).status).toBe(202);
    expect(delays).toEqual([500]);
    const cut = scripted([fetchFailed("ECONNRESET"), status(202)]);
    await expect(cut.transport.call(call("send"), unknown)).rejects.toThrow(
      "unknown: connection failed after the request started (ECONNRESET)",
    );
  });

  it("gives up on a read after maxAttempts network failures with SfmcConnectionError", async () => {
    const { transport, delays } = scripted(
      Array.from({ length: 3 }, () => fetchFailed("ENOTFOUND")),
      { retry: { maxAttempts: 3 } },
    );
    const error = await transport.call(call("read"), unknown).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SfmcConnectionError);
    expect((error as Error).message).toBe(
      "cannot reach https://rest.example/: unknown host (3 attempts), for GET /push/v1/message (account main, business unit 100)",
    );
    expect(delays).toEqual([500, 1000]);
  });

  it("does not wait for a Retry-After beyond maxRetryAfterMs: the 429 is the answer", async () => {
    const { transport, delays } = scripted([
      status(429, { errorcode: 50100 }, { "retry-after": "900" }),
    ]);
    expect((await transport.call(call("read"), unknown)).status).toBe(429);
    expect(delays).toEqual([]);
  });

  it("pauses the whole account on 50200, doubling while it repeats, for calls that come meanwhile too", async () => {
    const blocked = () =>
      status(429, { message: "Your requests are temporarily blocked.", errorcode: 50200 });
    const { transport, delays } = scripted([
      blocked(),
      blocked(),
      status(200, { ok: 1 }),
      status(200, { ok: 2 }),
    ]);
    expect((await transport.call(call("read"), unknown)).status).toBe(200);
    expect(delays).toEqual([30_000, 60_000]);
    // The clock (0) has not moved: the account is still paused for the next call.
    expect((await transport.call(call("read", "/push/v1/application/x"), unknown)).status).toBe(
      200,
    );
    expect(delays).toEqual([30_000, 60_000, 60_000]);
  });

  it("holds back a call that was waiting for a slot when the pause began", async () => {
    const { transport, delays, urls } = scripted(
      [status(429, { errorcode: 50200 }), status(200), status(200)],
      { maxInFlight: 1 },
    );
    const [first, second] = await Promise.all([
      transport.call(call("read", "/push/v1/message"), unknown),
      transport.call(call("read", "/push/v1/application/x"), unknown),
    ]);
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(urls.map((url) => new URL(url).pathname)).toEqual([
      "/push/v1/message",
      "/push/v1/application/x",
      "/push/v1/message",
    ]);
    expect(delays).toEqual([30_000, 30_000]);
  });
});
