import { z } from "zod";
import type { App } from "../../app.ts";
import { listAudit } from "../../audit/audit.ts";
import type { ZodServer } from "../server.ts";

const AuditEntry = z
  .object({
    id: z.number().int(),
    at: z.iso.datetime(),
    actor: z.string().describe("user:<email> or cli:<OS user>"),
    entity: z.string(),
    entityId: z.string().nullable(),
    action: z.string(),
    before: z.unknown(),
    after: z.unknown(),
  })
  .meta({ id: "AuditEntry" });

/** The audit log (admins only). */
export function registerAuditRoutes(server: ZodServer, app: App): void {
  server.get(
    "/api/audit",
    {
      config: { role: "admin" },
      schema: {
        summary: "Who changed what, when (newest first)",
        tags: ["audit"],
        querystring: z.object({
          entity: z.string().min(1).optional(),
          from: z.iso.datetime({ offset: true }).optional(),
          to: z.iso.datetime({ offset: true }).optional(),
          limit: z.coerce.number().int().min(1).max(5000).optional(),
        }),
        response: { 200: z.array(AuditEntry) },
      },
    },
    async (request) => {
      const { entity, from, to, limit } = request.query;
      const entries = await listAudit(app.db.kysely, {
        entity,
        from: from === undefined ? undefined : new Date(from),
        to: to === undefined ? undefined : new Date(to),
        limit,
      });
      return entries.map((entry) => ({ ...entry, at: entry.at.toISOString() }));
    },
  );
}
