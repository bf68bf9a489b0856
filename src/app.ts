/**
 * The application context: what a command, the server or a test needs, opened once — the
 * validated config, the secret vault, the clock, the logger, the database (migrated, with the
 * configured attribute columns) and one SFMC client per account — and closed once. Use cases in
 * the domain folders take it (or the parts they need); the CLI and the HTTP routes only parse,
 * call a use case and format its result.
 *
 * ```ts
 * const app = await createApp({ config: await loadConfig(), clock: systemClock });
 * try {
 *   await syncMessages(app);
 * } finally {
 *   await app.close();
 * }
 * ```
 */
import { type Clock, systemClock } from "./clock.ts";
import type { LoadedConfig } from "./config/load.ts";
import type { NightjarConfig, SfmcAccount } from "./config/schema.ts";
import type { SecretVault } from "./config/secrets.ts";
import { ensureAttributeColumns } from "./customers/attributes.ts";
import { type NightjarDb, openDatabase } from "./db/connect.ts";
import type { LockWait } from "./db/locks.ts";
import { migrate } from "./db/migrate.ts";
import { dropDeadWorkTables } from "./db/work-tables.ts";
import { type Logger, silentLogger } from "./logger.ts";
import { createSfmcClient, type SfmcClient } from "./sfmc/client.ts";

/** The SFMC client of one configured account. */
export interface SfmcAccountClient {
  /** The account's position in `sfmc.accounts` (for config key paths in messages). */
  index: number;
  account: SfmcAccount;
  client: SfmcClient;
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
  /** What opening the database changed (nothing when the caller handed the database in). */
  readonly upgrade: DatabaseUpgrade;
  /**
   * How use cases wait for a lock another process holds (Default: undefined, as long as it
   * takes); the CLI's `--wait` sets it.
   */
  readonly lockWait: LockWait | undefined;
  /** Closes what the app opened (the database unless it was handed in, the clock's timers). */
  close(): Promise<void>;
}

export interface AppOptions {
  config: LoadedConfig;
  /**
   * An open database to use (the caller keeps it and closes it), or `false` for an app without
   * one (e.g. `sfmc check`). Default: the configured database, opened and upgraded here.
   */
  db?: NightjarDb | false;
  /** (Default: the system clock) */
  clock?: Clock;
  /** (Default: silent) */
  logger?: Logger;
  /** The SFMC clients' `fetch` (Default: the global one). */
  fetch?: typeof fetch;
  /** How to wait for locks: the embedded database folder, and the use cases' advisory locks. */
  lockWait?: LockWait | undefined;
  /** How the PostgreSQL sessions are named (see `OpenOptions.applicationName`). */
  applicationName?: string | undefined;
  /**
   * Apply pending migrations and add attribute columns (Default: true when the app opens the
   * database, false when it is handed in).
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
  const handedIn = options.db !== undefined;
  let db: NightjarDb | undefined = options.db === false ? undefined : (options.db ?? undefined);
  if (options.db === undefined)
    db = await openDatabase(loaded.database, {
      logger,
      ...(options.lockWait ? { lockWait: options.lockWait } : {}),
      ...(options.applicationName ? { applicationName: options.applicationName } : {}),
    });
  const upgrade: DatabaseUpgrade = { migrations: [], attributesAdded: [], workTablesDropped: [] };
  try {
    if (db && (options.upgrade ?? !handedIn)) {
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
  } catch (error) {
    if (!handedIn) await db?.close();
    throw error;
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
    }),
  }));
  const opened = db;
  return {
    config: loaded.config,
    loaded,
    vault,
    clock,
    logger,
    get db() {
      return opened ?? missingDatabase();
    },
    sfmc,
    upgrade,
    lockWait: options.lockWait,
    close: async () => {
      if (opened && !handedIn) await opened.close();
    },
  };
}
