import { type LoadedConfig, loadConfig } from "../config/load.ts";
import { type NightjarDb, openDatabase } from "../db/connect.ts";
import { migrate } from "../db/migrate.ts";

/** Global options every command receives. */
export interface GlobalOptions {
  config?: string;
}

/** Loads the config (once, validated) for a command that needs it. */
export function commandConfig(globals: GlobalOptions): Promise<LoadedConfig> {
  return loadConfig({ path: globals.config });
}

/**
 * Opens the configured database, applies pending migrations (reported through `applied`), runs `fn`,
 * and closes the database whatever happens.
 */
export async function withDatabase<T>(
  loaded: LoadedConfig,
  fn: (db: NightjarDb, applied: string[]) => Promise<T>,
): Promise<T> {
  const db = await openDatabase(loaded.database);
  try {
    const applied = (await migrate(db)).map(
      (m) => `${String(m.version).padStart(4, "0")}_${m.name}`,
    );
    return await fn(db, applied);
  } finally {
    await db.close();
  }
}
