import path from "node:path";
import type { Command } from "commander";
import { type App, createApp } from "../app.ts";
import { type Clock, clockFromEnvironment } from "../clock.ts";
import { configFilePath, type LoadedConfig, loadConfig } from "../config/load.ts";
import type { SecretVault } from "../config/secrets.ts";
import { type NightjarDb, openDatabase } from "../db/connect.ts";
import { createLogger, type Logger } from "../logger.ts";
import type { CliIo } from "./io.ts";
import { createOutput, type Output } from "./output.ts";

/** Global options every command receives. */
export interface GlobalOptions {
  config?: string;
  /** Seconds to wait for a lock another process holds (Default: 0). */
  wait?: number;
}

/** What a command's action needs from the CLI: its surroundings, output and the app. */
export interface CommandContext {
  readonly io: CliIo;
  /** The one vault of this invocation: secrets it resolves, and what it redacts from output. */
  readonly vault: SecretVault;
  /** The output of a command (one JSON document on stdout under --json). */
  output(json: boolean | undefined): Output;
  /** A path as the user gave it, relative to the working folder. */
  resolve(file: string): string;
  /** The config file's path (`--config`, NIGHTJAR_CONFIG or ./nightjar.config.json). */
  configPath(command: Command): string;
  /** Loads and validates the config. */
  config(command: Command): Promise<LoadedConfig>;
  /**
   * Opens the app for `command` (config, clock, logger, the database unless `database: false`,
   * the SFMC clients), runs `work` and closes it, whatever happens.
   */
  withApp<T>(
    command: Command,
    work: (app: App) => Promise<T>,
    options?: WithAppOptions,
  ): Promise<T>;
}

/** How `withApp` opens the app. */
export interface WithAppOptions {
  /** Open the database (Default: true). */
  database?: boolean;
  /**
   * A long-running command's own stop (e.g. `serve` closing its server): the first Ctrl-C or
   * SIGTERM calls it instead of interrupting the work, and the command returns once its work
   * has; a second signal still exits at once.
   */
  onSignal?: (signal: NodeJS.Signals) => void;
  /** The log level when NIGHTJAR_LOG_LEVEL is not set (Default: warn). */
  logLevel?: string;
}

/** `nightjar import customers`: the command as the operator typed it, without its arguments. */
function commandLine(command: Command): string {
  const names: string[] = [];
  for (let c: Command | null = command; c; c = c.parent) names.unshift(c.name());
  return names.join(" ");
}

/** The context of one CLI invocation. */
export function commandContext(io: CliIo, vault: SecretVault): CommandContext {
  let logger: Logger | undefined;
  const log = (level?: string) => {
    logger ??= createLogger({
      vault,
      destination: io.stderr,
      level: io.env.NIGHTJAR_LOG_LEVEL || level,
    });
    return logger;
  };
  const configPath = (command: Command) =>
    configFilePath(command.optsWithGlobals<GlobalOptions>().config, io.env, io.cwd);
  const config = (command: Command) =>
    loadConfig({ path: configPath(command), env: io.env, cwd: io.cwd, vault });
  return {
    io,
    vault,
    output: (json) => createOutput(io, Boolean(json), vault),
    resolve: (file) => path.resolve(io.cwd, file),
    configPath,
    config,
    async withApp(command, work, options = {}) {
      const loaded = await config(command);
      const logger = log(options.logLevel);
      const clock: Clock = io.clock ?? (await clockFromEnvironment(io.env));
      const waitSeconds = command.optsWithGlobals<GlobalOptions>().wait ?? 0;
      const typed = commandLine(command);
      const lockWait = {
        waitMs: waitSeconds * 1000,
        onWait: (message: string) => io.stderr.write(`nightjar: ${vault.redact(message)}\n`),
        command: typed,
        now: () => clock.now(),
      };
      const applicationName = `${typed} (pid ${process.pid})`;
      // Watched from the start, so that Ctrl-C also stops what opening the database waits for.
      let opened: NightjarDb | undefined;
      const unwatch = watchSignals(io, options.onSignal, async () => {
        await opened?.interrupt();
      });
      try {
        let db: NightjarDb | false = false;
        if (options.database !== false) {
          const given = await io.database?.();
          if (given) db = given;
          else {
            opened = await openDatabase(loaded.database, { logger, lockWait, applicationName });
            db = opened;
          }
        }
        try {
          const app = await createApp({
            config: loaded,
            db,
            upgrade: db !== false,
            clock,
            logger,
            ...(io.fetch ? { fetch: io.fetch } : {}),
            lockWait,
          });
          return await work(app);
        } finally {
          await opened?.close();
        }
      } finally {
        unwatch();
        if (clock !== io.clock) clock.close();
      }
    },
  };
}

/**
 * Ctrl-C (SIGINT) or SIGTERM while a command runs: says so, ends the command's sessions on the
 * database server (their statements stop, their locks go, their transactions roll back) and
 * exits with 128 + the signal's number — or, for a command with a stop of its own (`stop`), asks
 * it to stop. A second signal exits at once. Returns the unwatch.
 */
function watchSignals(
  io: CliIo,
  stop: ((signal: NodeJS.Signals) => void) | undefined,
  interrupt: () => Promise<void>,
): () => void {
  const target = io.process;
  if (!target) return () => {};
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    const code = signal === "SIGINT" ? 130 : 143;
    if (stopping) target.exit(code);
    stopping = true;
    if (stop) {
      stop(signal);
      return;
    }
    io.stderr.write(
      `\nnightjar: ${signal}: stopping; what was not finished is rolled back (nothing half-done is kept)…\n`,
    );
    const deadline = setTimeout(() => target.exit(code), 10_000);
    deadline.unref();
    interrupt()
      .catch((error: unknown) =>
        io.stderr.write(`nightjar: could not stop the work on the server: ${String(error)}\n`),
      )
      .finally(() => target.exit(code));
  };
  target.on("SIGINT", onSignal);
  target.on("SIGTERM", onSignal);
  return () => {
    target.off("SIGINT", onSignal);
    target.off("SIGTERM", onSignal);
  };
}
