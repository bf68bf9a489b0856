import { z } from "zod";
import { isTimeZone } from "../time/zones.ts";

/** SQL-safe attribute name: it becomes a column of the customers table. */
const ATTRIBUTE_NAME = /^[a-z][a-z0-9_]{0,62}$/;

/**
 * Column names Nightjar itself keeps on the customer, staging and import work tables; an attribute
 * may not reuse them (it becomes a column beside them).
 */
export const RESERVED_CUSTOMER_COLUMNS = new Set([
  "contact_key",
  "valid_from",
  "valid_to",
  "present",
  "first_seen_on",
  "last_import_id",
  "line_no",
  "problem",
  "row_fingerprint",
  "change",
]);

/**
 * The customer model's outputs: target-group rules name them beside the attributes, so an
 * attribute of the same name would make a rule ambiguous.
 */
export const MODEL_OUTPUT_NAMES = new Set([
  "lifecycle_stage",
  "stage",
  "stage_since",
  "micro_segment",
  "segment",
  "value_tier",
  "p_alive",
  "expected_purchases",
  "expected_spend",
  "clv",
  "purchases",
  "recency_days",
  "tenure_days",
  "first_purchase_on",
  "last_purchase_on",
  "mean_repeat_spend",
  "run_id",
  "run_date",
]);

/** Prefixes of the aliases the snapshot diff gives a column's earlier and later values. */
const DIFF_ALIAS_PREFIXES = ["old_", "new_"] as const;

/** Why an attribute name cannot be used, or null when it can (names of other attributes aside). */
function reservedNameProblem(name: string): string | null {
  if (RESERVED_CUSTOMER_COLUMNS.has(name))
    return `"${name}" is a column Nightjar keeps on every customer; choose another name`;
  if (MODEL_OUTPUT_NAMES.has(name))
    return `"${name}" is an output of the customer model (target-group rules use that name); choose another name`;
  for (const prefix of DIFF_ALIAS_PREFIXES) {
    const base = name.slice(prefix.length);
    if (name.startsWith(prefix) && RESERVED_CUSTOMER_COLUMNS.has(base))
      return `"${name}" is the name the import gives the earlier or later ${base} of a customer; choose another name`;
  }
  return null;
}

export const ATTRIBUTE_TYPES = [
  "text",
  "integer",
  "numeric",
  "boolean",
  "date",
  "timestamp",
] as const;
export const AttributeType = z.enum(ATTRIBUTE_TYPES);
export type AttributeType = z.infer<typeof AttributeType>;

export const CustomerAttribute = z.strictObject({
  /** Column name, lower snake case (e.g. `signup_date`). */
  name: z
    .string()
    .regex(ATTRIBUTE_NAME, "must be lower snake case: a-z, 0-9 and _, starting with a letter")
    .superRefine((name, ctx) => {
      const problem = reservedNameProblem(name);
      if (problem)
        ctx.addIssue({ code: "custom", message: `is a name Nightjar reserves: ${problem}` });
    }),
  /** Value type; values in import files are checked against it. */
  type: AttributeType,
  /** A required attribute must be a column of every file and non-empty on every row (Default: false). */
  required: z.boolean().default(false),
});
export type CustomerAttribute = z.infer<typeof CustomerAttribute>;

/**
 * A secret is written either literally or as `env:NAME`, which reads the environment variable NAME
 * when the secret is first used (so commands that do not need it run without it).
 */
export const SecretReference = z.string().min(1, "must not be empty");

const BusinessUnit = z.strictObject({
  /** The BU's MID, e.g. "100". */
  mid: z.string().regex(/^\d+$/, "must be the BU's numeric MID, as a string"),
  name: z.string().min(1),
  /** Push messages whose name starts with this prefix belong to this BU. */
  templatePrefix: z.string().min(1),
});
export type SfmcBusinessUnit = z.infer<typeof BusinessUnit>;

const SendBudget = z.strictObject({
  /** Recipients SFMC executes per window (Default: 250000). */
  recipients: z.number().int().positive().default(250_000),
  /** Window length in minutes (Default: 30). */
  perMinutes: z.number().int().positive().default(30),
  /** Headroom (in %) kept for sends made outside Nightjar (Default: 0). */
  reservePercent: z.number().min(0).max(90).default(0),
});

