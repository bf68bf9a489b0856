/**
 * Targeting benchmark: `npm run bench:targeting [-- --customers N --pglite-customers N --runs N
 * --requests N --engines postgres,pglite --keep]`.
 *
 * Per engine (PostgreSQL, then PGlite): two customer snapshots (2026-09-01, and 2026-11-30 with
 * 5% changed), about 5 transactions per customer up to 2026-11-30 and a model run of 2026-11-30,
 * all loaded with `nightjar` processes. Then, in-process on one handle, each round times:
 *   (a) the floor: a bare `select count(*) from customers`,
 *   (b) `POST /api/target-groups/count` (inject, signed in) of a 6-leaf rule over attributes and
 *       model outputs, and the same rule with one leaf a `purchased` within 30 days,
 *   (c) `computeSizes` of a rule over attributes and lifecycle stage over 90 days (the backfill),
 *   (d) `planNight` of 2026-12-01 with 10 campaigns due, and `nightjar plan` as a process.
 * Each figure is the median of the rounds, beside the floor of the same round (a ratio).
 * Writes bench/results/targeting.md. Needs PostgreSQL: DATABASE_URL, or the local server.
 */
import { mkdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { sql } from "kysely";
import { injectFetch } from "../emulator/inject-fetch.ts";
import { startEmulator } from "../emulator/server.ts";
import { addUser } from "../src/access/users.ts";
import { type App, createApp } from "../src/app.ts";
import { cliActor } from "../src/audit/audit.ts";
import { createCampaign } from "../src/campaigns/campaigns.ts";
import { TestClock } from "../src/clock.ts";
import { EXAMPLE_CONFIG } from "../src/config/example.ts";
import { configFromObject } from "../src/config/load.ts";
import type { NightjarConfig } from "../src/config/schema.ts";
import { openDatabase } from "../src/db/connect.ts";
import { planNight } from "../src/delivery/plan.ts";
import { seededRandom } from "../src/model/stats/simulate.ts";
import { buildServer, type NightjarServer } from "../src/server/server.ts";
import { syncMessages, usableMessages } from "../src/sfmc/sync.ts";
import { computeSizes } from "../src/targeting/sizes.ts";
import { createTargetGroup } from "../src/targeting/target-groups.ts";
import {
  argument,
  benchServer,
  type Engine,
  engineEnv,
  LineFile,
  machine,
  median,
  run,
  writeSimulatedTransactions,
} from "./lib.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const TMP = path.join(ROOT, "bench", "tmp-targeting");
const RESULTS = path.join(ROOT, "bench", "results", "targeting.md");
const NIGHTJAR = path.join(ROOT, "bin", "nightjar.js");
const BENCH_DB = "nightjar_bench_targeting";
const DAY1 = "2026-09-01";
const DAY2 = "2026-11-30";
const NIGHT = "2026-12-01";
const NOW = "2026-11-30T12:00:00Z";
const PASSWORD = "correct horse battery staple";

const CUSTOMERS = argument("customers", 1_000_000);
const PGLITE_CUSTOMERS = argument("pglite-customers", CUSTOMERS);
const RUNS = argument("runs", 3);
const REQUESTS = argument("requests", 20);
const ENGINES = (() => {
  const index = process.argv.indexOf("--engines");
  return (index >= 0 ? String(process.argv[index + 1]) : "postgres,pglite").split(",") as Engine[];
})();

const COUNTRIES = ["DE", "FR", "US", "GB", "IT", "ES", "NL", "PL", "SE", "AT"];

/** The 6-leaf rule over attributes and model outputs. */
const RULE = {
  all: [
    { field: "country", op: "in", value: ["DE", "FR", "IT"] },
    { field: "allow_push", op: "eq", value: true },
    { field: "points", op: "gte", value: 100 },
    { field: "lifecycle_stage", op: "in", value: ["active", "at_risk"] },
    { field: "p_alive", op: "gt", value: 0.3 },
    { field: "signup_date", op: "lt", value: "2026-06-01" },
  ],
};
/** The same with the signup_date leaf replaced by a purchase within 30 days. */
const BEHAVIOUR_RULE = {
  all: [...RULE.all.slice(0, 5), { purchased: { withinDays: 30, minCount: 1 } }],
};
/** The backfill's rule: attributes and lifecycle stage, no scores (the history keeps none). */
const BACKFILL_RULE = { all: [...RULE.all.slice(0, 4), RULE.all[5]] };

/** The benchmark's config: the example's SFMC demo tenant, reached in-process. */
function benchConfig(): NightjarConfig {
  const config = structuredClone(EXAMPLE_CONFIG) as NightjarConfig;
  config.database.dataDir = "pglite-data";
  config.customers.attributes = [
    { name: "country", type: "text", required: false },
    { name: "signup_date", type: "date", required: false },
    { name: "allow_push", type: "boolean", required: true },
    { name: "points", type: "integer", required: false },
    { name: "lifetime_value", type: "numeric", required: false },
  ];
  config.customers.pushConsent = "allow_push";
  for (const account of config.sfmc.accounts) account.authBaseUrl = "http://in-process.emulator/";
  return config;
}

/** A YYYY-MM-DD date `r` of the way through `years` years from 1 January of `fromYear`. */
function date(r: number, fromYear: number, years: number): string {
  const day = new Date(Date.UTC(fromYear, 0, 1) + Math.floor(r * years * 365) * 86_400_000);
  return day.toISOString().slice(0, 10);
}

/** Writes a snapshot of `rows` customers; with `changed`, 5% of them have a new country and points. */
async function generateCustomers(file: string, rows: number, changed: boolean): Promise<void> {
  const out = new LineFile(file);
  const rnd = seededRandom(42);
  const change = seededRandom(7);
  await out.write("contact_key,country,signup_date,allow_push,points,lifetime_value");
  for (let i = 0; i < rows; i++) {
    let country = COUNTRIES[Math.floor(rnd() * COUNTRIES.length)] as string;
    const signup = date(rnd(), 2015, 11.5);
    const push = rnd() < 0.7;
    let points = Math.floor(rnd() * 10_000);
    const value = (rnd() * 5000).toFixed(2);
    if (changed && change() < 0.05) {
      country = COUNTRIES[(COUNTRIES.indexOf(country) + 1) % COUNTRIES.length] as string;
      points += 50;
    }
    await out.write(
      `C${String(i).padStart(7, "0")},${country},${signup},${push},${points},${value}`,
    );
  }
  await out.close();
}

/** Writes BG/NBD-like transactions (as bench/model.ts) up to DAY2; answers how many rows. */
async function generateTransactions(file: string, customers: number): Promise<number> {
  const out = new LineFile(file);
  await out.write("contact_key,occurred_at,amount");
  const rows = await writeSimulatedTransactions(out, customers, DAY2);
  await out.close();
  return rows;
}

/** The generated files of one size. */
interface DataFiles {
  day1: string;
  day2: string;
  transactions: string;
  transactionRows: number;
}

/** Generates (once per size) the two snapshots and the transactions of `customers` customers. */
async function dataFiles(customers: number, cache: Map<number, DataFiles>): Promise<DataFiles> {
  const known = cache.get(customers);
  if (known) return known;
  const name = (what: string) => path.join(TMP, `${what}-${customers}.csv`);
  process.stderr.write(`generating ${customers.toLocaleString("en-US")} customers' files…\n`);
  await generateCustomers(name("customers-day1"), customers, false);
  await generateCustomers(name("customers-day2"), customers, true);
  const transactionRows = await generateTransactions(name("transactions"), customers);
  const files = {
    day1: name("customers-day1"),
    day2: name("customers-day2"),
    transactions: name("transactions"),
    transactionRows,
  };
  cache.set(customers, files);
  return files;
}

/** Loads the data with `nightjar` processes; answers each step's seconds. */
async function loadData(
  engine: Engine,
  files: DataFiles,
  configFile: string,
  env: NodeJS.ProcessEnv,
): Promise<Record<string, number>> {
  const nightjar = (...args: string[]) =>
    run("node", [NIGHTJAR, "--config", configFile, ...args, "--json"], env);
  const steps: Record<string, number> = {};
  const step = async (name: string, ...args: string[]) => {
    steps[name] = (await nightjar(...args)).seconds;
    process.stderr.write(`${engine} ${name}: ${steps[name]?.toFixed(1)} s\n`);
  };
  await step("migrate", "migrate");
  await step(`customers ${DAY1}`, "import", "customers", files.day1, "--date", DAY1);
  await step(`customers ${DAY2} (5% changed)`, "import", "customers", files.day2, "--date", DAY2);
  await step("transactions", "import", "transactions", files.transactions);
  await step(`model run ${DAY2}`, "model", "run", "--date", DAY2);
  return steps;
}

/** The value at `p` (nearest rank) of sorted values. */
function percentile(sorted: number[], p: number): number {
  return sorted[Math.max(0, Math.ceil(sorted.length * p) - 1)] ?? Number.NaN;
}

/** p50 and p95 (ms) of `REQUESTS` timed calls of `call`, after one untimed warm-up call. */
async function latencies(call: () => Promise<unknown>): Promise<{ p50: number; p95: number }> {
  await call();
  const times: number[] = [];
  for (let i = 0; i < REQUESTS; i++) {
    const started = performance.now();
    await call();
    times.push(performance.now() - started);
  }
  times.sort((x, y) => x - y);
  return { p50: percentile(times, 0.5), p95: percentile(times, 0.95) };
}

/** Milliseconds `call` takes once. */
async function timeOnce(call: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await call();
  return performance.now() - started;
}

/** Signs a marketer in; answers a `POST /api/target-groups/count` of a rule (throws unless 200). */
async function countRequester(
  app: App,
  server: NightjarServer,
): Promise<(rule: unknown) => Promise<{ total: number; reachable: number }>> {
  await addUser(app, cliActor(), {
    email: "marketer@example.com",
    role: "marketer",
    password: PASSWORD,
  });
  const signIn = await server.http.inject({
    method: "POST",
    url: "/api/session",
    payload: { email: "marketer@example.com", password: PASSWORD },
  });
  const session = signIn.cookies.find((c) => c.name === "nightjar_session")?.value;
  if (signIn.statusCode !== 200 || !session) throw new Error(`sign-in: ${signIn.body}`);
  const headers = {
    cookie: `nightjar_session=${session}`,
    "x-csrf-token": signIn.json().csrfToken,
  };
  return async (rule) => {
    const response = await server.http.inject({
      method: "POST",
      url: "/api/target-groups/count",
      headers,
      payload: { rule },
    });
    if (response.statusCode !== 200)
      throw new Error(`count: ${response.statusCode} ${response.body}`);
    return response.json();
  };
}

/** Saves 10 target groups (their 90-day backfill included) and 10 campaigns due once on NIGHT. */
async function createNight(app: App): Promise<number> {
  await syncMessages(app, cliActor());
  const messages = await usableMessages(app);
  if (messages.length === 0) throw new Error("no usable push messages after the sync");
  const stages = [["active"], ["active", "at_risk"], ["new", "active", "reactivated"], ["at_risk"]];
  const started = performance.now();
  for (let i = 0; i < 10; i++) {
    const leaves: unknown[] = [
      { field: "country", op: "in", value: [COUNTRIES[i], COUNTRIES[(i + 3) % 10]] },
      { field: "allow_push", op: "eq", value: true },
      { field: "lifecycle_stage", op: "in", value: stages[i % stages.length] },
      { field: "points", op: "gte", value: i * 400 },
    ];
    // On a score, which the history does not keep: no 90-day backfill on saving (timed apart).
    leaves.push({ field: "p_alive", op: "gt", value: 0.1 + i * 0.02 });
    const group = await createTargetGroup(app, cliActor(), {
      name: `bench group ${i + 1}`,
      rule: { all: leaves },
    });
    const message = messages[i % messages.length] as (typeof messages)[number];
    await createCampaign(app, cliActor(), {
      name: `bench campaign ${i + 1}`,
      targetGroupId: group.id,
      businessUnit: message.businessUnit,
      appId: message.appId,
      messageId: message.id,
      schedule: { type: "once", date: NIGHT },
      sendTime: "10:00",
      timeZone: "UTC",
      priority: i + 1,
      exclusive: i % 3 !== 2,
    });
  }
  return (performance.now() - started) / 1000;
}

/** One round's figures (ms). */
interface Round {
  floor: { p50: number; p95: number };
  count: { p50: number; p95: number };
  behaviour: { p50: number; p95: number };
  backfill: number;
  plan: number;
}

/** What one engine measured. */
interface EngineResult {
  engine: Engine;
  customers: number;
  transactions: number;
  setup: Record<string, number>;
  groupsSeconds: number;
  rounds: Round[];
  planProcess: number[];
  answers: Record<string, unknown>;
  explain: Record<string, string>;
}

/** EXPLAIN (ANALYZE) of the count query of a rule, as the count route compiles it. */
async function explainCount(app: App, rule: unknown): Promise<string> {
  const { compileRule } = await import("../src/targeting/compile.ts");
  const { fromAsOf } = await import("../src/targeting/sources.ts");
  const { reachableCondition } = await import("../src/targeting/reachable.ts");
  const { validateRule } = await import("../src/targeting/validate.ts");
  const { attributes } = app.config.customers;
  const checked = await validateRule(rule, { attributes, loadGroupRule: async () => null });
  if (!checked.ok) return `refused: ${JSON.stringify(checked.problems)}`;
  const matches = await compileRule(checked.rule, {
    attributes,
    asOf: DAY2,
    asOfSql: sql`${DAY2}::date`,
    timeZone: app.config.schedule.timeZone,
    loadGroupRule: async () => null,
  });
  // The shape of countTargetGroup's query (src/targeting/count.ts).
  const plan = await sql<Record<string, string>>`explain (analyze, buffers off)
    select count(*) as total, count(*) filter (where ${reachableCondition(app.config)}) as reachable
    from ${fromAsOf(attributes, { customersPast: false, modelPast: false }, sql`${DAY2}::date`)}
    where c.present and ${matches}`.execute(app.db.kysely);
  return plan.rows.map((row) => Object.values(row)[0]).join("\n");
}

/** Sets up one engine and measures it. */
async function measureEngine(
  engine: Engine,
  customers: number,
  url: string,
  cache: Map<number, DataFiles>,
): Promise<EngineResult> {
  const files = await dataFiles(customers, cache);
  const configFile = path.join(TMP, "nightjar.config.json");
  const config = benchConfig();
  await writeFile(configFile, JSON.stringify(config));
  await rm(path.join(TMP, "pglite-data"), { recursive: true, force: true });
  const env = engineEnv(engine, url);
  const setup = await loadData(engine, files, configFile, env);

  const loaded = configFromObject(config, { file: configFile, env });
  const emulator = await startEmulator({ port: 0 });
  const clock = new TestClock(NOW);
  const db = await openDatabase(loaded.database);
  const app = await createApp({
    config: loaded,
    db,
    upgrade: true,
    clock,
    fetch: injectFetch(emulator.app),
  });
  const started = performance.now();
  await sql`vacuum analyze`.execute(db.kysely);
  setup["vacuum analyze"] = (performance.now() - started) / 1000;
  const server = await buildServer(app, { version: "bench" });
  const count = await countRequester(app, server);
  const groupsSeconds = await createNight(app);
  process.stderr.write(`${engine} 10 groups + campaigns: ${groupsSeconds.toFixed(1)} s\n`);

  const floorQuery = () =>
    sql<{ count: string }>`select count(*) from customers`.execute(db.kysely);
  let sizes: Awaited<ReturnType<typeof computeSizes>> = [];
  const backfill = async () => {
    sizes = await computeSizes(db.kysely, app, BACKFILL_RULE, { from: "2026-09-02", to: DAY2 });
  };
  const answers: Record<string, unknown> = {
    customers: Number((await floorQuery()).rows[0]?.count),
    count: await count(RULE),
    behaviour: await count(BEHAVIOUR_RULE),
  };
  const rounds: Round[] = [];
  for (let r = 1; r <= RUNS; r++) {
    const round: Round = {
      floor: await latencies(floorQuery),
      count: await latencies(() => count(RULE)),
      behaviour: await latencies(() => count(BEHAVIOUR_RULE)),
      // Far over its target, the backfill is timed in the first round only (time box).
      backfill:
        r === 1 || (rounds[0]?.backfill ?? 0) < 30_000 ? await timeOnce(backfill) : Number.NaN,
      plan: await timeOnce(() => planNight(app, { date: NIGHT })),
    };
    rounds.push(round);
    process.stderr.write(`${engine} round ${r}: ${JSON.stringify(round)}\n`);
  }
  answers.backfill = { first: sizes[0], last: sizes.at(-1), days: sizes.length };
  const plan = await planNight(app, { date: NIGHT });
  answers.plan = plan.occurrences.map((o) => [
    o.campaignId,
    o.targetGroup.total,
    o.afterPriorities,
  ]);
  const explain = {
    count: await explainCount(app, RULE),
    behaviour: await explainCount(app, BEHAVIOUR_RULE),
  };
  await server.http.close();
  await db.close();
  await emulator.close();

  // The process after the in-process handle is closed (PGlite's folder is one process's).
  const planProcess: number[] = [];
  for (let r = 1; r <= RUNS; r++) {
    const timed = await run(
      "node",
      [NIGHTJAR, "--config", configFile, "plan", "--date", NIGHT, "--json"],
      { ...env, NIGHTJAR_CLOCK: `fixed:${NOW}` },
    );
    planProcess.push(timed.seconds);
  }
  process.stderr.write(
    `${engine} nightjar plan: ${planProcess.map((s) => s.toFixed(2)).join(", ")} s\n`,
  );
  return {
    engine,
    customers,
    transactions: files.transactionRows,
    setup,
    groupsSeconds,
    rounds,
    planProcess,
    answers,
    explain,
  };
}

/** The report's table and notes for the engines measured. */
function report(results: EngineResult[], serverVersion: string): string {
  const ms = (v: number) => (v >= 1000 ? `${(v / 1000).toFixed(2)} s` : `${v.toFixed(1)} ms`);
  const verdict = (ok: boolean) => (ok ? "met" : "**missed**");
  const rowsOf = (r: EngineResult) => {
    const floor = r.rounds.map((x) => x.floor.p50);
    const figure = (pick: (x: Round) => number) => {
      const timed = r.rounds.filter((x) => !Number.isNaN(pick(x)));
      const values = timed.map(pick);
      const ratios = timed.map((x) => pick(x) / x.floor.p50);
      return { value: median(values), values, ratio: median(ratios) };
    };
    return {
      floor: figure((x) => x.floor.p50),
      floor95: figure((x) => x.floor.p95),
      count: figure((x) => x.count.p50),
      count95: figure((x) => x.count.p95),
      behaviour: figure((x) => x.behaviour.p50),
      behaviour95: figure((x) => x.behaviour.p95),
      backfill: figure((x) => x.backfill),
      plan: figure((x) => x.plan),
      planProcess: {
        value: median(r.planProcess) * 1000,
        values: r.planProcess.map((s) => s * 1000),
        ratio: median(r.planProcess.map((s, i) => (s * 1000) / (floor[i] ?? Number.NaN))),
      },
    };
  };
  const lines = [
    "# Targeting benchmark",
    "",
    `Generated by \`npm run bench:targeting\` on ${new Date().toISOString().slice(0, 10)}.`,
    `Machine: ${machine(serverVersion)}.`,
    ...results.map(
      (r) =>
        `Data on ${r.engine === "postgres" ? "PostgreSQL" : "PGlite"}: ${r.customers.toLocaleString("en-US")} customers (snapshots of ${DAY1} and ${DAY2}, 5% changed), ${r.transactions.toLocaleString("en-US")} transactions, one model run of ${DAY2}.`,
    ),
    `Each figure is the median of ${RUNS} rounds (the rounds' values beside it); p50/p95 over ${REQUESTS} in-process requests per round (\`inject\`, signed in as a marketer, one untimed warm-up first; with ${REQUESTS} requests the p95 is the second-slowest). The floor is a bare \`select count(*) from customers\` on the same handle, timed the same way in the same round; each ratio is the median of the rounds' own ratios (figure ÷ that round's floor p50).`,
    "",
  ];
  for (const r of results) {
    const f = rowsOf(r);
    const pg = r.engine === "postgres";
    const target = (limitMs: number, value: number) =>
      pg
        ? `≤ ${ms(limitMs)} (${verdict(value <= limitMs)})`
        : `(PostgreSQL: ≤ ${ms(limitMs)}; ${verdict(value <= limitMs)} here)`;
    const row = (label: string, x: { value: number; values: number[]; ratio: number }, t = "") =>
      `| ${label} | ${ms(x.value)} | ${x.values.map(ms).join(", ")} | ${x.ratio.toFixed(1)}× | ${t} |`;
    lines.push(
      `## ${pg ? "PostgreSQL" : "PGlite (embedded)"} — ${r.customers.toLocaleString("en-US")} customers`,
      "",
      "| | median | rounds | ratio to the floor | target |",
      "|---|---|---|---|---|",
      row("floor: `select count(*) from customers` p50", f.floor, ""),
      row("floor p95", f.floor95, ""),
      row("`POST /api/target-groups/count`, 6-leaf rule, p50", f.count, target(300, f.count.value)),
      row("… p95", f.count95, ""),
      row(
        "… with a `purchased` within 30 days leaf, p50",
        f.behaviour,
        target(1000, f.behaviour.value),
      ),
      row("… p95", f.behaviour95, ""),
      row(
        "90-day size backfill (`computeSizes`, attributes + lifecycle stage)",
        f.backfill,
        target(5000, f.backfill.value),
      ),
      row("`planNight` of 10 campaigns (in-process)", f.plan, target(10_000, f.plan.value)),
      row(
        "`nightjar plan --date 2026-12-01 --json` (process)",
        f.planProcess,
        target(10_000, f.planProcess.value),
      ),
      "",
      `Setup (seconds): ${Object.entries(r.setup)
        .map(([k, v]) => `${k} ${v.toFixed(1)}`)
        .join(
          ", ",
        )}; 10 target groups (each on p_alive, so no backfill on saving) and 10 campaigns ${r.groupsSeconds.toFixed(1)}.`,
      "",
      `Answers: \`${JSON.stringify(r.answers)}\``,
      "",
      "<details><summary>EXPLAIN ANALYZE of the count queries</summary>",
      "",
      "```",
      r.explain.count ?? "",
      "```",
      "",
      "```",
      r.explain.behaviour ?? "",
      "```",
      "",
      "</details>",
      "",
    );
  }
  lines.push(
    `The backfill is timed as \`computeSizes\` (src/targeting/sizes.ts) of 2026-09-02 to ${DAY2} directly; \`createTargetGroup\` runs the same after saving. There is one model run (${DAY2}), so on earlier days no customer has a stage and the backfill's rule matches nobody there; the query reads every customer and model version in the range all the same (by interval arithmetic: each version once, not once per day). The databases were \`vacuum analyze\`d after loading.`,
    "",
  );
  return lines.join("\n");
}

/** Runs the engines asked for and writes the report. */
async function main(): Promise<void> {
  const server = await benchServer(BENCH_DB);
  await run("npm", ["run", "--silent", "build"]);
  await mkdir(TMP, { recursive: true });
  const cache = new Map<number, DataFiles>();
  const results: EngineResult[] = [];
  try {
    for (const engine of ENGINES) {
      if (engine === "postgres") await server.recreate();
      const size = engine === "postgres" ? CUSTOMERS : PGLITE_CUSTOMERS;
      try {
        results.push(await measureEngine(engine, size, server.url, cache));
      } catch (error) {
        // One engine failing should not lose the other's figures.
        process.stderr.write(`${engine} failed: ${(error as Error).stack}\n`);
      }
    }
  } finally {
    await server.close();
    if (!process.argv.includes("--keep")) await rm(TMP, { recursive: true, force: true });
  }
  const text = report(results, server.serverVersion);
  await mkdir(path.dirname(RESULTS), { recursive: true });
  await writeFile(RESULTS, text);
  process.stdout.write(text);
}

await main();
