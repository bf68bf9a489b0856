/**
 * API server benchmark: `npm run bench:server`.
 *
 * On the embedded database (PGlite, a data folder) and on PostgreSQL (DATABASE_URL, or the local
 * server), in the same run:
 *   (a) start time: `nightjar serve --port 0` as a process, from spawn until it prints where it
 *       listens (the data folder exists already: no initdb), and in-process (createApp +
 *       buildServer + listen);
 *   (b) latency of `GET /api/session` and `GET /api/apps` over 1,000 in-process requests each
 *       (`inject`, signed in with a session cookie), beside `GET /api/health` (public) as the floor.
 * Each figure is the median of 3 rounds. Writes bench/results/server.md.
 */
import { spawn } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { addUser } from "../src/access/users.ts";
import { createApp } from "../src/app.ts";
import { cliActor } from "../src/audit/audit.ts";
import { EXAMPLE_CONFIG } from "../src/config/example.ts";
import { configFromObject } from "../src/config/load.ts";
import { openDatabase } from "../src/db/connect.ts";
import { serveApi } from "../src/server/serve.ts";
import { benchServer, machine, median } from "./lib.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const BIN = path.join(ROOT, "bin", "nightjar.js");
const RESULTS = path.join(ROOT, "bench", "results", "server.md");
const ROUNDS = 3;
const REQUESTS = 1000;
const PASSWORD = "correct horse battery staple";

type Engine = "pglite" | "postgres";

/** Milliseconds from spawning `nightjar serve` until it printed its URL (then SIGTERM). */
function processStart(dir: string, env: NodeJS.ProcessEnv): Promise<number> {
  const started = performance.now();
  const child = spawn(process.execPath, [BIN, "serve", "--port", "0", "--json"], {
    cwd: dir,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "ignore"],
  });
  return new Promise((resolve, reject) => {
    let ms: number | undefined;
    child.stdout.once("data", () => {
      ms = performance.now() - started;
      child.kill("SIGTERM");
    });
    child.once("close", (code) =>
      ms === undefined ? reject(new Error(`serve exited ${code}`)) : resolve(ms),
    );
  });
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? Number.NaN;
}

async function measure(engine: Engine, postgresUrl: string) {
  const dir = await mkdtemp(path.join(os.tmpdir(), "nightjar-bench-server-"));
  const env: NodeJS.ProcessEnv = engine === "postgres" ? { DATABASE_URL: postgresUrl } : {};
  if (engine === "pglite") delete process.env.DATABASE_URL;
  await writeFile(path.join(dir, "nightjar.config.json"), JSON.stringify(EXAMPLE_CONFIG));
  const loaded = configFromObject(EXAMPLE_CONFIG, {
    file: path.join(dir, "nightjar.config.json"),
    env: engine === "postgres" ? { DATABASE_URL: postgresUrl } : {},
  });
  // The first open makes the data folder (initdb) and migrates: not part of a start.
  const first = await openDatabase(loaded.database);
  const app0 = await createApp({ config: loaded, db: first, upgrade: true });
  await addUser(app0, cliActor(), {
    email: "admin@example.com",
    role: "admin",
    password: PASSWORD,
  });
  await first.close();

  const processMs: number[] = [];
  for (let i = 0; i < ROUNDS; i++) processMs.push(await processStart(dir, env));

  const db = await openDatabase(loaded.database);
  const inProcessMs: number[] = [];
  const latency: Record<string, number[]> = {};
  const p95: Record<string, number[]> = {};
  for (let round = 0; round < ROUNDS; round++) {
    const started = performance.now();
    const app = await createApp({ config: loaded, db, upgrade: true });
    const running = await serveApi(app, { host: "127.0.0.1", port: 0, version: "bench" });
    inProcessMs.push(performance.now() - started);
    const http = running.server.http;
    const signIn = await http.inject({
      method: "POST",
      url: "/api/session",
      payload: { email: "admin@example.com", password: PASSWORD },
    });
    const cookie = `nightjar_session=${signIn.cookies[0]?.value}`;
    for (const url of ["/api/health", "/api/session", "/api/apps"]) {
      const times: number[] = [];
      for (let i = 0; i < REQUESTS; i++) {
        const t = performance.now();
        // The floor goes without credentials: no session to look up.
        const headers: Record<string, string> = url === "/api/health" ? {} : { cookie };
        const response = await http.inject({ url, headers });
        times.push(performance.now() - t);
        if (response.statusCode !== 200) throw new Error(`${url}: ${response.statusCode}`);
      }
      times.sort((a, b) => a - b);
      latency[url] = [...(latency[url] ?? []), median(times)];
      p95[url] = [...(p95[url] ?? []), percentile(times, 0.95)];
    }
    await running.close();
  }
  await db.close();
  await rm(dir, { recursive: true, force: true });
  return { processMs, inProcessMs, latency, p95 };
}

