import type { Clock } from "../clock.ts";
import type { NightjarDb } from "../db/connect.ts";

/** A stream the CLI writes to (process.stdout, or a test's collector). */
export interface OutStream {
  write(chunk: string): unknown;
  /** A terminal gets progress bars and readable log lines. */
  isTTY?: boolean | undefined;
}

/**
 * Everything the CLI takes from its surroundings, so that a test can run a command in-process
 * with streams, an environment and a folder of its own.
 */
export interface CliIo {
  stdout: OutStream;
  stderr: OutStream;
  env: NodeJS.ProcessEnv;
  /** What the command reads (a password with --password-stdin, or typed at a prompt). */
  stdin?: NodeJS.ReadableStream & {
    isTTY?: boolean | undefined;
    setRawMode?: (raw: boolean) => unknown;
  };
  /** The folder relative paths (files, --config, the data folder) are relative to. */
  cwd: string;
  /** Tests: the clock (Default: NIGHTJAR_CLOCK, else the system clock). */
  clock?: Clock;
  /**
   * Tests: the database every command uses instead of opening the configured one; it stays open
   * after the command.
   */
  database?: () => Promise<NightjarDb>;
  /** Tests: the `fetch` the SFMC clients use (e.g. the emulator in-process). */
  fetch?: typeof fetch;
  /**
   * A process's signals and exit: with them, Ctrl-C (SIGINT) and SIGTERM stop the command's
   * work on the database server before the process exits.
   */
  process?: {
    on(signal: "SIGINT" | "SIGTERM", listener: (signal: NodeJS.Signals) => void): unknown;
    off(signal: "SIGINT" | "SIGTERM", listener: (signal: NodeJS.Signals) => void): unknown;
    exit(code: number): never;
  };
}

/** The CLI's surroundings as a process has them. */
export function processIo(): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    cwd: process.cwd(),
    process,
  };
}
