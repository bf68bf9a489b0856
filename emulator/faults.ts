import { uniformFloat64 } from "pure-rand/distribution/uniformFloat64";
import { xoroshiro128plus } from "pure-rand/generator/xoroshiro128plus";
import type { RandomGenerator } from "pure-rand/types/RandomGenerator";
import { z } from "zod";
import { restError, type SfmcReply } from "./errors.ts";

/** The routes a fault rule can aim at (`*`: every SFMC route; admin routes never fault). */
export const ROUTE_NAMES = [
  "token",
  "tokenContext",
  "message.create",
  "message.list",
  "message.get",
  "message.update",
  "message.delete",
  "application.list",
  "application.get",
  "send",
  "deliveries",
] as const;
export type RouteName = (typeof ROUTE_NAMES)[number];

/**
 * What a fault does:
 * - `rateLimited`: 429 errorcode 50100 with `Retry-After`;
 * - `blocked`: 429 errorcode 50200 without `Retry-After` (too many concurrent requests);
 * - `unavailable`: 503 errorcode 50300 with `Retry-After`;
 * - `serverError`: 500;
 * - `slow`: the normal answer, `delayMs` late;
 * - `dropConnection`: the request is carried out (a send is accepted and recorded), then the
 *   connection is cut without an answer;
 * - `expireToken`: the presented token expires now, so the call gets 401.
 */
export const FaultKind = z.enum([
  "rateLimited",
  "blocked",
  "unavailable",
  "serverError",
  "slow",
  "dropConnection",
  "expireToken",
]);
export type FaultKind = z.infer<typeof FaultKind>;

/** A fault rule (`POST /_emulator/faults`): which calls it hits, and what it does to them. */
export const FaultRule = z
  .object({
    kind: FaultKind,
    route: z.union([z.enum(ROUTE_NAMES), z.literal("*")]).default("*"),
    /** Hit every Nth matching call (1: every call). */
    every: z.number().int().positive().optional(),
    /** Hit a matching call with this probability, drawn from a PRNG seeded with `seed`. */
    probability: z.number().min(0).max(1).optional(),
    seed: z.number().int().default(1),
    /** Stop after this many hits. */
    times: z.number().int().positive().optional(),
    /** null: a 429 50100 without `Retry-After` (and without `retryAfter` in its body). */
    retryAfterSeconds: z.number().int().min(0).nullable().default(5),
    delayMs: z.number().int().min(0).max(600_000).default(3_000),
  })
  .strict()
  .refine((rule) => rule.every === undefined || rule.probability === undefined, {
    message: "give every or probability, not both",
  })
  .refine((rule) => !(rule.kind === "expireToken" && rule.route === "token"), {
    message: "expireToken cannot aim at the token route",
  });
export type FaultRule = z.infer<typeof FaultRule>;
export type FaultRuleInput = z.input<typeof FaultRule>;

/** A rule with its id and counters, as the admin API shows it. */
export interface ActiveRule {
  id: number;
  rule: FaultRule;
  /** Matching calls seen. */
  calls: number;
  /** Calls hit. */
  hits: number;
}

/** The fault rules in force, evaluated in the order they were added. */
export class FaultBook {
  #rules: (ActiveRule & { rng: RandomGenerator })[] = [];
  #nextId = 1;

  add(rule: FaultRule): ActiveRule {
    const active = {
      id: this.#nextId++,
      rule,
      calls: 0,
      hits: 0,
      rng: xoroshiro128plus(rule.seed),
    };
    this.#rules.push(active);
    return view(active);
  }

  remove(id: number): boolean {
    const before = this.#rules.length;
    this.#rules = this.#rules.filter((rule) => rule.id !== id);
    return this.#rules.length !== before;
  }

  clear(): void {
    this.#rules = [];
  }

  list(): ActiveRule[] {
    return this.#rules.map(view);
  }

  /** Counts the call against every matching rule; the first rule that hits it decides. */
  decide(route: RouteName): FaultRule | null {
    let chosen: FaultRule | null = null;
    for (const active of this.#rules) {
      const { rule } = active;
      if (rule.route !== "*" && rule.route !== route) continue;
      if (rule.times !== undefined && active.hits >= rule.times) continue;
      active.calls += 1;
      const hit =
        rule.probability !== undefined
          ? uniformFloat64(active.rng) < rule.probability
          : active.calls % (rule.every ?? 1) === 0;
      if (hit && !chosen) {
        active.hits += 1;
        chosen = rule;
      }
    }
    return chosen;
  }
}

function view({ id, rule, calls, hits }: ActiveRule): ActiveRule {
  return { id, rule, calls, hits };
}

/** The answer of a fault that answers in place of the route; null for the others. */
export function faultReply(rule: FaultRule): SfmcReply | null {
  const retryAfter = String(rule.retryAfterSeconds);
  switch (rule.kind) {
    case "rateLimited":
      if (rule.retryAfterSeconds === null) return restError(429, "Rate limit exceeded", 50100);
      return restError(
        429,
        "Rate limit exceeded",
        50100,
        { retryAfter: rule.retryAfterSeconds },
        { "retry-after": retryAfter },
      );
    case "blocked":
      return restError(429, "Your requests are temporarily blocked.", 50200);
    case "unavailable":
      return restError(
        503,
        "Service Unavailable",
        50300,
        {},
        rule.retryAfterSeconds === null ? {} : { "retry-after": retryAfter },
      );
    case "serverError":
      return restError(500, "Internal Server Error", null);
    default:
      return null;
  }
}
