import Fastify, { type FastifyInstance, type FastifyServerOptions } from "fastify";
import { registerAdminRoutes } from "./admin.ts";
import { applyBehaviour, type Behaviour, type BehaviourPatch } from "./behaviour.ts";
import { type ClockState, EmulatorClock } from "./clock.ts";
import { demoSeed } from "./demo-tenant.ts";
import {
  ClockRangeError,
  EmulatorError,
  NOT_AUTHORIZED,
  oauthError,
  restError,
  SeedError,
} from "./errors.ts";
import { faultReply } from "./faults.ts";
import { answer } from "./http.ts";
import { registerMessageRoutes } from "./messages.ts";
import { applySeed, parseSeed, readSeedFile, type SeedFile, type SeedInput } from "./seed.ts";
import { registerSendRoutes } from "./sends.ts";
import { readStateFile, restoreState, writeStateFile } from "./state-file.ts";
import { EmulatorStore } from "./store.ts";
import { insufficientPrivileges, registerTokenRoutes } from "./token.ts";

/** How to start the emulator. */
export interface EmulatorOptions {
  /** TCP port; 0 picks a free one. (Default: 4010) */
  port?: number;
  /** Interface to listen on. (Default: 127.0.0.1) */
  host?: string;
  /** A seed (object) or the path of a seed file; without one, the demo tenant. */
  seed?: SeedInput | string;
  /** State file: loaded at start when it exists (it wins over the seed), written on close. */
  state?: string;
  /** The clock, to share with a test; or its initial state. (Default: real time) */
  clock?: EmulatorClock | Partial<ClockState>;
  /** Behaviour settings over the defaults and the seed's (see behaviour.ts). */
  behaviour?: BehaviourPatch;
  /** pino logging of requests (secrets redacted). (Default: off) */
  logger?: false | { level?: string; stream?: NodeJS.WritableStream };
  /** How a `slow` fault waits its `delayMs`; tests pass one they release. (Default: a real timer) */
  sleep?: (ms: number) => Promise<void>;
}

// The global setTimeout, so that a test's fake timers can stand in for it.
function realSleep(ms: number): Promise<void> {
  return new Promise((done) => setTimeout(done, ms));
}

/** A running emulator. */
export interface RunningEmulator {
  /** Base URL with a trailing slash, e.g. `http://127.0.0.1:4010/`. */
  url: string;
  port: number;
  clock: EmulatorClock;
  store: EmulatorStore;
  app: FastifyInstance;
  /** Writes the state file now (when there is one). */
  save(): Promise<string | null>;
  /** Stops listening, then writes the state file (when there is one). */
  close(): Promise<void>;
}

const SECRET_QUERY = /([?&](?:access_token|client_secret)=)[^&]*/gi;

function loggerOptions(logger: EmulatorOptions["logger"]): FastifyServerOptions["logger"] {
  if (!logger) return false;
  return {
    level: logger.level ?? "info",
    ...(logger.stream ? { stream: logger.stream } : {}),
    redact: {
      paths: ["req.headers.authorization", "req.headers.cookie", "body.client_secret"],
      censor: "[redacted]",
    },
    serializers: {
      req: (request: { method: string; url: string; ip?: string }) => ({
        method: request.method,
        url: request.url.replace(SECRET_QUERY, "$1[redacted]"),
        remoteAddress: request.ip,
      }),
    },
  };
}

