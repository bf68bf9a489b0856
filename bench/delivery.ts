/**
 * Delivery benchmark: `npm run bench:delivery [-- --recipients N --night N --runs N
 * --engines pglite,postgres --night-engines pglite,postgres --keep]`.
 *
 * The SFMC emulator runs as its own process (`nightjar emulator --port 0`), reached over loopback.
 *   Part 1 (throughput), per engine: N customers (SQL generate_series), one campaign of them all
 *   (0% control), the send budget lifted in Nightjar and the emulator; in-process, each round
 *   times `freezeNight` + `deliverNight` (the SFMC client over HTTP), then the baseline: the
 *   emulator alone answering the same calls (the same bodies, token, `maxInFlight` at once).
 *   Fresh emulator state (`POST /_emulator/reset`) and no delivery rows before each.
 *   Part 2 (budget use), per engine: 1,000,000 customers, the default budget (250,000 / 30 min)
 *   in both, the emulator's clock frozen at 2026-12-02T02:00Z, send time 10:00 UTC; the night
 *   runs as `nightjar run --date 2026-12-02 --json` on the emulator's clock; its peak RSS is read
 *   at its exit. The emulator's sends then say when the last batch executes and whether any send
 *   waited for the budget.
 * Writes bench/results/delivery.md. PostgreSQL only when DATABASE_URL is set (or asked for).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { sql } from "kysely";
import { type App, createApp } from "../src/app.ts";
import { cliActor } from "../src/audit/audit.ts";
import { createCampaign } from "../src/campaigns/campaigns.ts";
import { TestClock } from "../src/clock.ts";
import { EXAMPLE_CONFIG } from "../src/config/example.ts";
import { configFromObject } from "../src/config/load.ts";
import type { NightjarConfig } from "../src/config/schema.ts";
import { type NightjarDb, openDatabase } from "../src/db/connect.ts";
import { deliverNight } from "../src/delivery/deliver.ts";
import { freezeNight } from "../src/delivery/freeze.ts";
import { syncMessages, usableMessages } from "../src/sfmc/sync.ts";
import { createTargetGroup } from "../src/targeting/target-groups.ts";
import { formatSendTime } from "../src/time/sfmc-time.ts";
import {
  argument,
  benchServer,
  type Engine,
  engineEnv,
  engineList,
  machine,
  median,
  rssProbe,
  run,
  SFMC_SECRET,
} from "./lib.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const TMP = path.join(ROOT, "bench", "tmp-delivery");
const RESULTS = path.join(ROOT, "bench", "results", "delivery.md");
const NIGHTJAR = path.join(ROOT, "bin", "nightjar.js");
const BENCH_DB = "nightjar_bench_delivery";
const NIGHT = "2026-12-02";
const NIGHT_START = "2026-12-02T02:00:00Z";
const SEND_AT = "2026-12-02T10:00:00Z";
const SHOP_IOS = "6f1c3a52-1000-4a6e-9b3d-0000000000a1";
const LIFTED = 100_000_000;
const BUDGET = { recipients: 250_000, perMinutes: 30 };
const MINUTE = 60_000;

const RECIPIENTS = argument("recipients", 250_000);
const NIGHT_RECIPIENTS = argument("night", 1_000_000);
const RUNS = argument("runs", 3);
const ENGINES = engineList("engines");
const NIGHT_ENGINES = engineList("night-engines");

/** The emulator process and its URL. */
interface Emulator {
  url: string;
  child: ChildProcess;
  call(method: string, route: string, body?: unknown): Promise<unknown>;
}

