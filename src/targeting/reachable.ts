/**
 * Who a push can reach: present, consenting, not excluded, not in the global control group. The
 * conditions read the customer alias `c` of `compile.ts`.
 */
import { createHash } from "node:crypto";
import { type Expression, type RawBuilder, sql } from "kysely";
import type { NightjarConfig } from "../config/schema.ts";

/**
 * The seed of the global control group's buckets: `md5('global:<contact key>')`, the formula an
 * auditor reproduces (a campaign's control group is `md5('<campaign id>:<contact key>')`).
 */
export const GLOBAL_CONTROL_SEED = "global";

/**
 * A stable bucket 0..9999 of a contact key, as SQL: the first 32 bits of md5(seed:key) mod
 * 10000, so the same on PGlite and PostgreSQL, in every run, and independent between seeds
 * (campaigns use their id for their control groups).
 */
export function stableBucket(
  seed: string,
  keyExpr: Expression<unknown> | RawBuilder<unknown>,
): RawBuilder<number> {
  return sql<number>`((('x' || substr(md5(${seed}::text || ':' || ${keyExpr}), 1, 8))::bit(32)::bigint % 10000)::int)`;
}

/** The same bucket as `stableBucket`, computed here (tests, and checks of single keys). */
export function stableBucketOf(seed: string, contactKey: string): number {
  const hex = createHash("md5").update(`${seed}:${contactKey}`).digest("hex").slice(0, 8);
  return Number.parseInt(hex, 16) % 10000;
}

/** Whether buckets below `percent` × 100 (of 10000) hold the key: `percent` % of all keys. */
export function bucketBelow(
  seed: string,
  keyExpr: Expression<unknown> | RawBuilder<unknown>,
  percent: number,
): RawBuilder<boolean> {
  return sql<boolean>`(${stableBucket(seed, keyExpr)} < ${Math.round(percent * 100)}::int)`;
}

/**
 * The boolean attribute that says a customer consents to push: `customers.pushConsent`, else
 * `allow_push` when it is a configured boolean, else null (every present customer consents).
 */
export function consentAttribute(config: Pick<NightjarConfig, "customers">): string | null {
  const { pushConsent, attributes } = config.customers;
  if (pushConsent !== null) return pushConsent;
  const allowPush = attributes.find((a) => a.name === "allow_push" && a.type === "boolean");
  return allowPush ? allowPush.name : null;
}

/** Is the customer `c` in the global control group? (false when its share is 0) */
export function inGlobalControl(config: Pick<NightjarConfig, "campaigns">): RawBuilder<boolean> {
  const percent = config.campaigns.globalControlPercent;
  if (percent <= 0) return sql<boolean>`false`;
  return bucketBelow(GLOBAL_CONTROL_SEED, sql.ref("c.contact_key"), percent);
}

/**
 * Can a push reach the customer `c`? Present, consent true (a null consent is no consent), no
 * exclusion flag true (a null flag excludes no one), not in the global control group.
 */
export function reachableCondition(
  config: Pick<NightjarConfig, "customers" | "campaigns">,
): RawBuilder<boolean> {
  const parts: RawBuilder<boolean>[] = [sql<boolean>`c.present`];
  const consent = consentAttribute(config);
  if (consent !== null) parts.push(sql<boolean>`coalesce(${sql.ref(`c.${consent}`)}, false)`);
  for (const flag of config.customers.exclusionFlags)
    parts.push(sql<boolean>`not coalesce(${sql.ref(`c.${flag}`)}, false)`);
  parts.push(sql<boolean>`not ${inGlobalControl(config)}`);
  return sql<boolean>`(${sql.join(parts, sql` and `)})`;
}