/** Whether `nightjar` runs its bundle (as after `npm ci`) or the sources through tsx. */
function runsBundle(): boolean {
  const newest = (dir: string): number =>
    Math.max(
      0,
      ...readdirSync(dir, { withFileTypes: true }).map((entry) =>
        entry.isDirectory()
          ? newest(path.join(dir, entry.name))
          : statSync(path.join(dir, entry.name)).mtimeMs,
      ),
    );
  try {
    const built = statSync(path.join(ROOT, "dist", "cli.js")).mtimeMs;
    return built >= newest(path.join(ROOT, "src")) && built >= newest(path.join(ROOT, "emulator"));
  } catch {
    return false;
  }
}

const fmt = (values: number[], digits = 2) => values.map((v) => v.toFixed(digits)).join(", ");

const pg = await benchServer("nightjar_bench_server");
await pg.recreate();
const results = {
  pglite: await measure("pglite", pg.url),
  postgres: await measure("postgres", pg.url),
};
await pg.close();

const lines = [
  "# API server benchmark",
  "",
  `Generated by \`npm run bench:server\` on ${new Date().toISOString().slice(0, 10)}.`,
  `Machine: ${machine(pg.serverVersion)}.`,
  runsBundle()
    ? "`nightjar` ran its bundle (`dist/cli.js`, as after `npm ci`)."
    : "`nightjar` ran the TypeScript sources through tsx (src/ is newer than the bundle; `npm run build` first for the figures an installed Nightjar shows).",
  `Each figure is the median of ${ROUNDS} rounds (the rounds' values beside it); latencies over ${REQUESTS.toLocaleString("en-US")} in-process requests per round (\`inject\`, signed in with a session cookie). The issue names no baseline; \`GET /api/health\` without credentials (public, and no query once the migrations are known to have run) is the floor measured in the same run: what routing, the security headers and the access hook cost without a session.`,
  "",
  "| | PGlite (embedded) | rounds | PostgreSQL | rounds |",
  "|---|---|---|---|---|",
];
const row = (
  label: string,
  pick: (r: (typeof results)["pglite"]) => number[],
  unit: string,
  digits = 2,
) =>
  lines.push(
    `| ${label} | ${median(pick(results.pglite)).toFixed(digits)} ${unit} | ${fmt(pick(results.pglite), digits)} | ${median(pick(results.postgres)).toFixed(digits)} ${unit} | ${fmt(pick(results.postgres), digits)} |`,
  );
row("`nightjar serve` start (spawn → listening)", (r) => r.processMs, "ms", 0);
row("in-process start (createApp + buildServer + listen)", (r) => r.inProcessMs, "ms", 0);
for (const url of ["/api/health", "/api/session", "/api/apps"]) {
  row(`\`GET ${url}\` median latency`, (r) => r.latency[url] ?? [], "ms", 3);
  row(`\`GET ${url}\` p95 latency`, (r) => r.p95[url] ?? [], "ms", 3);
}
const ratio = (engine: Engine, url: string) =>
  (
    median(results[engine].latency[url] ?? []) /
    median(results[engine].latency["/api/health"] ?? [])
  ).toFixed(2);
lines.push(
  "",
  `Ratio to the floor (median latency ÷ \`GET /api/health\`): \`/api/session\` ${ratio("pglite", "/api/session")}× on PGlite, ${ratio("postgres", "/api/session")}× on PostgreSQL; \`/api/apps\` ${ratio("pglite", "/api/apps")}× on PGlite, ${ratio("postgres", "/api/apps")}× on PostgreSQL.`,
  "",
  "A signed-in request costs one indexed lookup of the session (by the SHA-256 of its id, joined to its user); `last_seen_at` is written at most once a minute, so a busy session adds no write per request.",
  "",
);
await writeFile(RESULTS, lines.join("\n"));
process.stdout.write(`${lines.join("\n")}\n`);
