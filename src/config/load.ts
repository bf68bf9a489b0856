import { readFile } from "node:fs/promises";
import path from "node:path";
import type { z } from "zod";
import { NightjarError } from "../errors.ts";
import { jsonErrorLocation } from "./json-errors.ts";
import { NightjarConfig } from "./schema.ts";
import { SecretVault } from "./secrets.ts";

export const DEFAULT_CONFIG_FILE = "nightjar.config.json";

/** The config file is missing, is not JSON, or does not match the schema. */
export class ConfigError extends NightjarError {
  override name = "ConfigError";
  override readonly kind = "config";
}

/** Where the database lives: the embedded PGlite folder or a PostgreSQL server. */
export type DatabaseTarget =
  | { engine: "pglite"; dataDir: string }
  | { engine: "postgres"; url: string };

/** A validated config with everything derived from it at start-up. */
export interface LoadedConfig {
  config: NightjarConfig;
  /** Absolute path of the config file. */
  file: string;
  database: DatabaseTarget;
  vault: SecretVault;
}

/**
 * The config file to use: `--config`, else NIGHTJAR_CONFIG, else ./nightjar.config.json; a
 * relative path is relative to `cwd`.
 */
export function configFilePath(
  explicit: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
  cwd = process.cwd(),
): string {
  return path.resolve(cwd, explicit ?? env.NIGHTJAR_CONFIG ?? DEFAULT_CONFIG_FILE);
}

/** `customers.attributes[1].type` from a zod path. */
export function formatKeyPath(keys: readonly PropertyKey[]): string {
  let out = "";
  for (const key of keys) {
    if (typeof key === "number") out += `[${key}]`;
    else out += out === "" ? String(key) : `.${String(key)}`;
  }
  return out === "" ? "(top level)" : out;
}

function describeIssues(issues: readonly z.core.$ZodIssue[]): string[] {
  return issues.map((issue) => `${formatKeyPath(issue.path)}: ${issue.message}`);
}

/** Validates a parsed config object; `source` names it in errors. */
export function parseConfig(raw: unknown, source: string): NightjarConfig {
  const parsed = NightjarConfig.safeParse(raw);
  if (!parsed.success) {
    const lines = describeIssues(parsed.error.issues);
    throw new ConfigError(`${source} is not a valid Nightjar config:\n  ${lines.join("\n  ")}`);
  }
  return parsed.data;
}

/**
 * Reads and validates the config once; DATABASE_URL overrides `database.url`. Secrets go into
 * `vault` (Default: a new vault on `env`).
 */
export async function loadConfig(
  options: {
    path?: string | undefined;
    env?: NodeJS.ProcessEnv;
    cwd?: string;
    vault?: SecretVault;
  } = {},
): Promise<LoadedConfig> {
  const env = options.env ?? process.env;
  const file = configFilePath(options.path, env, options.cwd);
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    const hint = code === "ENOENT" ? " (run `nightjar init` to write an example config)" : "";
    throw new ConfigError(`cannot read config file ${file}: ${code ?? "unknown error"}${hint}`, {
      cause,
    });
  }
  // Editors on Windows like to start UTF-8 files with a byte-order mark; JSON.parse does not.
  if (text.startsWith("\uFEFF")) text = text.slice(1);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (cause) {
    const detail = cause instanceof SyntaxError ? jsonErrorLocation(text, cause) : String(cause);
    throw new ConfigError(`${file} is not valid JSON: ${detail}`, { cause });
  }
  return configFromObject(raw, { file, env, vault: options.vault });
}

/**
 * A loaded config from an object already parsed (tests, the demo): validated like a file, with
 * `file` naming it in errors and anchoring the data folder.
 */
export function configFromObject(
  raw: unknown,
  options: { file: string; env?: NodeJS.ProcessEnv; vault?: SecretVault | undefined },
): LoadedConfig {
  const { file } = options;
  const env = options.env ?? process.env;
  const config = parseConfig(raw, file);
  const vault = options.vault ?? new SecretVault(env);
  const url = env.DATABASE_URL || config.database.url;
  let database: DatabaseTarget;
  if (url) {
    rememberUrlPassword(vault, url);
    database = { engine: "postgres", url };
  } else {
    database = {
      engine: "pglite",
      dataDir: path.resolve(path.dirname(file), config.database.dataDir),
    };
  }
  return { config, file, database, vault };
}

/** Registers the password of a database URL with the vault, so that it is never printed. */
export function rememberUrlPassword(vault: SecretVault, url: string): void {
  try {
    const password = decodeURIComponent(new URL(url).password);
    if (password) vault.remember(password);
  } catch {
    // Not a URL pg can parse either; pg will report it without the password.
  }
}
