/**
 * API keys for scripts: a random 256-bit key shown once, when it is made (only through the CLI,
 * so no API answer ever carries one), and stored as its SHA-256 so that checking a request costs
 * a hash and an index lookup. A key acts with its user's role, and stops with its user.
 */
import type { App } from "../app.ts";
import { type Actor, recordChange } from "../audit/audit.ts";
import type { Db } from "../db/connect.ts";
import { inTransaction } from "../db/transaction.ts";
import { NightjarError } from "../errors.ts";
import type { Principal } from "./sessions.ts";
import { randomToken, tokenDigest } from "./tokens.ts";
import { getUser, type UserRef } from "./users.ts";

/** No API key has that id. */
export class UnknownApiKeyError extends NightjarError {
  override name = "UnknownApiKeyError";
  override readonly kind = "not_found";
}

/** An API key as it is listed (never the key). */
export interface ApiKeyInfo {
  id: number;
  userId: number;
  email: string;
  name: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

// Recognisable in a leaked file or a secret scanner's rules.
const KEY_PREFIX = "nj_";
// last_used_at is written at most this often, so a script's every request is no write.
const TOUCH_EVERY_MS = 60_000;

/** Makes an API key for a user; the key itself is returned here and never again. */
export async function createApiKey(
  app: App,
  actor: Actor,
  ref: UserRef,
  name: string,
): Promise<{ key: string; info: ApiKeyInfo }> {
  const key = randomToken(KEY_PREFIX);
  return inTransaction(app.db.kysely, {}, async (trx) => {
    const user = await getUser(trx, ref);
    if (user.disabled)
      throw new NightjarError(`${user.email} is disabled; enable the user first`, {
        kind: "conflict",
      });
    const row = await trx
      .insertInto("api_keys")
      .values({
        user_id: user.id,
        name,
        key_sha256: tokenDigest(key),
        created_at: app.clock.now(),
      })
      .returning(["id", "created_at"])
      .executeTakeFirstOrThrow();
    const info: ApiKeyInfo = {
      id: row.id,
      userId: user.id,
      email: user.email,
      name,
      createdAt: row.created_at,
      lastUsedAt: null,
      revokedAt: null,
    };
    await recordChange(trx, app.clock, actor, {
      entity: "api_key",
      entityId: info.id,
      action: "create",
      after: info,
    });
    return { key, info };
  });
}

function keyQuery(db: Db) {
  return db
    .selectFrom("api_keys as k")
    .innerJoin("users as u", "u.id", "k.user_id")
    .select([
      "k.id",
      "k.user_id",
      "u.email",
      "k.name",
      "k.created_at",
      "k.last_used_at",
      "k.revoked_at",
    ]);
}

type KeyRow = Awaited<ReturnType<ReturnType<typeof keyQuery>["executeTakeFirstOrThrow"]>>;

function toInfo(row: KeyRow): ApiKeyInfo {
  return {
    id: row.id,
    userId: row.user_id,
    email: row.email,
    name: row.name,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
  };
}

/** The API keys of one user, or of everyone; revoked ones too. */
export async function listApiKeys(db: Db, ref?: UserRef): Promise<ApiKeyInfo[]> {
  let query = keyQuery(db);
  if (ref !== undefined) query = query.where("k.user_id", "=", (await getUser(db, ref)).id);
  return (await query.orderBy("u.email").orderBy("k.id").execute()).map(toInfo);
}

/** Revokes an API key: requests with it are refused from now on. */
export async function revokeApiKey(app: App, actor: Actor, id: number): Promise<ApiKeyInfo> {
  return inTransaction(app.db.kysely, {}, async (trx) => {
    const before = await keyQuery(trx).where("k.id", "=", id).executeTakeFirst();
    if (!before) throw new UnknownApiKeyError(`no API key #${id}`);
    if (before.revoked_at === null)
      await trx
        .updateTable("api_keys")
        .set({ revoked_at: app.clock.now() })
        .where("id", "=", id)
        .execute();
    const after = await keyQuery(trx).where("k.id", "=", id).executeTakeFirstOrThrow();
    await recordChange(trx, app.clock, actor, {
      entity: "api_key",
      entityId: id,
      action: "revoke",
      before: toInfo(before),
      after: toInfo(after),
    });
    return toInfo(after);
  });
}

/** The principal of a live API key, or null (unknown, revoked, its user disabled). */
export async function authenticateApiKey(app: App, key: string): Promise<Principal | null> {
  if (!key.startsWith(KEY_PREFIX)) return null;
  const db = app.db.kysely;
  const digest = tokenDigest(key);
  const row = await db
    .selectFrom("api_keys as k")
    .innerJoin("users as u", "u.id", "k.user_id")
    .select(["k.id", "u.id as user_id", "u.email", "u.role", "k.last_used_at"])
    .where("k.key_sha256", "=", digest)
    .where("k.revoked_at", "is", null)
    .where("u.disabled_at", "is", null)
    .executeTakeFirst();
  if (!row) return null;
  const now = app.clock.now();
  if (!row.last_used_at || now.getTime() - row.last_used_at.getTime() >= TOUCH_EVERY_MS)
    await db.updateTable("api_keys").set({ last_used_at: now }).where("id", "=", row.id).execute();
  return { userId: row.user_id, email: row.email, role: row.role, csrfToken: null, via: "api_key" };
}
