import { z } from "zod";
import type { App } from "../../app.ts";
import { pendingMigrations } from "../../db/migrate.ts";
import type { ZodServer } from "../server.ts";

const Health = z.object({
  status: z.literal("ok"),
  ready: z
    .boolean()
    .describe(
      "false until the database's migrations have run (and, in the demo, its data is made)",
    ),
  version: z.string(),
  database: z.enum(["pglite", "postgres"]),
});

/** `GET /api/health`: public; says whether the server can do its work. */
export function registerHealthRoutes(
  server: ZodServer,
  app: App,
  version: string,
  dataReady: () => boolean = () => true,
): void {
  // Migrations only ever go forward: once every one has run, the answer stays true.
  let migrated = false;
  server.get(
    "/api/health",
    {
      config: { role: "public" },
      schema: {
        summary: "Is the server up and ready",
        tags: ["server"],
        response: { 200: Health },
      },
    },
    async () => {
      migrated ||= await pendingMigrations(app.db)
        .then((pending) => pending.length === 0)
        .catch(() => false);
      return {
        status: "ok" as const,
        ready: migrated && dataReady(),
        version,
        database: app.db.engine,
      };
    },
  );
}
