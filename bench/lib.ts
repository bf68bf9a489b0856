/** What the benchmarks share: timing a child process, its peak RSS, medians. */
import { spawn } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";

export interface Timed {
  seconds: number;
  /** With an RSS probe: the Node child's peak resident memory. */
  peakRssMb: number | null;
  stdout: string;
}

/** A Node `--import` hook that writes the process's peak RSS to a file when it exits. */
export interface RssProbe {
  /** NODE_OPTIONS for the measured process. */
  nodeOptions: string;
  file: string;
}

/** Writes an RSS probe into `dir`. */
export async function rssProbe(dir: string): Promise<RssProbe> {
  const hook = path.join(dir, "rss-probe.mjs");
  const file = path.join(dir, "peak-rss-kb");
  await writeFile(
    hook,
    `import { writeFileSync } from "node:fs";\nprocess.on("exit", () => writeFileSync(${JSON.stringify(file)}, String(process.resourceUsage().maxRSS)));\n`,
  );
  return { nodeOptions: `--import=${hook}`, file };
}

/** Runs a command, timing it; with `probe` (a Node child), its peak RSS as well. */
export function run(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
  probe?: RssProbe,
): Promise<Timed> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(command, args, {
      env: { ...process.env, ...env, ...(probe ? { NODE_OPTIONS: probe.nodeOptions } : {}) },
      stdio: ["ignore", "pipe", "inherit"],
    });
    let stdout = "";
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
    });
    child.on("error", reject);
    child.on("close", async (code) => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      if (code !== 0) return reject(new Error(`${command} ${args.join(" ")} exited with ${code}`));
      const peakRssMb = probe ? Number(await readFile(probe.file, "utf8")) / 1024 : null;
      resolve({ seconds, peakRssMb, stdout });
    });
  });
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}