const SfmcAccount = z.strictObject({
  name: z.string().min(1),
  authBaseUrl: z.url({ protocol: /^https?$/ }),
  clientId: z.string().min(1),
  clientSecret: SecretReference,
  sendBudget: SendBudget.default({ recipients: 250_000, perMinutes: 30, reservePercent: 0 }),
  /** Requests to SFMC in flight at once for this account (Default: 4; SFMC advises ≤ 5). */
  maxInFlight: z.number().int().min(1).max(10).default(4),
  businessUnits: z.array(BusinessUnit).default([]),
});
export type SfmcAccount = z.infer<typeof SfmcAccount>;

const App = z.strictObject({
  id: z.string().min(1),
  name: z.string().min(1),
  /** MID of the BU this app belongs to; must be one of the configured BUs. */
  businessUnit: z.string().min(1),
});
export type SfmcApp = z.infer<typeof App>;

/** Customer features a micro-segment layer can cluster on. */
export const SEGMENT_FEATURES = [
  "value", // predicted CLV
  "frequency", // purchase days so far
  "recency", // days since the last purchase
  "tenure", // days since the first purchase
  "spend", // mean spend of repeat purchases
  "alive", // P(alive)
] as const;

const SegmentLayer = z.strictObject({
  /** One lower-case letter naming the layer in segment ids, e.g. "v" in `active.v3.f2.r1`. */
  key: z.string().regex(/^[a-z]$/, "must be one lower-case letter"),
  name: z.string().min(1),
  /** The features clustered together in this layer. */
  features: z.array(z.enum(SEGMENT_FEATURES)).min(1),
  /** Clusters per stage (2–9); cluster 1 has the lowest first feature. */
  clusters: z.number().int().min(2).max(9),
});
export type SegmentLayer = z.infer<typeof SegmentLayer>;

const StageThresholds = (maxPAlive: number, overdueFactor: number) =>
  z
    .strictObject({
      /** P(alive) below this puts a customer in the stage. */
      maxPAlive: z.number().min(0).max(1).default(maxPAlive),
      /** Days since the last purchase beyond this many of the customer's usual gaps, likewise. */
      overdueFactor: z.number().positive().default(overdueFactor),
    })
    .prefault({});

/** The customer model (`nightjar model run`). */
export const ModelSettings = z
  .strictObject({
    /** Time unit of the fit: "week" (Default) or "day". */
    period: z.enum(["day", "week"]).default("week"),
    /** Expected purchases are predicted over this many days (Default: 90). */
    predictionDays: z.number().int().positive().default(90),
    clv: z
      .strictObject({
        /** CLV horizon in months (Default: 12). */
        months: z.number().int().min(1).max(120).default(12),
        /** Discount rate per month (Default: 0.01). */
        monthlyDiscountRate: z.number().min(0).max(1).default(0.01),
      })
      .prefault({}),
    /** At most this many customers (a deterministic sample) are used to fit (Default: 200000). */
    fitSample: z.number().int().min(1000).default(200_000),
    stages: z
      .strictObject({
        /** A first purchase within this many days makes a customer New (Default: 30). */
        newDays: z.number().int().positive().default(30),
        /** A customer stays Reactivated this many days after coming back (Default: 60). */
        reactivatedDays: z.number().int().positive().default(60),
        atRisk: StageThresholds(0.6, 2),
        churned: StageThresholds(0.3, 4),
      })
      .prefault({}),
    segments: z
      .strictObject({
        /** Seed of the clustering: the same data and seed give the same segments. */
        seed: z.number().int().default(1),
        /** Customers per stage the clusters are found on (all are then assigned). */
        sampleSize: z.number().int().min(100).default(20_000),
        layers: z.array(SegmentLayer).default([
          { key: "v", name: "value", features: ["value"], clusters: 4 },
          { key: "f", name: "frequency", features: ["frequency"], clusters: 3 },
          { key: "r", name: "recency", features: ["recency"], clusters: 3 },
        ]),
      })
      .prefault({}),
  })
  .superRefine((model, ctx) => {
    const { atRisk, churned } = model.stages;
    if (churned.maxPAlive > atRisk.maxPAlive) {
      ctx.addIssue({
        code: "custom",
        path: ["stages", "churned", "maxPAlive"],
        message: "must not be above stages.atRisk.maxPAlive (churned is the further stage)",
      });
    }
    if (churned.overdueFactor < atRisk.overdueFactor) {
      ctx.addIssue({
        code: "custom",
        path: ["stages", "churned", "overdueFactor"],
        message: "must not be below stages.atRisk.overdueFactor (churned is the further stage)",
      });
    }
    const keys = new Set<string>();
    model.segments.layers.forEach((layer, index) => {
      if (keys.has(layer.key)) {
        ctx.addIssue({
          code: "custom",
          path: ["segments", "layers", index, "key"],
          message: `"${layer.key}" is used by another layer`,
        });
      }
      keys.add(layer.key);
    });
  });
