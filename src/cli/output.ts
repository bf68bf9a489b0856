import cliProgress from "cli-progress";
import { stopwatch } from "../clock.ts";
import type { SecretVault } from "../config/secrets.ts";
import type { ImportProgress } from "../customers/import-report.ts";
import type { OutStream } from "./io.ts";

/** How a command reports: human text, or exactly one JSON document on stdout. */
export interface Output {
  json: boolean;
  /** A line for people: stdout normally, stderr under --json (stdout is the JSON's alone). */
  info(line: string): void;
  /** A warning, always on stderr. */
  warn(line: string): void;
  /** A progress line on stderr, on a terminal only (pipes and files get the summary alone). */
  progress(line: string): void;
  /** The command's result: printed as one JSON line under --json, else by `human`. */
  result(value: unknown, human: () => string): void;
  /** stderr, for progress bars. */
  readonly stderr: OutStream;
}

/** The output of one command; everything written passes through the vault's redaction. */
export function createOutput(
  streams: { stdout: OutStream; stderr: OutStream },
  json: boolean,
  vault: SecretVault,
): Output {
  const { stdout, stderr } = streams;
  const write = (stream: OutStream, text: string) => stream.write(vault.redact(text));
  return {
    json,
    stderr,
    info: (line) => write(json ? stderr : stdout, `${line}\n`),
    warn: (line) => write(stderr, `warning: ${line}\n`),
    progress: (line) => {
      if (stderr.isTTY) write(stderr, `${line}\n`);
    },
    result: (value, human) => {
      if (json) write(stdout, `${JSON.stringify(value)}\n`);
      else write(stdout, `${human()}\n`);
    },
  };
}

/** A progress bar on stderr when it is a terminal; nothing otherwise (the summary line says it all). */
export function importProgressBar(
  stderr: OutStream,
  label: string,
): {
  update(progress: ImportProgress): void;
  stop(): void;
} {
  if (!stderr.isTTY) return { update: () => {}, stop: () => {} };
  const bar = new cliProgress.SingleBar(
    {
      stream: stderr as NodeJS.WritableStream,
      format: `${label} {bar} {percentage}% | {records} rows | {rate} rows/s | ETA {eta_formatted}`,
      hideCursor: true,
      clearOnComplete: true,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  let begun = false;
  // A rate of the machine's work, like cli-progress's own ETA: real time, not the clock's.
  const elapsed = stopwatch();
  return {
    update(progress) {
      const payload = {
        records: progress.records.toLocaleString("en-US"),
        rate: Math.round(progress.records / Math.max(0.001, elapsed())).toLocaleString("en-US"),
      };
      if (!begun) {
        bar.start(Math.max(1, progress.totalBytes), progress.bytesRead, payload);
        begun = true;
      } else bar.update(progress.bytesRead, payload);
    },
    stop: () => {
      if (begun) bar.stop();
    },
  };
}

/** 1234567 → "1,234,567" */
export function count(n: number): string {
  return n.toLocaleString("en-US");
}
