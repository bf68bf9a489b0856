import packageJson from "../../package.json" with { type: "json" };
import { createApp } from "../app.ts";
import { configFromObject } from "../config/load.ts";
import { buildServer } from "./server.ts";

/**
 * The API's OpenAPI document, made without a database or a listening server (the routes do not
 * depend on the config), as `npm run openapi` writes it to `openapi.json`.
 */
export async function openApiDocument(): Promise<unknown> {
  const loaded = configFromObject({}, { file: "nightjar.config.json", env: {} });
  const app = await createApp({ config: loaded, db: false });
  const server = await buildServer(app, { version: packageJson.version });
  try {
    return server.http.swagger();
  } finally {
    await server.http.close();
  }
}

/** The document as the committed `openapi.json` holds it. */
export async function openApiText(): Promise<string> {
  return `${JSON.stringify(await openApiDocument(), null, 2)}\n`;
}
