import cliProgress from "cli-progress";
import type { ImportProgress } from "../customers/import-report.ts";

/** How a command reports: human text, or exactly one JSON document on stdout. */
export interface Output {
  json: boolean;
  /** A line for people: stdout normally, stderr under --json (stdout is the JSON's alone). */
  info(line: string): void;
  /** A warning, always on stderr. */
  warn(line: string): void;
  /** The command's result: printed as one JSON line under --json, else by `human`. */
  result(value: unknown, human: () => string): void;
}

export function createOutput(json: boolean): Output {
  return {
    json,
    info: (line) => (json ? process.stderr : process.stdout).write(`${line}\n`),
    warn: (line) => process.stderr.write(`warning: ${line}\n`),
    result: (value, human) => {
      if (json) process.stdout.write(`${JSON.stringify(value)}\n`);
      else process.stdout.write(`${human()}\n`);
    },
  };
}

/** A progress bar on stderr when it is a terminal; nothing otherwise (the summary line says it all). */
export function importProgressBar(label: string): {
  update(progress: ImportProgress): void;
  stop(): void;
} {
  if (!process.stderr.isTTY) return { update: () => {}, stop: () => {} };
  const started = Date.now();
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: `${label} {bar} {percentage}% | {records} rows | {rate} rows/s | ETA {eta_formatted}`,
      hideCursor: true,
      clearOnComplete: true,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  let begun = false;
  return {
    update(progress) {
      const payload = {
        records: progress.records.toLocaleString("en-US"),
        rate: Math.round(
          progress.records / Math.max(0.001, (Date.now() - started) / 1000),
        ).toLocaleString("en-US"),
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
