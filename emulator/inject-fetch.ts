import type { FastifyInstance } from "fastify";

/** What undici's `fetch` throws when the server closes the connection without an answer. */
function connectionClosed(): TypeError {
  const cause = Object.assign(new Error("other side closed"), {
    name: "SocketError",
    code: "UND_ERR_SOCKET",
  });
  return new TypeError("fetch failed", { cause });
}

/** Rejects with the signal's reason (as `fetch` does) when it aborts before `work` settles. */
function abortable<T>(work: Promise<T>, signal: AbortSignal | null | undefined): Promise<T> {
  if (!signal) return work;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    if (signal.aborted) return onAbort();
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

/**
 * A `fetch` that answers from the emulator app in-process (`app.inject`, no socket), for clients
 * that take an injectable `fetch`. The URL's origin only sets the Host header (the token answer's
 * instance URLs follow it); a `dropConnection` fault throws what `fetch` throws on a connection cut
 * after the request was written (`TypeError: fetch failed`, cause code `UND_ERR_SOCKET`); an
 * aborted signal rejects with its reason (a `TimeoutError` for `AbortSignal.timeout`).
 */
export function injectFetch(app: FastifyInstance): typeof fetch {
  return async (input, init) => {
    const request = new Request(input, init);
    const signal = init?.signal;
    signal?.throwIfAborted();
    const url = new URL(request.url);
    const headers: Record<string, string> = { host: url.host };
    request.headers.forEach((value, name) => {
      headers[name] = value;
    });
    const body =
      request.method === "GET" || request.method === "HEAD" ? undefined : await request.text();
    let answer: Awaited<ReturnType<FastifyInstance["inject"]>>;
    try {
      answer = await abortable(
        app.inject({
          method: request.method as "GET",
          url: `${url.pathname}${url.search}`,
          headers,
          ...(body === undefined ? {} : { payload: body }),
        }),
        signal,
      );
    } catch (error) {
      if ((error as { code?: unknown }).code === "LIGHT_ECONNRESET") throw connectionClosed();
      throw error;
    }
    const responseHeaders = new Headers();
    for (const [name, value] of Object.entries(answer.headers)) {
      if (value === undefined) continue;
      for (const one of Array.isArray(value) ? value : [value])
        responseHeaders.append(name, String(one));
    }
    const empty = answer.statusCode === 204 || answer.statusCode === 304;
    return new Response(empty ? null : new Uint8Array(answer.rawPayload), {
      status: answer.statusCode,
      headers: responseHeaders,
    });
  };
}
