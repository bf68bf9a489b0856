/**
 * Analysis benchmark: `npm run bench:analysis [-- --recipients N --runs N --engines pglite,postgres]`.
 *
 * Per engine, in-process: N customers, one frozen occurrence of them all (10% control, stored
 * as the freeze stores it), about 2.4 purchases per customer over the pre-period and 0.3 in the
 * measurement window (SQL generate_series). Each round times `analyzeCampaign` while the window
 * is open (computed from the list), read again with no import since (the kept figures), then
 * once the window has ended its first answer (computed again and kept) and a second one. The baseline, in the same run: one
 * scan that joins the list with its transactions and only counts them — the least any analysis
 * of the list must read.
 * Writes bench/results/analysis.md. PostgreSQL only when DATABASE_URL is set (or asked for).
 */
import { mkdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { sql } from "kysely";
import { type App, createApp } from "../src/app.ts";
import { cliActor } from "../src/audit/audit.ts";
import { TestClock } from "../src/clock.ts";
import { EXAMPLE_CONFIG } from "../src/config/example.ts";
import { configFromObject } from "../src/config/load.ts";
import type { NightjarConfig } from "../src/config/schema.ts";
import { type NightjarDb, openDatabase } from "../src/db/connect.ts";
import { analyzeCampaign } from "../src/metrics/analysis.ts";
import { createTargetGroup } from "../src/targeting/target-groups.ts";
import {
  argument,
  benchServer,
  type Engine,
  engineEnv,
  engineList,
  machine,
  median,
} from "./lib.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const TMP = path.join(ROOT, "bench", "tmp-analysis");
const RESULTS = path.join(ROOT, "bench", "results", "analysis.md");
const BENCH_DB = "nightjar_bench_analysis";
const SEND_DATE = "2026-12-02";

const RECIPIENTS = argument("recipients", 1_000_000);
const RUNS = argument("runs", 3);
const ENGINES = engineList("engines");

/** Seconds `work` takes. */
async function timed(work: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  await work();
  return Number(process.hrtime.bigint() - start) / 1e9;
}

async function openApp(engine: Engine, url: string, dir: string, clock: TestClock) {
  await mkdir(dir, { recursive: true });
  const config = structuredClone(EXAMPLE_CONFIG) as NightjarConfig;
  config.database.dataDir = path.join(dir, "data");
  const file = path.join(dir, "nightjar.config.json");
  await writeFile(file, JSON.stringify(config));
  const loaded = configFromObject(config, { file, env: engineEnv(engine, url) });
  const db: NightjarDb = await openDatabase(loaded.database);
  const app = await createApp({ config: loaded, db, upgrade: true, clock });
  return { app, db };
}

/** The customers, a frozen occurrence of them all, and their purchases. */
async function setUp(app: App, n: number): Promise<number> {
  const db = app.db.kysely;
  await sql`
    insert into customers (contact_key, present, first_seen_on, valid_from, last_import_id, country, allow_push)
    select 'C' || lpad(g::text, 7, '0'), true, '2026-10-01'::date, '2026-10-01'::date, 0, 'DE', true
    from generate_series(1, ${n}::integer) g`.execute(db);
  const group = await createTargetGroup(app, cliActor(), {
    name: "Everyone",
    rule: { field: "contact_key", op: "starts_with", value: "C" },
  });
  const now = app.clock.now();
  const campaign = await db
    .insertInto("campaigns")
    .values({
      name: "Everyone",
      target_group_id: group.id,
      business_unit: "100",
      app_id: "6f1c3a52-1000-4a6e-9b3d-0000000000a1",
      message_id: "bench",
      schedule: JSON.stringify({ type: "once", date: SEND_DATE }),
      send_time: "10:00",
      time_zone: "UTC",
      control_percent: "10",
      priority: 1,
      status: "completed",
      created_at: now,
      updated_at: now,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  const occurrence = await db
    .insertInto("campaign_occurrences")
    .values({
      campaign_id: campaign.id,
      local_date: SEND_DATE,
      run_date: SEND_DATE,
      send_at: new Date(`${SEND_DATE}T10:00:00Z`),
      state: "delivered",
      business_unit: "100",
      app_id: "6f1c3a52-1000-4a6e-9b3d-0000000000a1",
      message_id: "bench",
      budget_key: "demo-client",
      priority: 1,
      exclusive: true,
      control_percent: "10",
      measurement_days: 7,
      reachable: n,
      test: n - Math.floor(n / 10),
      control: Math.floor(n / 10),
      frozen_at: now,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  await sql`
    insert into occurrence_recipients (occurrence_id, contact_key, control)
    select ${occurrence.id}::integer, 'C' || lpad(g::text, 7, '0'), g % 10 = 0
    from generate_series(1, ${n}::integer) g`.execute(db);
  await sql`insert into imports (kind, file_name, file_sha256, rows, inserted, updated, unchanged, removed, started_at)
    values ('transactions', 'bench', 'bench', 0, 0, 0, 0, 0, ${now})`.execute(db);
  // 2.4 purchases per customer over the 28 days before, 0.3 per customer in the week after.
  await sql`
    insert into transactions (contact_key, occurred_at, amount, import_id)
    select 'C' || lpad((1 + abs(hashtext(g::text || 'pre')) % ${n}::integer)::text, 7, '0'),
      '2026-11-04T00:00:00Z'::timestamptz + (g % 2419200) * interval '1 second',
      5 + (g % 97), 1
    from generate_series(1, ${Math.round(n * 2.4)}::integer) g`.execute(db);
  await sql`
    insert into transactions (contact_key, occurred_at, amount, import_id)
    select 'C' || lpad((1 + abs(hashtext(g::text || 'window')) % ${n}::integer)::text, 7, '0'),
      '2026-12-02T00:00:00Z'::timestamptz + (g % 604800) * interval '1 second',
      case when g % 20 = 0 then -10 else 5 + (g % 89) end, 1
    from generate_series(1, ${Math.round(n * 0.3)}::integer) g`.execute(db);
  await sql`analyze`.execute(db);
  return campaign.id;
}

/** The least an analysis must read: the list joined with its transactions, counted. */
async function baselineScan(app: App): Promise<void> {
  await sql`
    select count(*), count(t.contact_key) from occurrence_recipients r
    left join transactions t on t.contact_key = r.contact_key
      and t.occurred_at >= '2026-11-04T00:00:00Z' and t.occurred_at < '2026-12-09T00:00:00Z'`.execute(
    app.db.kysely,
  );
}

interface Figures {
  baseline: number;
  open: number;
  openAgain: number;
  firstEnded: number;
  kept: number;
  verdict: string;
}

async function benchEngine(engine: Engine, url: string): Promise<Figures> {
  const dir = path.join(TMP, engine);
  await rm(dir, { recursive: true, force: true });
  const clock = new TestClock("2026-12-05T03:00:00Z");
  const { app, db } = await openApp(engine, url, dir, clock);
  try {
    process.stderr.write(
      `${engine}: setting up ${RECIPIENTS.toLocaleString("en-US")} recipients…\n`,
    );
    const campaignId = await setUp(app, RECIPIENTS);
    const baseline: number[] = [];
    const open: number[] = [];
    const openAgain: number[] = [];
    const firstEnded: number[] = [];
    const kept: number[] = [];
    let verdict = "";
    for (let round = 1; round <= RUNS; round++) {
      clock.set("2026-12-05T03:00:00Z");
      await db.kysely.deleteFrom("occurrence_analyses").execute();
      baseline.push(await timed(() => baselineScan(app)));
      open.push(await timed(() => analyzeCampaign(app, campaignId)));
      openAgain.push(await timed(() => analyzeCampaign(app, campaignId)));
      clock.set("2026-12-10T03:00:00Z");
      firstEnded.push(await timed(() => analyzeCampaign(app, campaignId)));
      kept.push(
        await timed(async () => {
          verdict = (await analyzeCampaign(app, campaignId)).verdict;
        }),
      );
      process.stderr.write(
        `${engine} round ${round}: baseline ${baseline.at(-1)?.toFixed(2)} s, open ${open.at(-1)?.toFixed(2)} s, again ${openAgain.at(-1)?.toFixed(3)} s, ended ${firstEnded.at(-1)?.toFixed(2)} s, kept ${kept.at(-1)?.toFixed(3)} s\n`,
      );
    }
    return {
      baseline: median(baseline),
      open: median(open),
      openAgain: median(openAgain),
      firstEnded: median(firstEnded),
      kept: median(kept),
      verdict,
    };
  } finally {
    await db.close();
    await rm(dir, { recursive: true, force: true });
  }
}

const server = ENGINES.includes("postgres") ? await benchServer(BENCH_DB) : null;
const results = new Map<Engine, Figures>();
try {
  for (const engine of ENGINES) {
    if (engine === "postgres") await server?.recreate();
    results.set(engine, await benchEngine(engine, server?.url ?? ""));
  }
} finally {
  await server?.close();
}
const label = (e: Engine) => (e === "postgres" ? "PostgreSQL" : "PGlite (embedded)");
const lines = [
  "# Analysis benchmark",
  "",
  `Machine: ${machine(server?.serverVersion ?? "not used")}. ${RECIPIENTS.toLocaleString("en-US")} recipients (10% control), ${Math.round(RECIPIENTS * 2.4).toLocaleString("en-US")} pre-period and ${Math.round(RECIPIENTS * 0.3).toLocaleString("en-US")} window transactions; median of ${RUNS} rounds each. \`npm run bench:analysis\`.`,
  "",
  "| engine | baseline: list ⋈ transactions, counted | analysis, window open | ratio | read again (kept, no import since) | first analysis after the window (computed again, kept) | kept analysis |",
  "| --- | --- | --- | --- | --- | --- | --- |",
  ...[...results].map(
    ([engine, r]) =>
      `| ${label(engine)} | ${r.baseline.toFixed(2)} s | ${r.open.toFixed(2)} s | ${(r.open / r.baseline).toFixed(2)} × | ${(r.openAgain * 1000).toFixed(0)} ms | ${r.firstEnded.toFixed(2)} s | ${(r.kept * 1000).toFixed(0)} ms |`,
  ),
  "",
  `Verdict of the benchmark's data (no effect was built in): ${[...results.values()][0]?.verdict ?? "–"}`,
  "",
];
await mkdir(path.dirname(RESULTS), { recursive: true });
await writeFile(RESULTS, lines.join("\n"));
process.stdout.write(`${lines.join("\n")}\n`);