/** Builds the Fastify app over a store (routes, auth, faults, errors), without listening. */
export function buildEmulatorApp(
  store: EmulatorStore,
  options: {
    logger?: EmulatorOptions["logger"];
    sleep?: EmulatorOptions["sleep"];
    startupSeed: () => SeedFile;
    startupBehaviour: () => Behaviour;
    save: () => Promise<string | null>;
    url: () => string;
  },
): FastifyInstance {
  const app = Fastify({ logger: loggerOptions(options.logger), bodyLimit: 16 * 1024 * 1024 });
  const sleep = options.sleep ?? realSleep;
  app.decorateRequest("sfmcToken", null);
  app.decorateRequest("dropConnection", false);
  app.addContentTypeParser(
    "application/x-www-form-urlencoded",
    { parseAs: "string" },
    (_request, body, done) => done(null, Object.fromEntries(new URLSearchParams(String(body)))),
  );

  // Faults first, so that a fault on /v2/token or an expiring token happens before auth.
  app.addHook("onRequest", async (request, reply) => {
    const route = request.routeOptions.config?.route;
    if (!route) return;
    const rule = store.faults.decide(route);
    if (!rule) return;
    request.log.info({ fault: rule.kind, route }, "fault injected");
    if (rule.kind === "slow") await sleep(rule.delayMs);
    else if (rule.kind === "dropConnection") request.dropConnection = true;
    else if (rule.kind === "expireToken") {
      const token = store.authenticate(request.headers.authorization);
      if (token) token.expiresAt = store.clock.now();
    } else {
      const decided = faultReply(rule);
      if (decided) return answer(reply, decided);
    }
  });

  app.addHook("onRequest", async (request, reply) => {
    const auth = request.routeOptions.config?.auth;
    if (!auth) return;
    const token = store.authenticate(request.headers.authorization);
    if (!token) return answer(reply, NOT_AUTHORIZED);
    if (auth.scope !== null && !token.scopes.includes(auth.scope))
      return answer(reply, insufficientPrivileges());
    request.sfmcToken = token;
  });

  // The call was carried out (a send recorded); the client gets no answer at all. Destroying the
  // response cuts the socket on a real connection, and fails `app.inject` in-process (its 'close'
  // comes on the next tick, so the answer is held back until it has).
  app.addHook("onSend", async (request, reply, payload) => {
    if (!request.dropConnection) return payload;
    reply.raw.destroy();
    await new Promise((resolve) => setImmediate(resolve));
    return payload;
  });

  app.setNotFoundHandler((_request, reply) => {
    const status = store.behaviour.unknownRouteStatus;
    return answer(
      reply,
      restError(status, status === 596 ? "Service Not Found" : "Not Found", null),
    );
  });

  app.setErrorHandler((error: Error & { statusCode?: number; code?: string }, request, reply) => {
    const status = error.statusCode ?? 500;
    if (status >= 500) request.log.error({ err: error }, "request failed");
    if (request.routeOptions.config?.route === "token")
      return answer(
        reply,
        oauthError(status < 500 ? 400 : status, "invalid_request", error.message),
      );
    if (status === 400)
      return answer(reply, restError(400, `Invalid JSON: ${error.message}`, 10004));
    if (status === 415) return answer(reply, restError(415, "Unsupported Media Type", null));
    if (status === 413) return answer(reply, restError(413, "Request Entity Too Large", null));
    return answer(reply, restError(500, "Internal Server Error", null));
  });

  const baseUrl = (host: string) => `http://${host}/`;
  registerTokenRoutes(app, store, baseUrl);
  registerMessageRoutes(app, store);
  registerSendRoutes(app, store);
  registerAdminRoutes(app, store, options);
  return app;
}

/** Starts the emulator: demo tenant (or seed, or state file), listening on `port`. */
export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const clock =
    options.clock instanceof EmulatorClock ? options.clock : new EmulatorClock(options.clock);
  const store = new EmulatorStore(clock);
  const seed =
    typeof options.seed === "string"
      ? await readSeedFile(options.seed)
      : parseSeed(options.seed ?? demoSeed(), options.seed ? "seed" : "demo tenant");
  const saved = options.state ? await readStateFile(options.state) : null;
  if (saved) {
    try {
      restoreState(store, saved);
    } catch (cause) {
      if (!(cause instanceof ClockRangeError)) throw cause;
      throw new SeedError(`the state file ${options.state} is not valid: clock: ${cause.message}`, {
        cause,
      });
    }
  } else {
    store.behaviour = applyBehaviour(store.behaviour, seed.behaviour);
    applySeed(store.tenant, seed, clock.now());
  }
  store.behaviour = applyBehaviour(store.behaviour, options.behaviour);
  const startupBehaviour = store.behaviour;

  let url = "";
  const save = async () => {
    if (!options.state) return null;
    await writeStateFile(options.state, store);
    return options.state;
  };
  const app = buildEmulatorApp(store, {
    logger: options.logger,
    sleep: options.sleep,
    startupSeed: () => seed,
    startupBehaviour: () => startupBehaviour,
    save,
    url: () => url,
  });
  const host = options.host ?? "127.0.0.1";
  try {
    await app.listen({ port: options.port ?? 4010, host });
  } catch (cause) {
    await app.close();
    const code = (cause as NodeJS.ErrnoException).code;
    if (code === "EADDRINUSE")
      throw new EmulatorError(`port ${options.port ?? 4010} on ${host} is already in use`, {
        cause,
      });
    throw cause;
  }
  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : (options.port ?? 4010);
  url = `http://${host.includes(":") ? `[${host}]` : host}:${port}/`;
  return {
    url,
    port,
    clock,
    store,
    app,
    save,
    async close() {
      await app.close();
      await save();
    },
  };
}
