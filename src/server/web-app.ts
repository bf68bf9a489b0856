/**
 * The marketer's web app (web/, built into dist/web by `npm run build`, which `npm ci` runs),
 * served at `/` beside the API: its files, and index.html for every other page URL, so that a
 * deep link or a reload of `/campaigns/3` opens the app there. `/api/…` stays the API's.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import fastifyStatic from "@fastify/static";
import type { FastifyInstance } from "fastify";

/** The folder of the built app: beside the bundled CLI, or in dist/ of the sources. */
export function webAppFolder(): string | null {
  const candidates = [
    new URL("./web/", import.meta.url),
    new URL("../../dist/web/", import.meta.url),
  ];
  for (const candidate of candidates) {
    const folder = fileURLToPath(candidate);
    if (existsSync(`${folder}index.html`)) return folder;
  }
  return null;
}

const NOT_BUILT = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Nightjar</title></head>
<body><h1>Nightjar</h1><p>The web app is not built: run <code>npm run build</code> (npm ci does), then reload.
The API is at <a href="/api/docs/">/api/docs/</a>.</p></body></html>`;

/** Serves the built app at `/`; answers that it is not built when dist/web is missing. */
export async function registerWebApp(http: FastifyInstance): Promise<void> {
  const folder = webAppFolder();
  if (folder)
    await http.register(fastifyStatic, {
      root: folder,
      prefix: "/",
      wildcard: false,
      index: false,
      schemaHide: true,
      // Vite names the files by their content: they never change, so browsers keep them.
      setHeaders: (reply, file) => {
        if (file.includes("/assets/"))
          reply.header("cache-control", "public, max-age=31536000, immutable");
      },
    });
  const page = async (_request: unknown, reply: import("fastify").FastifyReply) => {
    if (!folder) return reply.type("text/html").send(NOT_BUILT);
    reply.header("cache-control", "no-cache");
    return reply.sendFile("index.html", folder);
  };
  // The app's pages are not the API: they stay out of the OpenAPI document.
  const hidden = { schema: { hide: true } };
  http.get("/", hidden, page);
  // Every page URL of the app (not the API, not a file) is the app's index.html.
  http.get("/*", hidden, async (request, reply) => {
    if (request.url.startsWith("/api/") || request.url === "/api") return reply.callNotFound();
    if (folder && /\/assets\//.test(request.url)) return reply.callNotFound();
    return page(request, reply);
  });
}
