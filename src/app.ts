/**
 * The application context: what a command, the server or a test needs, made once — the
 * validated config, the secret vault, the clock, the logger, the database (migrated, with the
 * configured attribute columns) and one SFMC client per account. Use cases in the domain folders
 * take it (or the parts they need); the CLI and the HTTP routes only parse, call a use case and
 * format its result. The caller opens and closes the database (the CLI's `withApp` does, so that
 * Ctrl-C can stop even what opening it waits for).
 *
 * ```ts
 * const db = await openDatabase(loaded.database);
 * try {
 *   const app = await createApp({ config: loaded, db, upgrade: true, clock: systemClock });
 *   await syncMessages(app);
 * } finally {
 *   await db.close();
 * }
 * ```
 */
import { type Clock, systemClock } from "./clock.ts";
import type { LoadedConfig } from "./config/load.ts";
import type { NightjarConfig, SfmcAccount } from "./config/schema.ts";
import type { SecretVault } from "./config/secrets.ts";
import { ensureAttributeColumns } from "./customers/attributes.ts";
import type { NightjarDb } from "./db/connect.ts";
import type { LockWait } from "./db/locks.ts";
import { migrate } from "./db/migrate.ts";
import { dropDeadWorkTables } from "./db/work-tables.ts";
import { type Logger, silentLogger } from "./logger.ts";
import { createSfmcClient, type SfmcClient, type SfmcClientOptions } from "./sfmc/client.ts";

/** The SFMC client of one configured account. */
export interface SfmcAccountClient {
  /** The account's position in `sfmc.accounts` (for config key paths in messages). */
  index: number;
  account: SfmcAccount;
  client: SfmcClient;
}

/** The configured SFMC account that business unit `mid` belongs to. */
export function accountOfUnit(config: NightjarConfig, mid: string): SfmcAccount | undefined {
  return config.sfmc.accounts.find((a) => a.businessUnits.some((bu) => bu.mid === mid));
}

/** The SFMC client of the account that business unit `mid` belongs to. */
export function sfmcClientOfUnit(
  app: Pick<App, "sfmc">,
  mid: string,
): SfmcAccountClient | undefined {
  return app.sfmc.find((s) => s.account.businessUnits.some((bu) => bu.mid === mid));
}

/** What the app did to the database when it opened it. */
export interface DatabaseUpgrade {
  /** Migrations applied, as `NNNN_name`. */
  migrations: string[];
  /** Attribute columns added for attributes new in the config. */
  attributesAdded: string[];
  /** Work tables left by imports or model runs whose process died, dropped. */
  workTablesDropped: string[];
}

/** The application context every use case takes. */
export interface App {
  readonly config: NightjarConfig;
  /** The config as loaded: its file and the database it names. */
  readonly loaded: LoadedConfig;
  readonly vault: SecretVault;
  readonly clock: Clock;
  readonly logger: Logger;
  /** The database; using it in an app opened with `db: false` is a programming error. */
  readonly db: NightjarDb;
  readonly sfmc: readonly SfmcAccountClient[];
  /** What the upgrade changed in the database (nothing without `upgrade`). */
  readonly upgrade: DatabaseUpgrade;
  /**
   * How use cases wait for a lock another process holds (Default: undefined, as long as it
   * takes); the CLI's `--wait` sets it.
   */
  readonly lockWait: LockWait | undefined;
}

export interface AppOptions {
  config: LoadedConfig;
  /**
   * The open database (the caller keeps it and closes it), or `false` for an app without one
   * (e.g. `sfmc check`).
   */
  db: NightjarDb | false;
  /** (Default: the system clock) */
  clock?: Clock;
  /** (Default: silent) */
  logger?: Logger;
  /** The SFMC clients' `fetch` (Default: the global one). */
  fetch?: typeof fetch;
  /** The SFMC clients' retry policy and timeouts (Default: the client's), e.g. a test's short send timeout. */
  sfmcClient?: Pick<SfmcClientOptions, "retry" | "timeouts">;
  /** How the use cases wait for the advisory locks another process holds. */
  lockWait?: LockWait | undefined;
  /**
   * Apply pending migrations, add attribute columns and drop dead work tables first (Default:
   * false).
   */
  upgrade?: boolean;
}

function missingDatabase(): never {
  throw new Error("this app was opened without a database (createApp({ db: false }))");
}

/** Opens the application context. */
export async function createApp(options: AppOptions): Promise<App> {
  const { config: loaded } = options;
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? silentLogger();
  const vault = loaded.vault;
  const db = options.db === false ? undefined : options.db;
  const upgrade: DatabaseUpgrade = { migrations: [], attributesAdded: [], workTablesDropped: [] };
  if (db && options.upgrade) {
    upgrade.migrations = (await migrate(db)).map(
      (m) => `${String(m.version).padStart(4, "0")}_${m.name}`,
    );
    upgrade.attributesAdded = await ensureAttributeColumns(
      db.kysely,
      loaded.config.customers.attributes,
      options.lockWait,
    );
    upgrade.workTablesDropped = await dropDeadWorkTables(db);
  }
  const sfmc = loaded.config.sfmc.accounts.map((account, index) => ({
    index,
    account,
    client: createSfmcClient({
      account,
      secret: () => vault.resolve(account.clientSecret, `sfmc.accounts[${index}].clientSecret`),
      secrets: vault,
      clock,
      logger,
      ...(options.fetch ? { fetch: options.fetch } : {}),
      ...options.sfmcClient,
    }),
  }));
  return {
    config: loaded.config,
    loaded,
    vault,
    clock,
    logger,
    get db() {
      return db ?? missingDatabase();
    },
    sfmc,
    upgrade,
    lockWait: options.lockWait,
  };
}