export type ModelSettings = z.infer<typeof ModelSettings>;

/** `delivery`: how the nightly run hands the send batches over to SFMC. */
export const DeliverySettings = z.strictObject({
  /**
   * Hand each batch over only this many minutes before its SendTime, pacing the hand-over by the
   * budget and letting a pause stop what is not handed over yet (Default: null: every batch of the
   * night is handed over during the run).
   */
  handOverLeadMinutes: z.number().int().min(1).max(1440).nullable().default(null),
  /**
   * A batch that would go out more than this many minutes after its campaign's send time is not
   * sent at all: it expires (Default: 360).
   */
  maxLatenessMinutes: z.number().int().min(0).max(2880).default(360),
  /**
   * Recipient lists and batch keys are deleted this many days after the occurrence's
   * measurement window ends; counts and analysis stay (Default: 400).
   */
  retentionDays: z.number().int().min(30).default(400),
});
export type DeliverySettings = z.infer<typeof DeliverySettings>;

/** `server`: how `nightjar serve` listens and how long its sign-in sessions live. */
export const ServerSettings = z
  .strictObject({
    /** Port of `nightjar serve` (Default: 3000; `--port` overrides it). */
    port: z.number().int().min(0).max(65535).default(3000),
    /** Address it listens on (Default: 127.0.0.1; `--host` overrides it). */
    host: z.string().min(1).default("127.0.0.1"),
    /** The address users reach it at, when a proxy stands in front (Default: none). */
    publicUrl: z
      .url({ protocol: /^https?$/, error: "must be an http:// or https:// URL" })
      .nullable()
      .default(null),
    /** Send the session cookie only over HTTPS (Default: true when publicUrl is https). */
    secureCookies: z.boolean().nullable().default(null),
    /**
     * Trust the X-Forwarded-For of the proxy in front, for the client address that sign-in limits
     * count (Default: false: the address of the connection).
     */
    trustProxy: z.boolean().default(false),
    /** A session unused this long ends (Default: 60). */
    sessionIdleMinutes: z.number().int().min(1).default(60),
    /** A session ends this long after sign-in, however busy (Default: 12). */
    sessionMaxHours: z.number().int().min(1).default(12),
  })
  .transform((server) => ({
    ...server,
    secureCookies: server.secureCookies ?? server.publicUrl?.startsWith("https:") ?? false,
  }));
export type ServerSettings = z.infer<typeof ServerSettings>;