/** Starts `nightjar emulator --port 0 --json` and reads its URL from its first line. */
async function startEmulatorProcess(): Promise<Emulator> {
  const child = spawn(
    "node",
    [NIGHTJAR, "emulator", "--port", "0", "--json", "--log-level", "silent"],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const first = await new Promise<string>((resolve, reject) => {
    lines.once("line", resolve);
    child.once("exit", (code) => reject(new Error(`the emulator exited with ${code}`)));
  });
  const url = (JSON.parse(first) as { url: string }).url;
  const call = async (method: string, route: string, body?: unknown) => {
    const answer = await fetch(new URL(route, url), {
      method,
      ...(body === undefined
        ? {}
        : { headers: { "content-type": "application/json" }, body: JSON.stringify(body) }),
    });
    if (!answer.ok) throw new Error(`${method} ${route}: ${answer.status} ${await answer.text()}`);
    return answer.json();
  };
  return { url, child, call };
}

/** Fresh emulator state, its clock frozen at the night, with `budget`. */
async function resetEmulator(emulator: Emulator, recipients: number): Promise<void> {
  await emulator.call("POST", "_emulator/reset", {});
  await emulator.call("POST", "_emulator/clock", { set: NIGHT_START, mode: "frozen" });
  await emulator.call("PATCH", "_emulator/behaviour", {
    budget: { recipients, perMinutes: BUDGET.perMinutes },
  });
}

/** The example's demo tenant on the emulator process, with a send budget of `recipients`. */
function benchConfig(url: string, recipients: number, dataDir: string): NightjarConfig {
  const config = structuredClone(EXAMPLE_CONFIG) as NightjarConfig;
  config.database.dataDir = dataDir;
  for (const account of config.sfmc.accounts) {
    account.authBaseUrl = url;
    account.sendBudget = { recipients, perMinutes: BUDGET.perMinutes, reservePercent: 0 };
  }
  return config;
}

/** Opens the engine's database with `config` written to `dir`, migrated, on a clock at the night. */
async function openApp(
  engine: Engine,
  dbUrl: string,
  dir: string,
  config: NightjarConfig,
): Promise<{ app: App; db: NightjarDb; configFile: string }> {
  await mkdir(dir, { recursive: true });
  const configFile = path.join(dir, "nightjar.config.json");
  await writeFile(configFile, JSON.stringify(config));
  const loaded = configFromObject(config, { file: configFile, env: engineEnv(engine, dbUrl) });
  const db = await openDatabase(loaded.database);
  const app = await createApp({
    config: loaded,
    db,
    upgrade: true,
    clock: new TestClock(NIGHT_START),
  });
  return { app, db, configFile };
}

/**
 * Puts `n` present customers C0000001… with push consent in (generate_series), syncs the demo
 * messages, and saves a group of them all and a campaign of it: once on the night, 10:00 UTC,
 * no control group.
 */
async function setUpNight(app: App, n: number): Promise<void> {
  await sql`
    insert into customers (contact_key, present, first_seen_on, valid_from, last_import_id, country, allow_push)
    select 'C' || lpad(g::text, 7, '0'), true, '2026-11-01'::date, '2026-11-01'::date, 0,
      case when g % 2 = 0 then 'DE' else 'FR' end, true
    from generate_series(1, ${n}::integer) g`.execute(app.db.kysely);
  await sql`analyze customers`.execute(app.db.kysely);
  await syncMessages(app, cliActor());
  const message = (await usableMessages(app)).find((m) => m.appId === SHOP_IOS);
  if (!message) throw new Error("no usable Shop iOS message after the sync");
  const group = await createTargetGroup(app, cliActor(), {
    name: "Everyone",
    rule: { field: "contact_key", op: "starts_with", value: "C" },
  });
  await createCampaign(app, cliActor(), {
    name: "Everyone",
    targetGroupId: group.id,
    businessUnit: message.businessUnit,
    appId: message.appId,
    messageId: message.id,
    schedule: { type: "once", date: NIGHT },
    sendTime: "10:00",
    timeZone: "UTC",
    controlGroupPercent: 0,
  });
}

/** The emulator's accepted sends (without keys). */
interface Send {
  sendTime: string | null;
  requestedAt: string;
  executeAt: string;
  budgetDelaySeconds: number;
  count: number;
}
async function sends(emulator: Emulator): Promise<Send[]> {
  return ((await emulator.call("GET", "_emulator/sends?keys=false")) as { items: Send[] }).items;
}

/** One round of part 1. */
interface Round {
  freeze: number;
  deliver: number;
  baseline: number;
  sends: number;
  baselineSends: number;
}

/**
 * The baseline: the emulator alone taking `bodies` (the pipeline's own send bodies) with one
 * token, `inFlight` calls at once, as the client would; answers seconds.
 */
async function emulatorAlone(
  emulator: Emulator,
  messageId: string,
  bodies: string[],
  inFlight: number,
): Promise<number> {
  const started = performance.now();
  const token = await fetch(new URL("v2/token", emulator.url), {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      grant_type: "client_credentials",
      client_id: "demo-client",
      client_secret: SFMC_SECRET,
      account_id: 100,
    }),
  });
  const { access_token } = (await token.json()) as { access_token: string };
  const route = new URL(
    `push/v1/messageContact/${encodeURIComponent(messageId)}/send`,
    emulator.url,
  );
  let next = 0;
  const worker = async () => {
    while (next < bodies.length) {
      const body = bodies[next++] as string;
      const answer = await fetch(route, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${access_token}` },
        body,
      });
      if (answer.status !== 202) throw new Error(`baseline send: ${answer.status}`);
      await answer.json();
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  return (performance.now() - started) / 1000;
}

/** Empties the night's delivery rows and schedules the campaign again, for the next round. */
async function forgetNight(app: App): Promise<void> {
  const db = app.db.kysely;
  await sql`delete from send_batches`.execute(db);
  await sql`delete from occurrence_recipients`.execute(db);
  await sql`delete from campaign_occurrences`.execute(db);
  await sql`update campaigns set status = 'scheduled'`.execute(db);
}

/** Part 1 on one engine. */
async function throughput(engine: Engine, dbUrl: string, emulator: Emulator): Promise<Round[]> {
  const dir = path.join(TMP, `throughput-${engine}`);
  await rm(dir, { recursive: true, force: true });
  await resetEmulator(emulator, LIFTED);
  const { app, db } = await openApp(
    engine,
    dbUrl,
    dir,
    benchConfig(emulator.url, LIFTED, "pglite"),
  );
  const rounds: Round[] = [];
  try {
    await setUpNight(app, RECIPIENTS);
    const inFlight = app.config.sfmc.accounts[0]?.maxInFlight ?? 1;
    for (let r = 1; r <= RUNS; r++) {
      await forgetNight(app);
      await resetEmulator(emulator, LIFTED);
      let started = performance.now();
      const frozen = await freezeNight(app, { date: NIGHT });
      const freeze = (performance.now() - started) / 1000;
      started = performance.now();
      const delivered = await deliverNight(app, { date: NIGHT, runId: null });
      const deliver = (performance.now() - started) / 1000;
      const test = frozen.frozen.reduce((n, o) => n + o.test, 0);
      if (test !== RECIPIENTS || delivered.sent !== Math.ceil(RECIPIENTS / 5000))
        throw new Error(`round ${r}: ${test} frozen, ${JSON.stringify(delivered)}`);
      const pipelineSends = (await sends(emulator)).length;
      // The same calls again, straight at a fresh emulator: the bodies the client sent.
      const batches = await db.kysely
        .selectFrom("send_batches as b")
        .innerJoin("campaign_occurrences as o", "o.id", "b.occurrence_id")
        .select(["b.contact_keys", "b.send_at", "o.message_id"])
        .orderBy("b.seq")
        .execute();
      const bodies = batches.map((b) =>
        JSON.stringify({ SubscriberKeys: b.contact_keys, SendTime: formatSendTime(b.send_at) }),
      );
      await resetEmulator(emulator, LIFTED);
      const baseline = await emulatorAlone(
        emulator,
        batches[0]?.message_id as string,
        bodies,
        inFlight,
      );
      const baselineSends = (await sends(emulator)).length;
      const round = { freeze, deliver, baseline, sends: pipelineSends, baselineSends };
      rounds.push(round);
      process.stderr.write(`${engine} round ${r}: ${JSON.stringify(round)}\n`);
    }
  } finally {
    await db.close();
  }
  return rounds;
}

/** What part 2 measured on one engine. */
interface NightResult {
  engine: Engine;
  setupSeconds: number;
  seconds: number;
  peakRssMb: number;
  /** Peak RSS of `nightjar migrate` on the same database: a process that only opens it. */
  floorRssMb: number;
  steps: { step: string; status: string }[];
  sends: number;
  recipients: number;
  /** The run's own account: batches, sent, unknown, failed. */
  batches: { batches: number; sent: number; unknown: number; failed: number };
  lastExecuteAt: string;
  maxBudgetDelay: number;
  maxLateness: number;
}

/** Part 2 on one engine: the 1,000,000-recipient night as a `nightjar run` process. */
async function night(engine: Engine, dbUrl: string, emulator: Emulator): Promise<NightResult> {
  const dir = path.join(TMP, `night-${engine}`);
  await rm(dir, { recursive: true, force: true });
  await resetEmulator(emulator, BUDGET.recipients);
  const config = benchConfig(emulator.url, BUDGET.recipients, "pglite");
  const started = performance.now();
  const { app, db, configFile } = await openApp(engine, dbUrl, dir, config);
  try {
    await setUpNight(app, NIGHT_RECIPIENTS);
  } finally {
    await db.close();
  }
  const setupSeconds = (performance.now() - started) / 1000;
  process.stderr.write(`${engine} night set up in ${setupSeconds.toFixed(1)} s\n`);
  // The set-up's token and sync are not the night's: the emulator starts it fresh.
  await resetEmulator(emulator, BUDGET.recipients);
  const timed = await run(
    "node",
    [NIGHTJAR, "--config", configFile, "run", "--date", NIGHT, "--json"],
    { ...engineEnv(engine, dbUrl), NIGHTJAR_CLOCK: `emulator:${emulator.url}` },
    await rssProbe(dir),
  );
  const report = JSON.parse(timed.stdout) as {
    status: string;
    steps: NightResult["steps"];
    campaigns: {
      recipients: number;
      batches: number;
      sent: number;
      unknownBatches: number;
      failed: number;
    }[];
  };
  if (report.status !== "completed") throw new Error(`the night ended ${report.status}`);
  const accepted = await sends(emulator);
  // The floor: the same binary opening the same database with nothing to do.
  const floor = await run(
    "node",
    [NIGHTJAR, "--config", configFile, "migrate", "--json"],
    engineEnv(engine, dbUrl),
    await rssProbe(dir),
  );
  const last = new Date(Math.max(...accepted.map((s) => Date.parse(s.executeAt)))).toISOString();
  const result: NightResult = {
    engine,
    setupSeconds,
    seconds: timed.seconds,
    peakRssMb: timed.peakRssMb ?? Number.NaN,
    floorRssMb: floor.peakRssMb ?? Number.NaN,
    steps: report.steps.map((s) => ({ step: s.step, status: s.status })),
    sends: accepted.length,
    recipients: report.campaigns.reduce((n, c) => n + c.recipients, 0),
    batches: {
      batches: report.campaigns.reduce((n, c) => n + c.batches, 0),
      sent: report.campaigns.reduce((n, c) => n + c.sent, 0),
      unknown: report.campaigns.reduce((n, c) => n + c.unknownBatches, 0),
      failed: report.campaigns.reduce((n, c) => n + c.failed, 0),
    },
    lastExecuteAt: last,
    maxBudgetDelay: Math.max(...accepted.map((s) => s.budgetDelaySeconds)),
    maxLateness: Math.max(
      ...accepted.map((s) => (Date.parse(s.executeAt) - Date.parse(s.requestedAt)) / 1000),
    ),
  };
  process.stderr.write(`${engine} night: ${JSON.stringify(result)}\n`);
  return result;
}

/** The report. */
function report(
  throughputs: { engine: Engine; rounds: Round[] }[],
  nights: NightResult[],
  serverVersion: string | null,
): string {
  const rate = (n: number, s: number) => Math.round(n / s);
  const num = (v: number) => v.toLocaleString("en-US");
  const verdict = (ok: boolean) => (ok ? "met" : "**missed**");
  const label = (e: Engine) => (e === "postgres" ? "PostgreSQL" : "PGlite (embedded)");
  const batches = Math.ceil(RECIPIENTS / 5000);
  const lines = [
    "# Delivery benchmark",
    "",
    `Generated by \`npm run bench:delivery\` on ${new Date().toISOString().slice(0, 10)}.`,
    `Machine: ${machine(serverVersion ?? "not used")}.`,
    "The SFMC emulator runs as its own process (`nightjar emulator --port 0`), reached over loopback HTTP.",
    "",
    `## Throughput, budget lifted: ${num(RECIPIENTS)} recipients, ${batches} batches of 5,000`,
    "",
    `One campaign of every customer (0% control); the send budget lifted to ${num(LIFTED)} per 30 min in Nightjar's config and the emulator (\`PATCH /_emulator/behaviour\`). Each round, in-process: \`freezeNight\` (recipient list + batches, one transaction), then \`deliverNight\` (every batch written \`sending\`, handed to the emulator by the SFMC client over HTTP, \`maxInFlight\` 4, marked \`sent\`). The baseline, in the same round: the emulator alone answering the same calls — the same ${batches} \`POST /push/v1/messageContact/{id}/send\` bodies (5,000 \`SubscriberKeys\` and the \`SendTime\` each), one token, 4 at once, from the bench process with \`fetch\`. The emulator is reset (\`POST /_emulator/reset\`) before the pipeline and before the baseline. Median of ${RUNS} rounds; the ratio is the median of the rounds' own ratios (pipeline rate ÷ baseline rate).`,
    "",
    "| engine | freeze | deliver | freeze + deliver | pipeline | emulator alone | ratio | target |",
    "|---|---|---|---|---|---|---|---|",
  ];
  for (const { engine, rounds } of throughputs) {
    const total = rounds.map((r) => r.freeze + r.deliver);
    const pipeline = median(total.map((s) => rate(RECIPIENTS, s)));
    const baseline = median(rounds.map((r) => rate(RECIPIENTS, r.baseline)));
    const ratio = median(rounds.map((r) => r.baseline / (r.freeze + r.deliver)));
    const secs = (v: number[]) =>
      `${median(v).toFixed(2)} s (${v.map((x) => x.toFixed(2)).join(", ")})`;
    lines.push(
      `| ${label(engine)} | ${secs(rounds.map((r) => r.freeze))} | ${secs(rounds.map((r) => r.deliver))} | ${secs(total)} | ${num(pipeline)} recipients/s | ${num(baseline)} recipients/s (${secs(rounds.map((r) => r.baseline))}) | ${(ratio * 100).toFixed(0)}% of the emulator's rate | ≥ 5,000 recipients/s (${verdict(pipeline >= 5000)}) |`,
    );
  }
  const windows = Math.ceil(NIGHT_RECIPIENTS / BUDGET.recipients);
  const earliestMs = Date.parse(SEND_AT) + (windows - 1) * BUDGET.perMinutes * MINUTE;
  lines.push(
    "",
    `## Budget use, default budget: a ${num(NIGHT_RECIPIENTS)}-recipient night on one account`,
    "",
    `${num(NIGHT_RECIPIENTS)} customers, one campaign of them all (0% control), send time 10:00 UTC on ${NIGHT}; the default budget (${num(BUDGET.recipients)} per ${BUDGET.perMinutes} min) in Nightjar and the emulator; the emulator's clock frozen at ${NIGHT_START}. The night runs as \`node bin/nightjar.js run --date ${NIGHT} --json\` with \`NIGHTJAR_CLOCK=emulator:<url>\` (every step: sync, imports skipped, group sizes, plan, freeze, deliver, retention); its peak RSS is \`process.resourceUsage().maxRSS\` at its exit. The earliest time the budget allows the last batch: send time + (⌈${num(NIGHT_RECIPIENTS)} / ${num(BUDGET.recipients)}⌉ − 1) × ${BUDGET.perMinutes} min = ${new Date(earliestMs).toISOString().slice(11, 16)} UTC. Budget use = (earliest − send time) ÷ (last executeAt − send time). One run per engine (its figures are not timings against a target but the emulator's record).`,
    "",
    "| engine | recipients frozen | batches: sent / unknown / failed | sends the emulator accepted | last batch executes | budget use | max `budgetDelaySeconds` | peak RSS | floor: `nightjar migrate` | run wall time | set-up (not timed in the run) |",
    "|---|---|---|---|---|---|---|---|---|---|---|",
  );
  for (const n of nights) {
    const lastMs = Date.parse(n.lastExecuteAt);
    const use = (earliestMs - Date.parse(SEND_AT)) / (lastMs - Date.parse(SEND_AT));
    lines.push(
      `| ${label(n.engine)} | ${num(n.recipients)} | ${n.batches.batches}: ${n.batches.sent} / ${n.batches.unknown} / ${n.batches.failed} | ${n.sends} | ${n.lastExecuteAt.slice(11, 16)} UTC | ${(use * 100).toFixed(1)}% (≥ 98%: ${verdict(use >= 0.98)}) | ${n.maxBudgetDelay} s (0: ${verdict(n.maxBudgetDelay === 0)}) | ${n.peakRssMb.toFixed(0)} MB (≤ 300 MB: ${verdict(n.peakRssMb <= 300)}) | ${n.floorRssMb.toFixed(0)} MB (run − floor: ${(n.peakRssMb - n.floorRssMb).toFixed(0)} MB) | ${n.seconds.toFixed(1)} s | ${n.setupSeconds.toFixed(1)} s |`,
    );
  }
  lines.push(
    "",
    ...nights.map(
      (n) =>
        `Steps on ${label(n.engine)}: ${n.steps.map((s) => `${s.step} ${s.status}`).join(", ")}; longest execute − requested: ${n.maxLateness} s.`,
    ),
    "",
    ...nights
      .filter((n) => n.batches.unknown > 0)
      .map(
        (n) =>
          `**On ${label(n.engine)}, ${n.batches.unknown} batch(es) ended \`unknown\`** (${n.batches.batches - n.sends} of the batches never reached the emulator's record): their calls failed with UND_ERR_SOCKET ("connection failed after the request started", logged by the run), so at-most-once leaves them to the operator. Likely cause: the freeze on PGlite runs on the run's main thread and blocks its event loop longer than the emulator's keep-alive timeout (Fastify's default, 72 s), so the first sends after it go out on pooled connections from the sync step that the server has closed meanwhile.\n`,
      ),
    "The floor is the peak RSS of `nightjar migrate --json` (the same bundle, config and database, nothing to migrate), measured right after the night: what opening the database costs before any work. On PGlite it is the embedded engine itself — the WebAssembly instance and its memory, which grows as pages pass through its `shared_buffers` (32 MB, src/db/pglite.ts) and never shrinks — so the run's own share is the difference. The steps' start and end in `nightly_run_steps` are on the run's clock (the emulator's, frozen), so their difference reads 0 here (each step's `counts.seconds` is the machine's time); part 1 times `freezeNight` and `deliverNight` on a monotonic timer.",
    "",
  );
  return lines.join("\n");
}

/** Runs both parts on the engines asked for and writes the report. */
async function main(): Promise<void> {
  const wantsPostgres = [...ENGINES, ...NIGHT_ENGINES].includes("postgres");
  const server = wantsPostgres ? await benchServer(BENCH_DB) : null;
  await run("npm", ["run", "--silent", "build"]);
  await mkdir(TMP, { recursive: true });
  const emulator = await startEmulatorProcess();
  const throughputs: { engine: Engine; rounds: Round[] }[] = [];
  const nights: NightResult[] = [];
  try {
    for (const engine of ENGINES) {
      if (engine === "postgres") await server?.recreate();
      throughputs.push({ engine, rounds: await throughput(engine, server?.url ?? "", emulator) });
    }
    for (const engine of NIGHT_ENGINES) {
      if (engine === "postgres") await server?.recreate();
      nights.push(await night(engine, server?.url ?? "", emulator));
    }
  } finally {
    emulator.child.kill("SIGTERM");
    await server?.close();
    if (!process.argv.includes("--keep")) await rm(TMP, { recursive: true, force: true });
  }
  const text = report(throughputs, nights, server?.serverVersion ?? null);
  await mkdir(path.dirname(RESULTS), { recursive: true });
  await writeFile(RESULTS, text);
  process.stdout.write(text);
}

await main();
