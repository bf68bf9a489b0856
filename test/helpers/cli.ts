import { spawn } from "node:child_process";
import { Readable } from "node:stream";
import { fileURLToPath } from "node:url";
import { expect } from "vitest";
import { runCli } from "../../src/cli/main.ts";
import type { Clock } from "../../src/clock.ts";
import type { NightjarDb } from "../../src/db/connect.ts";

export const BIN = fileURLToPath(new URL("../../bin/nightjar.js", import.meta.url));

export interface Run {
  code: number | null;
  /** The signal that ended the process (a real process only), e.g. SIGKILL. */
  signal?: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the real `nightjar` command in `cwd`. DATABASE_URL, NIGHTJAR_CONFIG and SFMC_CLIENT_SECRET
 * of the test process are not passed on: a command sees only what `env` gives it.
 */
export function nightjar(
  cwd: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
  /** Told the stderr so far, each time more arrives. */
  onStderr?: (stderr: string) => void,
): Promise<Run> {
  const {
    DATABASE_URL: _url,
    NIGHTJAR_CONFIG: _config,
    SFMC_CLIENT_SECRET: _secret,
    ...base
  } = process.env;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd,
      env: { ...base, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
    });
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
      onStderr?.(stderr);
    });
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** stdout under --json: exactly one JSON document on one line. */
export function onlyJson(run: Run): unknown {
  expect(run.stdout.endsWith("\n")).toBe(true);
  expect(run.stdout.trimEnd().split("\n")).toHaveLength(1);
  return JSON.parse(run.stdout);
}

/** What an in-process run may be given instead of what a process would find. */
export interface InProcessOptions {
  env?: NodeJS.ProcessEnv;
  /** The database every command uses (it stays open). */
  db?: NightjarDb;
  clock?: Clock;
  fetch?: typeof fetch;
  /** Pretend stderr is a terminal (progress lines). */
  tty?: boolean;
  /** What the command reads on stdin (e.g. a password with --password-stdin). */
  stdin?: string;
}

/**
 * Runs `nightjar` in this process through `runCli`, in folder `cwd` with only `env` for its
 * environment: the same commands, parsing, output and exit codes as the real process, without
 * starting Node (or an embedded database) for each command.
 */
export async function cli(
  cwd: string,
  args: string[],
  options: InProcessOptions = {},
): Promise<Run> {
  let stdout = "";
  let stderr = "";
  const { db } = options;
  const code = await runCli(args, {
    stdout: {
      write: (chunk: string) => {
        stdout += chunk;
      },
    },
    stderr: {
      write: (chunk: string) => {
        stderr += chunk;
      },
      isTTY: options.tty ?? false,
    },
    env: { ...options.env },
    ...(options.stdin !== undefined ? { stdin: Readable.from([options.stdin]) } : {}),
    cwd,
    ...(db ? { database: async () => db } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  return { code, stdout, stderr };
}
