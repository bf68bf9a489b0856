/**
 * Import benchmark: `npm run bench:import [-- --rows N --runs N --pglite-runs N]`.
 *
 * Generates customer snapshots (10 attributes) of every shape an import meets and times, in the
 * same runs, each `nightjar import customers` beside a keyed COPY of the same file:
 * - PostgreSQL, against `psql \copy` into a typed table with the same primary key:
 *   first load (N rows into an empty database), day 2 (5% changed), a 50% change, mass removal
 *   (a snapshot of N/100 rows against N, the removal guard lifted), and growth (N rows into a
 *   database of N/5: the first N/5 unchanged).
 * - PGlite (the embedded default), against a Node process that opens PGlite and COPYs the file
 *   into a keyed table: first load and day 2.
 * Writes bench/results/import.md with every figure, ratio, rows/s and peak RSS.
 * Needs PostgreSQL: DATABASE_URL, or postgres://postgres@127.0.0.1:5432/postgres.
 */
import { mkdir, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { seededRandom } from "../src/model/stats/simulate.ts";
import {
  argument,
  benchServer,
  LineFile,
  machine,
  median,
  rssProbe,
  run,
  type Timed,
} from "./lib.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const TMP = path.join(ROOT, "bench", "tmp");
const RESULTS = path.join(ROOT, "bench", "results", "import.md");
const BENCH_DB = "nightjar_bench_import";

const ROWS = argument("rows", 1_000_000);
const RUNS = argument("runs", 5);
const PGLITE_RUNS = argument("pglite-runs", 3);
const GROWTH_FROM = Math.floor(ROWS / 5);
const REMOVAL_KEEPS = Math.floor(ROWS / 100);

const ATTRIBUTES = [
  { name: "first_name", type: "text", sql: "text" },
  { name: "last_name", type: "text", sql: "text" },
  { name: "email", type: "text", sql: "text" },
  { name: "country", type: "text", sql: "text" },
  { name: "city", type: "text", sql: "text" },
  { name: "signup_date", type: "date", sql: "date" },
  { name: "birth_date", type: "date", sql: "date" },
  { name: "loyalty_points", type: "integer", sql: "bigint" },
  { name: "lifetime_value", type: "numeric", sql: "numeric" },
  { name: "allow_push", type: "boolean", sql: "boolean", required: true },
] as const;

const FIRST = ["Ann", "Bo", "Cy", "Dana", "Eli", "Fay", "Gus", "Hana", "Ivo", "Jo", "Kai", "Lea"];
const LAST = ["Meyer", "Smith", "Rossi", "Dubois", "Novak", "Silva", "Berg", "Kowalski", "Moreau"];
const COUNTRIES = ["DE", "FR", "US", "GB", "IT", "ES", "NL", "PL", "SE", "AT"];
const CITIES = ["Berlin", "Paris", "Austin", "Leeds", "Milano", "Sevilla", "Utrecht", "Gdansk"];

function pick<T>(items: readonly T[], r: number): T {
  return items[Math.floor(r * items.length)] as T;
}

function date(r: number, fromYear: number, years: number): string {
  const day = new Date(Date.UTC(fromYear, 0, 1) + Math.floor(r * years * 365) * 86_400_000);
  return day.toISOString().slice(0, 10);
}

/**
 * A snapshot of the first `rows` customers: the same customers every time; `changedShare` of
 * them (chosen by a seeded draw, `marker` naming the change) have a new city and points.
 */
async function generate(
  file: string,
  options: { rows: number; changedShare: number; marker: string },
): Promise<void> {
  const out = new LineFile(file);
  const rnd = seededRandom(42);
  const change = seededRandom(options.marker === " Nord" ? 7 : 11);
  await out.write(`contact_key,${ATTRIBUTES.map((a) => a.name).join(",")}`);
  for (let i = 0; i < options.rows; i++) {
    const first = pick(FIRST, rnd());
    const last = pick(LAST, rnd());
    let city = pick(CITIES, rnd());
    let points = Math.floor(rnd() * 10_000);
    if (change() < options.changedShare) {
      city = `${city}${options.marker}`;
      points += 1;
    }
    await out.write(
      `C${String(i).padStart(7, "0")},${first},${last},${first.toLowerCase()}.${i}@example.com,${pick(COUNTRIES, rnd())},${city},${date(rnd(), 2015, 10)},${date(rnd(), 1950, 50)},${points},${(rnd() * 5000).toFixed(2)},${rnd() < 0.7}`,
    );
  }
  await out.close();
}

/** The cases, in the order one run goes through them (each on the state the previous left). */
const CASES = [
  { key: "first", label: "first load (empty database)", file: "day1" },
  { key: "day2", label: "day 2, 5% changed", file: "day2" },
  { key: "half", label: "50% changed", file: "half" },
  { key: "removal", label: "mass removal (99% removed)", file: "removal" },
  {
    key: "growth",
    label: `growth (${(GROWTH_FROM / 1e3).toFixed(0)}k → ${(ROWS / 1e3).toFixed(0)}k)`,
    file: "day1",
  },
] as const;
type CaseKey = (typeof CASES)[number]["key"];

/** PGlite's own COPY of a file into a keyed table, in a Node process like the import's. */
const PGLITE_COPY = `
import { readFile } from "node:fs/promises";
import { PGlite } from "@electric-sql/pglite";
const [dataDir, file, columns] = process.argv.slice(2);
const db = await PGlite.create(dataDir);
await db.exec(\`create table baseline (contact_key text primary key, \${columns})\`);
await db.query("copy baseline from '/dev/blob' with (format csv, header true)", [], {
  blob: new Blob([await readFile(file)]),
});
await db.close();
`;

interface CaseFigures {
  copy: number[];
  import: number[];
  rss: number[];
  ratio: number[];
  summary: Record<string, number> | undefined;
}

function figures(): CaseFigures {
  return { copy: [], import: [], rss: [], ratio: [], summary: undefined };
}

async function main(): Promise<void> {
  const server = await benchServer(BENCH_DB);
  // Measure the command as users run it: the bundle `npm ci` builds, not the TypeScript loader.
  await run("npm", ["run", "--silent", "build"]);
  await mkdir(TMP, { recursive: true });
  const files = {
    day1: path.join(TMP, "customers-day1.csv"),
    day2: path.join(TMP, "customers-day2.csv"),
    half: path.join(TMP, "customers-half.csv"),
    removal: path.join(TMP, "customers-removal.csv"),
    growthBase: path.join(TMP, "customers-growth-base.csv"),
  };
  process.stderr.write(`generating snapshots of ${ROWS.toLocaleString("en-US")} rows…\n`);
  await generate(files.day1, { rows: ROWS, changedShare: 0, marker: "" });
  await generate(files.day2, { rows: ROWS, changedShare: 0.05, marker: " Nord" });
  await generate(files.half, { rows: ROWS, changedShare: 0.5, marker: " Sud" });
  await generate(files.removal, { rows: REMOVAL_KEEPS, changedShare: 0.5, marker: " Sud" });
  await generate(files.growthBase, { rows: GROWTH_FROM, changedShare: 0, marker: "" });
  const size = (await stat(files.day1)).size;

  const config = path.join(TMP, "nightjar.config.json");
  const attributes = ATTRIBUTES.map((a) => ({
    name: a.name,
    type: a.type,
    required: "required" in a,
  }));
  await writeFile(
    config,
    JSON.stringify({ customers: { attributes }, database: { dataDir: "pglite-data" } }),
  );
  const probe = await rssProbe(TMP);
  const nightjar = path.join(ROOT, "bin", "nightjar.js");
  const psqlBase = ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", server.url];
  const columns = ATTRIBUTES.map((a) => `${a.name} ${a.sql}`).join(", ");
  const psql = (...commands: string[]) =>
    run("psql", [...psqlBase, ...commands.flatMap((c) => ["-c", c])]);

  /** `psql \copy` of `file` into a fresh keyed table (the baseline). */
  async function copyBaseline(file: string): Promise<number> {
    await psql(`create table baseline (contact_key text primary key, ${columns})`);
    const timed = await psql(`\\copy baseline from '${file}' with (format csv, header true)`);
    await psql("drop table baseline", "checkpoint");
    return timed.seconds;
  }

  const importFile = async (
    file: string,
    date: string,
    env: NodeJS.ProcessEnv,
    extra: string[] = [],
  ): Promise<Timed> => {
    const args = ["--config", config, "import", "customers", file, "--date", date, "--json"];
    return run("node", [nightjar, ...args, ...extra], env, probe);
  };

  const pg = Object.fromEntries(CASES.map((c) => [c.key, figures()])) as Record<
    CaseKey,
    CaseFigures
  >;
  const pgEnv = { DATABASE_URL: server.url };
  for (let r = 1; r <= RUNS; r++) {
    await server.recreate();
    await run("node", [nightjar, "--config", config, "migrate", "--json"], pgEnv);
    let day = 1;
    for (const c of CASES) {
      if (c.key === "growth") {
        await server.recreate();
        await run("node", [nightjar, "--config", config, "migrate", "--json"], pgEnv);
        await importFile(files.growthBase, "2026-10-31", pgEnv);
      }
      const file = files[c.file];
      const copy = await copyBaseline(file);
      await psql("checkpoint");
      const extra = c.key === "removal" ? ["--allow-removals"] : [];
      const timed = await importFile(
        file,
        `2026-11-${String(day++).padStart(2, "0")}`,
        pgEnv,
        extra,
      );
      const figure = pg[c.key];
      figure.copy.push(copy);
      figure.import.push(timed.seconds);
      figure.rss.push(timed.peakRssMb ?? Number.NaN);
      figure.ratio.push(timed.seconds / copy);
      figure.summary = JSON.parse(timed.stdout);
      process.stderr.write(
        `run ${r} ${c.key}: \\copy ${copy.toFixed(2)} s, import ${timed.seconds.toFixed(2)} s ${timed.stdout.trim()}\n`,
      );
    }
  }
  await server.close();

  // PGlite: the embedded default. Its baseline is its own COPY, in a process of its own.
  const copyScript = path.join(TMP, "pglite-copy.mjs");
  await writeFile(copyScript, PGLITE_COPY);
  const pglite = { first: figures(), day2: figures() };
  const noServer = { DATABASE_URL: "" };
  for (let r = 1; r <= PGLITE_RUNS; r++) {
    const dataDir = path.join(TMP, "pglite-data");
    for (const [key, file, date] of [
      ["first", files.day1, "2026-11-01"],
      ["day2", files.day2, "2026-11-02"],
    ] as const) {
      const baselineDir = path.join(TMP, "pglite-baseline");
      await rm(baselineDir, { recursive: true, force: true });
      // The first open of a folder runs initdb; the baseline should not pay for it.
      await run(
        "node",
        [
          "-e",
          `await (await import("@electric-sql/pglite")).PGlite.create(${JSON.stringify(baselineDir)}).then((d) => d.close())`,
        ],
        {},
      );
      const copy = await run("node", [copyScript, baselineDir, file, columns], {});
      await rm(baselineDir, { recursive: true, force: true });
      if (key === "first") {
        await rm(dataDir, { recursive: true, force: true });
        await run("node", [nightjar, "--config", config, "migrate", "--json"], noServer);
      }
      const timed = await importFile(file, date, noServer);
      const figure = pglite[key];
      figure.copy.push(copy.seconds);
      figure.import.push(timed.seconds);
      figure.rss.push(timed.peakRssMb ?? Number.NaN);
      figure.ratio.push(timed.seconds / copy.seconds);
      figure.summary = JSON.parse(timed.stdout);
      process.stderr.write(
        `pglite run ${r} ${key}: COPY ${copy.seconds.toFixed(2)} s, import ${timed.seconds.toFixed(2)} s ${timed.stdout.trim()}\n`,
      );
    }
  }

  const fileRows: Record<string, number> = {
    day1: ROWS,
    day2: ROWS,
    half: ROWS,
    removal: REMOVAL_KEEPS,
  };
  const verdict = (ok: boolean) => (ok ? "met" : "**missed**");
  const row = (label: string, rows: number, f: CaseFigures, target: number | null) => {
    const ratio = median(f.ratio);
    const s = f.summary ?? {};
    const what = `${(s.inserted ?? 0).toLocaleString("en-US")} new, ${(s.updated ?? 0).toLocaleString("en-US")} updated, ${(s.unchanged ?? 0).toLocaleString("en-US")} unchanged, ${(s.removed ?? 0).toLocaleString("en-US")} removed`;
    return `| ${label} | ${rows.toLocaleString("en-US")} | ${what} | ${median(f.copy).toFixed(2)} s | ${median(f.import).toFixed(2)} s | ${ratio.toFixed(2)}× | ${target === null ? "—" : `≤ ${target}× (${verdict(ratio <= target)})`} | ${median(f.rss).toFixed(0)} MB |`;
  };
  const perRun = (f: CaseFigures) =>
    `import ${f.import.map((x) => x.toFixed(2)).join(", ")} s; baseline ${f.copy.map((x) => x.toFixed(2)).join(", ")} s`;
  const pgRss = Math.max(...Object.values(pg).flatMap((f) => f.rss));
  const pgliteRss = Math.max(...Object.values(pglite).flatMap((f) => f.rss));
  // How much the same baseline varied between runs: the machine's noise, case by case.
  const spread = (values: number[]) => Math.max(...values) / Math.min(...values) - 1;
  const noisiest = Math.max(...Object.values(pg).map((f) => spread(f.copy)));
  const report = `# Customer import benchmark

Generated by \`npm run bench:import\` on ${new Date().toISOString().slice(0, 10)}.
Machine: ${machine(server.serverVersion)}.
Snapshots of ${ROWS.toLocaleString("en-US")} customers × 11 columns (contact_key + 10 attributes), ${(size / 2 ** 20).toFixed(0)} MiB.
Each figure is the median of ${RUNS} runs on PostgreSQL and ${PGLITE_RUNS} on PGlite; the baseline and the import were measured
in the same run, and each ratio is the median of the runs' own ratios (import ÷ that run's baseline).

## PostgreSQL (baseline: \`psql \\copy\` of the same file into a table with the same typed columns and primary key)

| case | file rows | what the import did | baseline | \`nightjar import customers\` | ratio | target | peak RSS |
|---|---|---|---|---|---|---|---|
${CASES.map((c) => row(c.label, fileRows[c.file] ?? ROWS, pg[c.key], c.key === "removal" ? null : 3)).join("\n")}

The mass-removal case compares a ${REMOVAL_KEEPS.toLocaleString("en-US")}-row file with ${ROWS.toLocaleString("en-US")} customers: its work is
the ${(ROWS - REMOVAL_KEEPS).toLocaleString("en-US")} customers it removes (a history row and a new version each), not the file, so the
\`\\copy\` of its file is no fair baseline; the \`\\copy\` of the ${ROWS.toLocaleString("en-US")}-row first-load file measured in the same runs
(${median(pg.first.copy).toFixed(2)} s) is: the removal takes ${(median(pg.removal.import) / median(pg.first.copy)).toFixed(2)}× that.
The removal guard (\`customers.maxRemovedPercent\`) would refuse this file; it was imported with \`--allow-removals\`.

## PGlite (baseline: a Node process that opens PGlite and COPYs the same file into a keyed table)

| case | file rows | what the import did | baseline | \`nightjar import customers\` | ratio | target | peak RSS |
|---|---|---|---|---|---|---|---|
${row("first load (empty database)", ROWS, pglite.first, null)}
${row("day 2, 5% changed", ROWS, pglite.day2, null)}

Peak RSS of the import process: ${pgRss.toFixed(0)} MB on PostgreSQL (target ≤ 300 MB: ${verdict(pgRss <= 300)}); ${pgliteRss.toFixed(0)} MB on PGlite, whose
database runs inside the process (its WebAssembly heap and buffers count as the import's).
The same baseline varied by up to ${(noisiest * 100).toFixed(0)}% between runs (the machine's noise, which the ratios of the same run absorb).

Per run:
${CASES.map((c) => `- PostgreSQL, ${c.label}: ${perRun(pg[c.key])}`).join("\n")}
- PGlite, first load: ${perRun(pglite.first)}
- PGlite, day 2: ${perRun(pglite.day2)}

The import times are of the whole \`nightjar\` process, as an operator runs it: start-up, config, the file streamed
through the value checks (and, after a first load, the previous snapshot's line fingerprints loaded, so that
unchanged lines are left out of staging) into a staging table with COPY, the repeated-key check, and the
transaction that applies the snapshot with its history. Each case runs on the state the one before left (day 2
after the first load, then the 50% change, then the mass removal); the growth case starts from a database holding
the first ${GROWTH_FROM.toLocaleString("en-US")} customers.
`;
  await mkdir(path.dirname(RESULTS), { recursive: true });
  await writeFile(RESULTS, report);
  if (!process.argv.includes("--keep")) await rm(TMP, { recursive: true, force: true });
  process.stdout.write(report);
}

await main();
