/**
 * The audit log: every change made through the API or the CLI, one row each — when, who, what
 * (entity, id, action), and the entity before and after, with secrets removed. The row is written
 * in the change's own transaction, so a change that fails leaves no row and a row never names a
 * change that did not happen.
 */
import { userInfo } from "node:os";
import type { Clock } from "../clock.ts";
import type { Db } from "../db/connect.ts";

/** Who made a change: a signed-in user (or one of their API keys), or an operator at the CLI. */
export interface Actor {
  /** `user:<email>` or `cli:<OS user>`. */
  readonly label: string;
  readonly userId: number | null;
}

/** The operator running the CLI, as the operating system names them. */
export function cliActor(): Actor {
  let name = "unknown";
  try {
    name = userInfo().username;
  } catch {
    // A process without a passwd entry (some containers) has no user name.
  }
  return { label: `cli:${name}`, userId: null };
}

/** A signed-in user. */
export function userActor(user: { userId: number; email: string }): Actor {
  return { label: `user:${user.email}`, userId: user.userId };
}

/** One change, as it is recorded. */
export interface AuditChange {
  entity: string;
  entityId: string | number | null;
  action: string;
  before?: unknown;
  after?: unknown;
}

// Field names whose values are never recorded, whatever entity they belong to.
// (A batch's SFMC `tokenId` names a send, not a credential: it is kept.)
const SECRET_FIELD =
  /^(.*password.*|.*secret.*|.*(access|refresh|csrf|session|auth|bearer)_?token|token|api_?key|key|.*sha256|authorization|cookie)$/i;

/** A copy of `value` with every secret-named field replaced by "[redacted]". */
export function withoutSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutSecrets);
  if (value instanceof Date) return value.toISOString();
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value).map(([key, field]) => [
        key,
        SECRET_FIELD.test(key) ? "[redacted]" : withoutSecrets(field),
      ]),
    );
  }
  return value;
}

/** Writes one audit row; call it inside the change's transaction. */
export async function recordChange(
  trx: Db,
  clock: Clock,
  actor: Actor,
  change: AuditChange,
): Promise<void> {
  const json = (value: unknown) =>
    value === undefined || value === null ? null : JSON.stringify(withoutSecrets(value));
  await trx
    .insertInto("audit_log")
    .values({
      at: clock.now(),
      actor: actor.label,
      user_id: actor.userId,
      entity: change.entity,
      entity_id: change.entityId === null ? null : String(change.entityId),
      action: change.action,
      before: json(change.before),
      after: json(change.after),
    })
    .execute();
}

/** An audit row as the API and the CLI show it. */
export interface AuditEntry {
  id: number;
  at: Date;
  actor: string;
  entity: string;
  entityId: string | null;
  action: string;
  before: unknown;
  after: unknown;
}

/** Which audit rows to list. */
export interface AuditFilter {
  entity?: string | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
  /** (Default: 500) */
  limit?: number | undefined;
}

/** The audit rows matching `filter`, newest first. */
export async function listAudit(db: Db, filter: AuditFilter = {}): Promise<AuditEntry[]> {
  let query = db.selectFrom("audit_log").selectAll();
  if (filter.entity) query = query.where("entity", "=", filter.entity);
  if (filter.from) query = query.where("at", ">=", filter.from);
  if (filter.to) query = query.where("at", "<", filter.to);
  const rows = await query
    .orderBy("at", "desc")
    .orderBy("id", "desc")
    .limit(filter.limit ?? 500)
    .execute();
  return rows.map((row) => ({
    id: row.id,
    at: row.at,
    actor: row.actor,
    entity: row.entity,
    entityId: row.entity_id,
    action: row.action,
    before: row.before,
    after: row.after,
  }));
}
