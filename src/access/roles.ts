import { z } from "zod";

/** What a user may do: admin everything; marketer plans and runs; viewer reads. */
export const ROLES = ["viewer", "marketer", "admin"] as const;
export const Role = z.enum(ROLES);
export type Role = z.infer<typeof Role>;

/** The least a route asks of its caller: `public` needs no sign-in. */
export const MINIMUM_ROLES = ["public", ...ROLES] as const;
export type MinimumRole = (typeof MINIMUM_ROLES)[number];

/** Whether `role` may do what `minimum` is asked for. */
export function roleAllows(role: Role | null, minimum: MinimumRole): boolean {
  if (minimum === "public") return true;
  if (role === null) return false;
  return ROLES.indexOf(role) >= ROLES.indexOf(minimum);
}
