/**
 * Customer model benchmark: `npm run bench:model [-- --customers N --runs N]`.
 *
 * Puts 1,000,000 customers and about 5,000,000 transactions, simulated from BG/NBD-like behaviour
 * (a purchase rate per customer, a chance to drop out after each purchase, first purchases over
 * two years), into PostgreSQL, then times in the same run:
 *   (a) one plain `GROUP BY contact_key` pass over the transactions (the floor),
 *   (b) the whole `nightjar model run` process (summaries, fit, scoring, stages, segments, saving),
 *   (c) the next night's run, which saves over the million scores of (b) in place.
 * Each run starts from an empty model (no fit to reuse). Writes bench/results/model.md.
 * Needs PostgreSQL: DATABASE_URL, or postgres://postgres@127.0.0.1:5432/postgres.
 */
import { mkdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import {
  argument,
  benchServer,
  LineFile,
  machine,
  median,
  rssProbe,
  run,
  SIMULATED_BGNBD,
  writeSimulatedTransactions,
} from "./lib.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const TMP = path.join(ROOT, "bench", "tmp-model");
const RESULTS = path.join(ROOT, "bench", "results", "model.md");
const BENCH_DB = "nightjar_bench_model";
const RUN_DATE = "2026-06-30";
const NEXT_DATE = "2026-07-01";

const CUSTOMERS = argument("customers", 1_000_000);
const RUNS = argument("runs", 3);

/** Writes the transactions CSV; returns how many rows it holds. */
async function generateTransactions(file: string): Promise<number> {
  const out = new LineFile(file);
  const { r, alpha, a, b } = SIMULATED_BGNBD;
  process.stderr.write(`simulating BG/NBD with r=${r} α=${alpha} a=${a} b=${b}\n`);
  const rows = await writeSimulatedTransactions(out, CUSTOMERS, RUN_DATE, ",1");
  await out.close();
  return rows;
}

async function main(): Promise<void> {
  const server = await benchServer(BENCH_DB);
  await run("npm", ["run", "--silent", "build"]);
  await mkdir(TMP, { recursive: true });
  const transactionsFile = path.join(TMP, "transactions.csv");
  process.stderr.write(
    `generating ${CUSTOMERS.toLocaleString("en-US")} customers' transactions…\n`,
  );
  const transactions = await generateTransactions(transactionsFile);

  const config = path.join(TMP, "nightjar.config.json");
  await writeFile(config, JSON.stringify({ schedule: { nightlyAt: "02:00", timeZone: "UTC" } }));
  const probe = await rssProbe(TMP);
  const nightjar = path.join(ROOT, "bin", "nightjar.js");
  const dbEnv = { DATABASE_URL: server.url };
  const psql = (...commands: string[]) =>
    run("psql", [
      "-X",
      "-q",
      "-v",
      "ON_ERROR_STOP=1",
      "-d",
      server.url,
      ...commands.flatMap((c) => ["-c", c]),
    ]);

  process.stderr.write("loading PostgreSQL…\n");
  await server.recreate();
  await run("node", [nightjar, "--config", config, "migrate", "--json"], dbEnv);
  await psql(
    `insert into customers (contact_key, first_seen_on, valid_from, last_import_id)
     select 'C' || lpad(i::text, 7, '0'), date '2024-01-01', date '2024-01-01', 1
     from generate_series(0, ${CUSTOMERS - 1}) i`,
    `\\copy transactions (contact_key, occurred_at, amount, import_id) from '${transactionsFile}' with (format csv)`,
    "vacuum analyze",
    "checkpoint",
  );

  const floor: number[] = [];
  const model: number[] = [];
  const rss: number[] = [];
  const nextNight: number[] = [];
  const nextSaving: number[] = [];
  let last: Record<string, unknown> = {};
  for (let r = 1; r <= RUNS; r++) {
    await psql(
      "truncate model_runs, model_fits, model_segment_clusters, customer_model, customer_model_history",
      "checkpoint",
    );
    const groupBy = await psql(
      "select count(*) from (select contact_key, count(*), sum(amount) from transactions group by contact_key) per_customer",
    );
    floor.push(groupBy.seconds);
    const timed = await run(
      "node",
      [nightjar, "--config", config, "model", "run", "--date", RUN_DATE, "--json"],
      dbEnv,
      probe,
    );
    model.push(timed.seconds);
    rss.push(timed.peakRssMb ?? Number.NaN);
    last = JSON.parse(timed.stdout);
    // The next night: every customer's row exists and is updated in place (no truncate).
    const next = await run(
      "node",
      [nightjar, "--config", config, "model", "run", "--date", NEXT_DATE, "--json"],
      dbEnv,
    );
    nextNight.push(next.seconds);
    nextSaving.push(Number(JSON.parse(next.stdout).timings?.saving ?? Number.NaN));
    process.stderr.write(
      `run ${r}: GROUP BY ${groupBy.seconds.toFixed(2)} s, model run ${timed.seconds.toFixed(2)} s, next night ${next.seconds.toFixed(2)} s, peak RSS ${rss.at(-1)?.toFixed(0)} MB\n`,
    );
  }
  await server.close();

  const fmt = (values: number[]) => values.map((v) => v.toFixed(2)).join(", ");
  const ratios = model.map((m, i) => m / (floor[i] as number));
  const peak = Math.max(...rss);
  const verdict = (ok: boolean) => (ok ? "met" : "**missed**");
  const report = `# Customer model benchmark

Generated by \`npm run bench:model\` on ${new Date().toISOString().slice(0, 10)}.
Machine: ${machine(server.serverVersion)}.
Data: ${CUSTOMERS.toLocaleString("en-US")} customers, ${transactions.toLocaleString("en-US")} transactions simulated from BG/NBD-like behaviour
(one customer in five without a purchase), run date ${RUN_DATE}. Each run starts from an empty model (the fit is made, not reused).

| | median of ${RUNS} | runs | target |
|---|---|---|---|
| floor: one \`GROUP BY contact_key\` pass over the transactions (psql) | ${median(floor).toFixed(2)} s | ${fmt(floor)} | |
| \`nightjar model run\` (whole process) | ${median(model).toFixed(2)} s | ${fmt(model)} | ≤ 60 s (${verdict(median(model) <= 60)}) |
| ratio to the floor | ${median(ratios).toFixed(1)}× | ${fmt(ratios)} | |
| peak RSS of the model run | ${median(rss).toFixed(0)} MB | ${rss.map((v) => v.toFixed(0)).join(", ")} | ≤ 500 MB (${verdict(peak <= 500)}) |
| the next night's run (${NEXT_DATE}), saving over the scores in place | ${median(nextNight).toFixed(2)} s | ${fmt(nextNight)} | |
| … of which saving (1,000,000 rows updated in place, history written) | ${median(nextSaving).toFixed(2)} s | ${fmt(nextSaving)} | |

The save updates \`customer_model\` in place, row by row, so readers of the scores keep reading the
previous night's until it commits (\`test/model-save-locks.test.ts\` checks that no table lock is
taken); the first run's saving inserts into an empty table.

Steps of the last run (seconds): ${Object.entries((last.timings ?? {}) as Record<string, number>)
    .map(([k, v]) => `${k} ${v}`)
    .join(", ")}.

Last run's result: \`${JSON.stringify({ stages: last.stages, segments: last.segments, fit: last.fit })}\`
`;
  await mkdir(path.dirname(RESULTS), { recursive: true });
  await writeFile(RESULTS, report);
  if (!process.argv.includes("--keep")) await rm(TMP, { recursive: true, force: true });
  process.stdout.write(report);
}

await main();
