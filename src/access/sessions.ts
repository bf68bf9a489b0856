/**
 * Sign-in sessions: a random id in an HTTP-only cookie, its SHA-256 in the database (so sessions
 * survive a restart and can be revoked), an idle and an absolute limit, and a CSRF token per
 * session. Failed sign-ins are counted per submitted email and per client address.
 */
import { sql } from "kysely";
import type { App } from "../app.ts";
import type { Db } from "../db/connect.ts";
import { inTransaction } from "../db/transaction.ts";
import { NightjarError } from "../errors.ts";
import { verifyPassword } from "./passwords.ts";
import type { Role } from "./roles.ts";
import { randomToken, tokenDigest } from "./tokens.ts";

/** The email and password do not match an enabled user (the same answer either way). */
export class SignInRefusedError extends NightjarError {
  override name = "SignInRefusedError";
  override readonly kind = "unauthenticated";
}

/** Too many failed sign-ins for this email or from this address; try again after a while. */
export class TooManySignInsError extends NightjarError {
  override name = "TooManySignInsError";
  override readonly kind = "rate_limited";
  constructor(readonly retryAfterSeconds: number) {
    super(`too many failed sign-ins; try again in ${retryAfterSeconds} s`);
  }
}

/** Who is calling: a user, through a session or one of their API keys. */
export interface Principal {
  userId: number;
  email: string;
  role: Role;
  /** The session's CSRF token; null for an API key (a Bearer request needs none). */
  csrfToken: string | null;
  /** How they signed in. */
  via: "session" | "api_key";
}

/** Failed sign-ins allowed per email and per address within the window. */
export const SIGN_IN_LIMIT = 10;
const SIGN_IN_WINDOW_MS = 15 * 60_000;
// last_seen_at is written at most this often, so a busy session costs no write per request.
const TOUCH_EVERY_MS = 60_000;

/** A new session. */
export interface SignedIn {
  sessionId: string;
  principal: Principal;
  expiresAt: Date;
}

async function retryAfter(db: Db, now: Date, email: string, address: string): Promise<number> {
  const since = new Date(now.getTime() - SIGN_IN_WINDOW_MS);
  let wait = 0;
  for (const [column, value] of [
    ["email", email],
    ["client_address", address],
  ] as const) {
    // The oldest failure that still keeps the count at the limit: when it leaves the window,
    // one more attempt is allowed.
    const row = await db
      .selectFrom("sign_in_failures")
      .select("failed_at")
      .where(column, "=", value)
      .where("failed_at", ">", since)
      .orderBy("failed_at", "desc")
      .offset(SIGN_IN_LIMIT - 1)
      .limit(1)
      .executeTakeFirst();
    if (row) wait = Math.max(wait, row.failed_at.getTime() + SIGN_IN_WINDOW_MS - now.getTime());
  }
  return Math.ceil(wait / 1000);
}

/** Signs a user in with email and password; a session, or a refusal that says nothing more. */
export async function signIn(
  app: App,
  input: { email: string; password: string; clientAddress: string; userAgent?: string | undefined },
): Promise<SignedIn> {
  const db = app.db.kysely;
  const email = input.email.trim().toLowerCase();
  const now = app.clock.now();
  const wait = await retryAfter(db, now, email, input.clientAddress);
  if (wait > 0) throw new TooManySignInsError(wait);
  const user = await db
    .selectFrom("users")
    .select(["id", "email", "role", "password_hash", "disabled_at"])
    .where(sql`lower(email)`, "=", email)
    .executeTakeFirst();
  // A missing or disabled user is checked against a dummy hash, so it takes as long.
  const matches = await verifyPassword(
    user && user.disabled_at === null ? user.password_hash : undefined,
    input.password,
  );
  if (!user || !matches) {
    await db
      .insertInto("sign_in_failures")
      .values({ email, client_address: input.clientAddress, failed_at: now })
      .execute();
    throw new SignInRefusedError("wrong email or password");
  }
  const sessionId = randomToken();
  const csrfToken = randomToken();
  const expiresAt = new Date(now.getTime() + app.config.server.sessionMaxHours * 3_600_000);
  await inTransaction(db, {}, async (trx) => {
    await trx
      .insertInto("user_sessions")
      .values({
        id_sha256: tokenDigest(sessionId),
        user_id: user.id,
        csrf_token: csrfToken,
        created_at: now,
        last_seen_at: now,
        expires_at: expiresAt,
        client_address: input.clientAddress,
        user_agent: input.userAgent?.slice(0, 500) ?? null,
      })
      .execute();
    // Only this address's failures for this email go: another address's count stays.
    await trx
      .deleteFrom("sign_in_failures")
      .where("email", "=", email)
      .where("client_address", "=", input.clientAddress)
      .execute();
    await trx
      .deleteFrom("sign_in_failures")
      .where("failed_at", "<=", new Date(now.getTime() - SIGN_IN_WINDOW_MS))
      .execute();
  });
  return {
    sessionId,
    expiresAt,
    principal: { userId: user.id, email: user.email, role: user.role, csrfToken, via: "session" },
  };
}

/** The principal of a live session, or null (unknown, revoked, idle too long, too old, disabled). */
export async function authenticateSession(app: App, sessionId: string): Promise<Principal | null> {
  const db = app.db.kysely;
  const now = app.clock.now();
  const digest = tokenDigest(sessionId);
  const row = await db
    .selectFrom("user_sessions as s")
    .innerJoin("users as u", "u.id", "s.user_id")
    .select(["u.id", "u.email", "u.role", "s.csrf_token", "s.last_seen_at", "s.expires_at"])
    .where("s.id_sha256", "=", digest)
    .where("s.revoked_at", "is", null)
    .where("u.disabled_at", "is", null)
    .executeTakeFirst();
  if (!row) return null;
  const idleMs = app.config.server.sessionIdleMinutes * 60_000;
  if (now >= row.expires_at || now.getTime() - row.last_seen_at.getTime() >= idleMs) return null;
  if (now.getTime() - row.last_seen_at.getTime() >= TOUCH_EVERY_MS)
    await db
      .updateTable("user_sessions")
      .set({ last_seen_at: now })
      .where("id_sha256", "=", digest)
      .execute();
  return {
    userId: row.id,
    email: row.email,
    role: row.role,
    csrfToken: row.csrf_token,
    via: "session",
  };
}

/** Ends a session (signing out). */
export async function signOut(app: App, sessionId: string): Promise<void> {
  await app.db.kysely
    .updateTable("user_sessions")
    .set({ revoked_at: app.clock.now(), revoked_reason: "signed_out" })
    .where("id_sha256", "=", tokenDigest(sessionId))
    .where("revoked_at", "is", null)
    .execute();
}

/** Ends every open session of a user (password reset, disable). */
export async function revokeUserSessions(
  db: Db,
  userId: number,
  now: Date,
  reason: "password_reset" | "disabled",
): Promise<void> {
  await db
    .updateTable("user_sessions")
    .set({ revoked_at: now, revoked_reason: reason })
    .where("user_id", "=", userId)
    .where("revoked_at", "is", null)
    .execute();
}
