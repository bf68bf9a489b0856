/** What the benchmarks share: timing a child process, its peak RSS, medians, files, the server. */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { createWriteStream, type WriteStream } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { gammaDraw, seededRandom } from "../src/model/stats/simulate.ts";

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

/** A file written line by line through a 1 MiB buffer, waiting for the disk when it falls behind. */
export class LineFile {
  private readonly out: WriteStream;
  private buffer = "";

  constructor(path: string) {
    this.out = createWriteStream(path);
  }

  async write(line: string): Promise<void> {
    this.buffer += `${line}\n`;
    if (this.buffer.length > 1 << 20) {
      const text = this.buffer;
      this.buffer = "";
      if (!this.out.write(text)) await once(this.out, "drain");
    }
  }

  async close(): Promise<void> {
    this.out.end(this.buffer);
    this.buffer = "";
    await once(this.out, "close");
  }
}

/** The PostgreSQL server a benchmark runs on, and a database of its own there. */
export interface BenchServer {
  admin: pg.Client;
  /** URL of the benchmark's database. */
  url: string;
  serverVersion: string;
  /** Drops and creates the benchmark's database. */
  recreate(): Promise<void>;
  /** Drops the benchmark's database and disconnects. */
  close(): Promise<void>;
}

/** Connects to DATABASE_URL (or the local server) for a benchmark database named `name`. */
export async function benchServer(name: string): Promise<BenchServer> {
  const serverUrl = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const serverVersion = (await admin.query("show server_version")).rows[0].server_version;
  return {
    admin,
    url: url.toString(),
    serverVersion,
    recreate: async () => {
      await admin.query(`drop database if exists ${name}`);
      await admin.query(`create database ${name}`);
    },
    close: async () => {
      await admin.query(`drop database if exists ${name}`);
      await admin.end();
    },
  };
}

/** The machine line of a report. */
export function machine(serverVersion: string): string {
  return `${os.cpus().length} × ${os.cpus()[0]?.model ?? "cpu"}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, PostgreSQL ${serverVersion}`;
}

/** r, α (per week), a, b of the simulated base: about 5 purchases per customer over two years. */
export const SIMULATED_BGNBD = { r: 0.9, alpha: 5, a: 0.6, b: 4 } as const;

/**
 * Writes transactions of `customers` customers C0000000… (`key,occurred_at,amount` + `suffix`
 * per line, no header) simulated from BG/NBD-like behaviour up to `end` (YYYY-MM-DD): a purchase
 * rate per customer, a chance to drop out after each repeat purchase, first purchases over two
 * years, one customer in five without a purchase. The same seed gives the same file. Answers how
 * many rows it wrote.
 */
export async function writeSimulatedTransactions(
  out: LineFile,
  customers: number,
  end: string,
  suffix = "",
): Promise<number> {
  const rnd = seededRandom(2026);
  const endMs = Date.parse(`${end}T00:00:00Z`);
  const week = 7 * 86_400_000;
  const { r, alpha, a, b } = SIMULATED_BGNBD;
  let rows = 0;
  for (let i = 0; i < customers; i++) {
    // One customer in five never bought: a prospect.
    if (rnd() < 0.2) continue;
    const key = `C${String(i).padStart(7, "0")}`;
    const rate = gammaDraw(rnd, r, 1) / alpha;
    const ga = gammaDraw(rnd, a, 1);
    const dropout = ga / (ga + gammaDraw(rnd, b, 1));
    // Spend varies around a mean of the customer's own (what Gamma-Gamma assumes).
    const meanSpend = 15 + gammaDraw(rnd, 2, 1) * 20;
    const purchase = (t: number) => {
      const amount = ((meanSpend * gammaDraw(rnd, 4, 1)) / 4).toFixed(2);
      rows++;
      return out.write(`${key},${new Date(t).toISOString()},${amount}${suffix}`);
    };
    // The first purchase; a customer may drop out after each repeat purchase (BG/NBD).
    let t = endMs - rnd() * 104 * week;
    await purchase(t);
    for (;;) {
      t += (-Math.log(1 - rnd()) / Math.max(rate, 1e-9)) * week;
      if (t >= endMs) break;
      await purchase(t);
      if (rnd() < dropout) break;
    }
  }
  return rows;
}

/** The database engines a benchmark compares. */
export type Engine = "pglite" | "postgres";

/** The secret of the emulator's demo client, as `nightjar init`'s config reads it. */
export const SFMC_SECRET = "demo-secret";

/** The environment of an engine's `nightjar` processes: PostgreSQL through DATABASE_URL, PGlite without. */
export function engineEnv(engine: Engine, url: string): NodeJS.ProcessEnv {
  return { DATABASE_URL: engine === "postgres" ? url : "", SFMC_CLIENT_SECRET: SFMC_SECRET };
}

/** A numeric `--name N` argument of the command line, or `fallback`. */
export function argument(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? Number(process.argv[index + 1]) : fallback;
}

/** The engines of a `--name a,b` argument (Default: PGlite, and PostgreSQL with DATABASE_URL). */
export function engineList(name: string, fallback?: string): Engine[] {
  const index = process.argv.indexOf(`--${name}`);
  const given = index >= 0 ? String(process.argv[index + 1]) : undefined;
  const standard = process.env.DATABASE_URL ? "pglite,postgres" : "pglite";
  return (given ?? fallback ?? standard).split(",") as Engine[];
}
