import { z } from "zod";

/**
 * Where sfmc-mobilepush-api.md marks a fact as inferred or uncertain (its §9 and [INF] notes), the
 * emulator makes it a setting. The defaults follow the doc's recommendation; a test or a seed file
 * can flip any of them to check that the client copes with the other answer.
 */
export const Behaviour = z
  .object({
    /** Success status of `messageContact` sends: the doc example says 200, the C# SDK wants 202. */
    sendStatus: z.union([z.literal(200), z.literal(202)]).default(202),
    /** Field names of send and message bodies bind case-insensitively ([INF, M]). */
    caseInsensitiveFields: z.boolean().default(true),
    /** Keys that match no contact of the message's app: skipped silently, or refused with a 400. */
    unknownKeys: z.enum(["skip", "reject"]).default("skip"),
    /** `/v2/token` answer for an `account_id` the client may not use (undocumented). */
    accountNotAllowed: z
      .object({
        status: z.number().int().min(400).max(499).default(401),
        error: z.string().default("unauthorized_client"),
        description: z
          .string()
          .default(
            "The client is not authorized to access the requested account. Make sure the installed package has access to this business unit.",
          ),
      })
      .prefault({}),
    /** Whether `GET /push/v1/application` (listing apps, no reference page) exists. */
    applicationList: z.boolean().default(true),
    /** `GET /push/v1/message/{id}` answers a one-element array (doc example) or the bare object. */
    singleMessageAsArray: z.boolean().default(true),
    /** Status field of message list items: `statusid` (doc example), `status`, or both. */
    listStatusField: z.enum(["statusid", "status", "both"]).default("statusid"),
    /** Status of `GET /platform/v1/tokenContext`; the doc example shows 202. */
    tokenContextStatus: z.number().int().min(200).max(299).default(202),
    /** `/v2/token` also takes `application/x-www-form-urlencoded` bodies (undocumented). */
    formEncodedToken: z.boolean().default(true),
    /** Status for a route the emulator does not know: 404, or 596 as the real gateway may say. */
    unknownRouteStatus: z.number().int().min(400).max(599).default(404),
    /** How long a token lives (SFMC: 20 minutes). */
    tokenLifetimeSeconds: z.number().int().positive().default(1200),
    /** The `expires_in` the token response announces (real responses show 1079). */
    expiresIn: z.number().int().positive().default(1079),
    /** Deliveries: seconds from acceptance to execution of an immediate send (status `New`). */
    deliveryNewSeconds: z.number().min(0).default(5),
    /** Deliveries: seconds a send stays `Started` before it is `Finished`. */
    deliveryStartedSeconds: z.number().min(0).default(60),
    /** Default send-rate budget of every client that sets none. */
    budget: z
      .object({
        recipients: z.number().int().positive().default(250_000),
        perMinutes: z.number().positive().default(30),
        /** Past the budget: `queue` (execute late, as the integration guide warns) or `reject` (429). */
        mode: z.enum(["queue", "reject"]).default("queue"),
      })
      .prefault({}),
    /** Error texts the doc does not give; `{0}` is the field name (or the keys). */
    texts: z
      .object({
        subscriberKeysZero: z.string().default("The count of SubscriberKeys cannot be zero."),
        tooManyKeys: z.string().default("The count of {0} cannot be greater than 5000."),
        unknownKeys: z
          .string()
          .default("The following SubscriberKeys are not registered for the application: {0}."),
      })
      .prefault({}),
  })
  .strict();
export type Behaviour = z.infer<typeof Behaviour>;

/** Partial behaviour, as a seed file, `startEmulator` or `PATCH /_emulator/behaviour` give it. */
export const BehaviourPatch = Behaviour.partial()
  .extend({
    accountNotAllowed: Behaviour.shape.accountNotAllowed.unwrap().partial().optional(),
    budget: Behaviour.shape.budget.unwrap().partial().optional(),
    texts: Behaviour.shape.texts.unwrap().partial().optional(),
  })
  .strict();
export type BehaviourPatch = z.infer<typeof BehaviourPatch>;

/** `base` with `patch` applied (nested objects merged), validated. */
export function applyBehaviour(base: Behaviour, patch: BehaviourPatch = {}): Behaviour {
  return Behaviour.parse({
    ...base,
    ...patch,
    accountNotAllowed: { ...base.accountNotAllowed, ...patch.accountNotAllowed },
    budget: { ...base.budget, ...patch.budget },
    texts: { ...base.texts, ...patch.texts },
  });
}

/** The defaults. */
export function defaultBehaviour(): Behaviour {
  return Behaviour.parse({});
}