/** The whole `nightjar.config.json`. Every key has a default, so `{}` is a valid config. */
export const NightjarConfig = z
  .strictObject({
    database: z
      .strictObject({
        /** PostgreSQL URL; null means the embedded PGlite database. DATABASE_URL overrides it. */
        url: z.string().min(1).nullable().default(null),
        /** Folder of the embedded database, relative to the config file (Default: ".nightjar"). */
        dataDir: z.string().min(1).default(".nightjar"),
      })
      .default({ url: null, dataDir: ".nightjar" }),
    customers: z
      .strictObject({
        attributes: z.array(CustomerAttribute).default([]),
        /**
         * A snapshot that would mark more than this share (in %) of the present customers as
         * removed is refused unless the import is run with --allow-removals (Default: 10).
         */
        maxRemovedPercent: z.number().min(0).max(100).default(10),
        /** Columns of the snapshot files that Nightjar does not keep (Default: none). */
        ignoreColumns: z
          .array(
            z
              .string()
              .min(1)
              .transform((name) => name.toLowerCase()),
          )
          .default([]),
        /**
         * The boolean attribute that says a customer consents to push (Default: `allow_push` when
         * such an attribute is configured; otherwise every present customer counts as consenting).
         */
        pushConsent: z.string().min(1).nullable().default(null),
        /** Boolean attributes that keep a customer out of every campaign when true (Default: none). */
        exclusionFlags: z.array(z.string().min(1)).default([]),
      })
      .default({
        attributes: [],
        maxRemovedPercent: 10,
        ignoreColumns: [],
        pushConsent: null,
        exclusionFlags: [],
      }),
    imports: z
      .strictObject({
        /** A line of an import file longer than this many bytes is refused (Default: 1 MiB). */
        maxLineBytes: z
          .number()
          .int()
          .min(1024)
          .default(1024 * 1024),
        /**
         * Folder the nightly run imports the day's files from, relative to the config file:
         * `customers-YYYY-MM-DD.csv[.gz]` and `transactions-YYYY-MM-DD.csv[.gz]` (Default: none, no
         * import step).
         */
        dropFolder: z.string().min(1).nullable().default(null),
      })
      .default({ maxLineBytes: 1024 * 1024, dropFolder: null }),
    sfmc: z
      .strictObject({
        accounts: z.array(SfmcAccount).default([]),
        apps: z.array(App).default([]),
      })
      .default({ accounts: [], apps: [] }),
    schedule: z
      .strictObject({
        /** Local time of the nightly run, HH:MM (Default: "02:00"). */
        nightlyAt: z
          .string()
          .regex(/^([01]\d|2[0-3]):[0-5]\d$/, "must be a time of day, HH:MM (24-hour)")
          .default("02:00"),
        /** IANA time zone of the schedule and of import dates (Default: "UTC"). */
        timeZone: z.string().refine(isTimeZone, "is not a known IANA time zone").default("UTC"),
        /**
         * With a drop folder, a night whose files are missing stops before freezing any list
         * (Default: false: it goes on with the data it has).
         */
        requireFreshData: z.boolean().default(false),
      })
      .default({ nightlyAt: "02:00", timeZone: "UTC", requireFreshData: false }),
    model: ModelSettings.prefault({}),
    campaigns: z
      .strictObject({
        /**
         * A stable share (in %) of all customers held out of every campaign, so that the whole
         * programme's effect can be measured (Default: 0).
         */
        globalControlPercent: z.number().min(0).max(50).default(0),
        /** At most `maxPushes` pushes per customer in `perDays` days (Default: no cap). */
        frequencyCap: z
          .strictObject({
            maxPushes: z.number().int().min(1),
            perDays: z.number().int().min(1).max(365),
          })
          .nullable()
          .default(null),
        /**
         * Contact keys `campaigns test-send` pushes a campaign's message to (the team's own
         * devices); never counted in an analysis or the frequency cap (Default: none).
         */
        testContacts: z.array(z.string().min(1)).max(100).default([]),
      })
      .default({ globalControlPercent: 0, frequencyCap: null, testContacts: [] }),
    delivery: DeliverySettings.prefault({}),
    server: ServerSettings.prefault({}),
  })
  .superRefine((config, ctx) => {
    const seen = new Set<string>();
    config.customers.attributes.forEach((attribute, index) => {
      if (seen.has(attribute.name)) {
        ctx.addIssue({
          code: "custom",
          path: ["customers", "attributes", index, "name"],
          message: `"${attribute.name}" is declared twice`,
        });
      }
      seen.add(attribute.name);
    });
    const declared = new Set(config.customers.attributes.map((a) => a.name));
    config.customers.attributes.forEach((attribute, index) => {
      for (const prefix of DIFF_ALIAS_PREFIXES) {
        const base = attribute.name.slice(prefix.length);
        if (attribute.name.startsWith(prefix) && declared.has(base))
          ctx.addIssue({
            code: "custom",
            path: ["customers", "attributes", index, "name"],
            message: `"${attribute.name}" collides with the name the import gives the earlier or later value of the attribute "${base}"; rename one of them`,
          });
      }
    });
    const types = new Map(config.customers.attributes.map((a) => [a.name, a.type]));
    const mustBeBoolean = (name: string, path: (string | number)[]) => {
      const type = types.get(name);
      if (type === undefined)
        ctx.addIssue({ code: "custom", path, message: `"${name}" is not a configured attribute` });
      else if (type !== "boolean")
        ctx.addIssue({
          code: "custom",
          path,
          message: `"${name}" is ${type}, not a boolean attribute`,
        });
    };
    if (config.customers.pushConsent !== null)
      mustBeBoolean(config.customers.pushConsent, ["customers", "pushConsent"]);
    config.customers.exclusionFlags.forEach((name, index) => {
      mustBeBoolean(name, ["customers", "exclusionFlags", index]);
    });
    const mids = new Set<string>();
    config.sfmc.accounts.forEach((account, a) => {
      account.businessUnits.forEach((bu, b) => {
        if (mids.has(bu.mid)) {
          ctx.addIssue({
            code: "custom",
            path: ["sfmc", "accounts", a, "businessUnits", b, "mid"],
            message: `business unit ${bu.mid} is declared twice`,
          });
        }
        mids.add(bu.mid);
      });
    });
    config.sfmc.apps.forEach((app, index) => {
      if (!mids.has(app.businessUnit)) {
        ctx.addIssue({
          code: "custom",
          path: ["sfmc", "apps", index, "businessUnit"],
          message: `"${app.businessUnit}" is not the MID of a configured business unit`,
        });
      }
    });
  });
export type NightjarConfig = z.infer<typeof NightjarConfig>;
