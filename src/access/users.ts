/**
 * Users of the API and the web app, and their roles. Every change is a use case that writes the
 * change and its audit row in one transaction.
 */
import { sql } from "kysely";
import { z } from "zod";
import type { App } from "../app.ts";
import { type Actor, recordChange } from "../audit/audit.ts";
import type { Db } from "../db/connect.ts";
import { inTransaction, type Trx } from "../db/transaction.ts";
import { NightjarError } from "../errors.ts";
import { checkPassword, hashPassword } from "./passwords.ts";
import type { Role } from "./roles.ts";
import { revokeUserSessions } from "./sessions.ts";

/** No user has that email or id. */
export class UnknownUserError extends NightjarError {
  override name = "UnknownUserError";
  override readonly kind = "not_found";
}

/** The change contradicts the users there are (a taken email, the last admin). */
export class UserConflictError extends NightjarError {
  override name = "UserConflictError";
  override readonly kind = "conflict";
}

/** A user as the API and the CLI show it (never the password hash). */
export interface User {
  id: number;
  email: string;
  role: Role;
  disabled: boolean;
  createdAt: Date;
  updatedAt: Date;
}

/** A user named by email (any case) or by id. */
export type UserRef = string | number;

export const Email = z.email({ error: "must be an email address" }).max(254);

type UserRow = {
  id: number;
  email: string;
  role: Role;
  disabled_at: Date | null;
  created_at: Date;
  updated_at: Date;
};

function toUser(row: UserRow): User {
  return {
    id: row.id,
    email: row.email,
    role: row.role,
    disabled: row.disabled_at !== null,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

const USER_COLUMNS = ["id", "email", "role", "disabled_at", "created_at", "updated_at"] as const;

/** Every user, by email. */
export async function listUsers(db: Db): Promise<User[]> {
  const rows = await db.selectFrom("users").select(USER_COLUMNS).orderBy("email").execute();
  return rows.map(toUser);
}

/** The user `ref` names, or an `UnknownUserError`; `forUpdate` locks its row. */
export async function getUser(db: Db, ref: UserRef, forUpdate = false): Promise<User> {
  let query = db.selectFrom("users").select(USER_COLUMNS);
  query =
    typeof ref === "number"
      ? query.where("id", "=", ref)
      : query.where(sql`lower(email)`, "=", ref.toLowerCase());
  const row = await (forUpdate ? query.forUpdate() : query).executeTakeFirst();
  if (!row) throw new UnknownUserError(`no user ${typeof ref === "number" ? `#${ref}` : ref}`);
  return toUser(row);
}

/** Adds a user with a role and a password (at least 12 characters). */
export async function addUser(
  app: App,
  actor: Actor,
  input: { email: string; role: Role; password: string },
): Promise<User> {
  const parsed = Email.safeParse(input.email.trim());
  if (!parsed.success) throw new NightjarError(`"${input.email}" is not an email address`);
  const email = parsed.data;
  checkPassword(input.password);
  const passwordHash = await hashPassword(input.password);
  const now = app.clock.now();
  return inTransaction(app.db.kysely, {}, async (trx) => {
    const taken = await trx
      .selectFrom("users")
      .select("id")
      .where(sql`lower(email)`, "=", email.toLowerCase())
      .executeTakeFirst();
    if (taken) throw new UserConflictError(`a user ${email} exists already`);
    const row = await trx
      .insertInto("users")
      .values({
        email,
        role: input.role,
        password_hash: passwordHash,
        created_at: now,
        updated_at: now,
        password_changed_at: now,
      })
      .returning(USER_COLUMNS)
      .executeTakeFirstOrThrow();
    const user = toUser(row);
    await recordChange(trx, app.clock, actor, {
      entity: "user",
      entityId: user.id,
      action: "create",
      after: user,
    });
    return user;
  });
}

/** Refuses a change that would leave no enabled admin. */
async function keepAnAdmin(trx: Trx, user: User, change: string): Promise<void> {
  if (user.role !== "admin" || user.disabled) return;
  // Locking every enabled admin makes two concurrent demotions see each other.
  const admins = await trx
    .selectFrom("users")
    .select("id")
    .where("role", "=", "admin")
    .where("disabled_at", "is", null)
    .forUpdate()
    .execute();
  if (admins.every((admin) => admin.id === user.id))
    throw new UserConflictError(
      `${user.email} is the last enabled admin and cannot be ${change}; make another user admin first`,
    );
}

async function changeUser(
  app: App,
  actor: Actor,
  ref: UserRef,
  action: string,
  change: (trx: Trx, user: User) => Promise<void>,
): Promise<User> {
  return inTransaction(app.db.kysely, {}, async (trx) => {
    const before = await getUser(trx, ref, true);
    await change(trx, before);
    const after = await getUser(trx, before.id);
    await recordChange(trx, app.clock, actor, {
      entity: "user",
      entityId: after.id,
      action,
      before,
      after,
    });
    return after;
  });
}

/** A change of a user's role or status. */
export interface UserChange {
  role?: Role | undefined;
  disabled?: boolean | undefined;
}

/**
 * Changes a user's role and/or status in one transaction. The last enabled admin can be neither
 * demoted nor disabled; a disabled user's sessions end and their API keys stop working.
 */
export function updateUser(
  app: App,
  actor: Actor,
  ref: UserRef,
  change: UserChange,
): Promise<User> {
  const actions = [
    change.role !== undefined && "set_role",
    change.disabled === true && "disable",
    change.disabled === false && "enable",
  ].filter(Boolean);
  return changeUser(app, actor, ref, actions.join("+") || "update", async (trx, user) => {
    const now = app.clock.now();
    const set = (values: { role?: Role; disabled_at?: Date | null }) =>
      trx
        .updateTable("users")
        .set({ ...values, updated_at: now })
        .where("id", "=", user.id)
        .execute();
    if (change.role !== undefined && change.role !== user.role) {
      if (change.role !== "admin") await keepAnAdmin(trx, user, "demoted");
      await set({ role: change.role });
    }
    if (change.disabled === true && !user.disabled) {
      await keepAnAdmin(trx, user, "disabled");
      await set({ disabled_at: now });
      await revokeUserSessions(trx, user.id, now, "disabled");
    }
    if (change.disabled === false && user.disabled) await set({ disabled_at: null });
  });
}

/** Sets a new password; every session of the user ends. */
export async function resetPassword(
  app: App,
  actor: Actor,
  ref: UserRef,
  password: string,
): Promise<User> {
  checkPassword(password);
  const passwordHash = await hashPassword(password);
  return changeUser(app, actor, ref, "reset_password", async (trx, user) => {
    const now = app.clock.now();
    await trx
      .updateTable("users")
      .set({ password_hash: passwordHash, password_changed_at: now, updated_at: now })
      .where("id", "=", user.id)
      .execute();
    await revokeUserSessions(trx, user.id, now, "password_reset");
  });
}
