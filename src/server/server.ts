/**
 * The HTTP API: one Fastify instance built from its dependencies (the application context and
 * the version), so that tests drive it in-process with `inject` and nothing reaches a global.
 * `nightjar serve` listens with it; `npm run openapi` builds it without a database to write the
 * OpenAPI document.
 */
import fastifyCookie from "@fastify/cookie";
import fastifyHelmet from "@fastify/helmet";
import fastifySwagger from "@fastify/swagger";
import fastifySwaggerUi from "@fastify/swagger-ui";
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type RawReplyDefaultExpression,
  type RawRequestDefaultExpression,
  type RawServerDefault,
} from "fastify";
import {
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from "fastify-type-provider-zod";
import type { App } from "../app.ts";
import { stopwatch } from "../clock.ts";
import { BackgroundRuns } from "../delivery/runs.ts";
import { type DeclaredRoute, installAccessControl } from "./auth.ts";
import { installErrorHandler } from "./problems.ts";
import { registerAnalysisRoutes } from "./routes/analysis.ts";
import { registerAuditRoutes } from "./routes/audit.ts";
import { registerCampaignRoutes } from "./routes/campaigns.ts";
import { registerCustomerRoutes } from "./routes/customers.ts";
import { registerHealthRoutes } from "./routes/health.ts";
import { registerModelRoutes } from "./routes/model.ts";
import { registerPlanRoutes } from "./routes/plan.ts";
import { registerRunRoutes } from "./routes/runs.ts";
import { registerSessionRoutes } from "./routes/session.ts";
import { registerSfmcRoutes } from "./routes/sfmc.ts";
import { registerTargetGroupRoutes } from "./routes/target-groups.ts";
import { registerUserRoutes } from "./routes/users.ts";
import { registerWebApp } from "./web-app.ts";

/** The Fastify instance with zod schemas on its routes. */
export type ZodServer = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  ZodTypeProvider
>;

/** A built server and what it knows of its routes. */
export interface NightjarServer {
  readonly http: FastifyInstance;
  /** Every route as declared, with its minimum role (filled once the server is ready). */
  readonly routes: readonly DeclaredRoute[];
}

export interface ServerOptions {
  /** Nightjar's version, for `/api/health` and the OpenAPI document. */
  version: string;
  /**
   * Whether the data the server is to show is in place, beside the migrations (Default: always);
   * the demo serves while it makes its data.
   */
  dataReady?: () => boolean;
}

const REFERENCE_LOGO = Buffer.from(
  '<svg xmlns="http://www.w3.org/2000/svg" width="220" height="40"><text x="0" y="28" font-family="sans-serif" font-size="26" font-weight="700" fill="#ffffff">Nightjar API</text></svg>',
);

/** `/api/apps/:id/messages` → `/api/apps/{id}/messages` (OpenAPI's path form). */
export function openApiPath(url: string): string {
  return url.replace(/:([A-Za-z0-9_]+)/g, "{$1}");
}

/** Builds the API server on the application context (not yet listening). */
export async function buildServer(app: App, options: ServerOptions): Promise<NightjarServer> {
  const https = app.config.server.publicUrl?.startsWith("https:") ?? false;
  const http = Fastify({
    logger: false,
    // Keep-alive connections that are idle close at once on shutdown; busy ones finish first.
    forceCloseConnections: "idle",
    return503OnClosing: true,
    trustProxy: app.config.server.trustProxy,
    routerOptions: { ignoreTrailingSlash: true },
  });
  http.setValidatorCompiler(validatorCompiler);
  http.setSerializerCompiler(serializerCompiler);
  installErrorHandler(http, app.logger, app.vault);
  const requestLog = app.logger.child({ component: "http" });
  http.addHook("onResponse", async (request, reply) => {
    requestLog.info(
      {
        method: request.method,
        route: request.routeOptions.url ?? null,
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime * 10) / 10,
        userId: request.principal?.userId ?? null,
      },
      "request",
    );
  });
  await http.register(fastifyHelmet, {
    contentSecurityPolicy: {
      directives: { upgradeInsecureRequests: https ? [] : null },
    },
    // Without https, HSTS would lock a LAN address out of plain HTTP for a year.
    strictTransportSecurity: https,
  });
  await http.register(fastifyCookie);
  const routes = installAccessControl(http, app);
  // The document is made once the server is ready, when the registry holds every route's role.
  const roleOf = (method: string, path: string) =>
    routes.find((r) => r.method.toLowerCase() === method && openApiPath(r.url) === path)?.role ??
    "";
  await http.register(fastifySwagger, {
    openapi: {
      openapi: "3.1.0",
      info: {
        title: "Nightjar API",
        version: options.version,
        description:
          "Nightjar's HTTP API. Sign in with POST /api/session (a session cookie; send its csrfToken as x-csrf-token on every change), or send an API key (`nightjar users api-key`) as `Authorization: Bearer …`. Each operation's `x-nightjar-role` is the least role it needs.",
      },
      components: {
        securitySchemes: {
          session: { type: "apiKey", in: "cookie", name: "nightjar_session" },
          apiKey: { type: "http", scheme: "bearer" },
        },
      },
    },
    transform: (input) => {
      const transformed = jsonSchemaTransform(input);
      const role = input.route.config?.role;
      if (role && role !== "public")
        transformed.schema = {
          ...transformed.schema,
          security: [{ session: [] }, { apiKey: [] }],
        };
      return transformed;
    },
    transformObject: (document) => {
      const openapi = jsonSchemaTransformObject(document) as {
        paths?: Record<string, Record<string, Record<string, unknown>>>;
      };
      for (const [path, operations] of Object.entries(openapi.paths ?? {}))
        for (const [method, operation] of Object.entries(operations))
          operation["x-nightjar-role"] = roleOf(method, path);
      return openapi as ReturnType<typeof jsonSchemaTransformObject>;
    },
  });
  const api: ZodServer = http.withTypeProvider<ZodTypeProvider>();
  registerHealthRoutes(api, app, options.version, options.dataReady);
  registerSessionRoutes(api, app);
  registerUserRoutes(api, app);
  registerSfmcRoutes(api, app);
  registerAuditRoutes(api, app);
  registerTargetGroupRoutes(api, app);
  registerCustomerRoutes(api, app);
  registerCampaignRoutes(api, app);
  registerPlanRoutes(api, app);
  registerAnalysisRoutes(api, app);
  registerModelRoutes(api, app);
  // Runs started through the API go on after their answer; closing the server stops and awaits them.
  const runs = new BackgroundRuns(app);
  http.addHook("onClose", () => runs.close());
  registerRunRoutes(api, app, runs);
  api.get(
    "/api/openapi.json",
    {
      config: { role: "viewer" },
      schema: { summary: "This OpenAPI document", tags: ["reference"] },
    },
    async () => http.swagger(),
  );
  await http.register(async (docs) => {
    // The reference page and its files are for signed-in users, like the document.
    docs.addHook("onRoute", (route) => {
      route.config = { ...route.config, role: "viewer" };
    });
    await docs.register(fastifySwaggerUi, {
      routePrefix: "/api/docs",
      staticCSP: true,
      // Swagger UI's own policy would upgrade to https (breaking plain HTTP on a LAN address)
      // and load an external validator badge; ours allows only its own files, and the style
      // attributes its script sets.
      transformStaticCSP: () =>
        [
          "default-src 'self'",
          "base-uri 'self'",
          "font-src 'self' data:",
          "frame-ancestors 'self'",
          "img-src 'self' data:",
          "object-src 'none'",
          "script-src 'self'",
          "script-src-attr 'none'",
          "style-src 'self' 'unsafe-inline'",
          ...(https ? ["upgrade-insecure-requests"] : []),
        ].join("; "),
      theme: { title: "Nightjar API reference" },
      logo: { type: "image/svg+xml", content: REFERENCE_LOGO, href: "/api/docs/" },
      uiConfig: { withCredentials: true, validatorUrl: null },
    });
  });
  await registerWebApp(http);
  const started = stopwatch();
  await http.ready();
  app.logger.debug({ component: "http", seconds: started() }, "API server ready");
  return { http, routes };
}
