import { hash, verify } from "@node-rs/argon2";
import { NightjarError } from "../errors.ts";

/** The shortest password Nightjar accepts. */
export const MIN_PASSWORD_LENGTH = 12;

/** A password that is too weak to be set. */
export class WeakPasswordError extends NightjarError {
  override name = "WeakPasswordError";
  override readonly kind = "refused";
}

/** Refuses a password shorter than the minimum (counted in characters, not bytes). */
export function checkPassword(password: string): void {
  if ([...password].length < MIN_PASSWORD_LENGTH)
    throw new WeakPasswordError(
      `the password must have at least ${MIN_PASSWORD_LENGTH} characters`,
    );
}

// argon2id (the library's default algorithm) with its defaults: 19 MiB, 2 passes, 1 lane — the
// OWASP recommendation.
/** The argon2id hash (PHC string) of a password. */
export function hashPassword(password: string): Promise<string> {
  return hash(password);
}

let dummy: Promise<string> | undefined;

/**
 * Whether `password` matches `passwordHash`; with no hash (no such user), checks against a dummy
 * hash anyway, so that a wrong email takes as long as a wrong password.
 */
export async function verifyPassword(
  passwordHash: string | undefined,
  password: string,
): Promise<boolean> {
  if (passwordHash === undefined) {
    dummy ??= hash("nightjar: not a password of anyone");
    await verify(await dummy, password).catch(() => false);
    return false;
  }
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}
