/**
 * `npm run demo:cli`: the engineer's walk-through of the `nightjar` command on the embedded
 * defaults (`npm run demo` shows the whole product in the web app). In a fresh folder (.demo-cli/)
 * it writes the example config, generates three
 * daily customer snapshots and eighteen months of purchases, imports them, shows a refused file
 * changing nothing, runs the customer model, syncs the push messages from the bundled SFMC
 * emulator, plans a campaign and runs its night against the emulator, shows the campaign's analysis
 * (empty before its window), and reads the history back.
 */
import { spawn, spawnSync } from "node:child_process";
import { once } from "node:events";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { DEMO_CLIENT } from "../emulator/demo-tenant.ts";
import { loadConfig } from "../src/config/load.ts";
import { customersAsOf } from "../src/customers/history.ts";
import { openDatabase } from "../src/db/connect.ts";
import { seededRandom } from "../src/model/stats/simulate.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const WORK = path.join(ROOT, ".demo-cli");
const BIN = path.join(ROOT, "bin", "nightjar.js");
const CUSTOMERS = 20_000;
const COUNTRIES = ["DE", "FR", "AT", "NL", "IT", "ES"];
const NAMES = ["Ann", "Bo", "Cy", "Dana", "Eli", "Fay", "Gus", "Hana"];

const count = (n: number) => n.toLocaleString("en-US");

function say(line = ""): void {
  process.stdout.write(`${line}\n`);
}

/** The secret of the emulator's demo client, as `nightjar init`'s config reads it. */
const DEMO_SECRET = { SFMC_CLIENT_SECRET: DEMO_CLIENT.clientSecret };

/** Runs the real command in the demo folder; the embedded database, not a server. */
function nightjar(args: string[], expectFailure = false): string {
  say(`$ nightjar ${args.join(" ")}`);
  const { DATABASE_URL: _server, NIGHTJAR_CONFIG: _config, ...base } = process.env;
  const env = { ...base, ...DEMO_SECRET };
  const run = spawnSync(process.execPath, [BIN, ...args], { cwd: WORK, env, encoding: "utf8" });
  const output = `${run.stdout}${run.stderr}`.trimEnd();
  say(
    output
      .split("\n")
      .map((line) => `  ${line}`)
      .join("\n"),
  );
  if ((run.status !== 0) !== expectFailure) {
    throw new Error(`nightjar ${args.join(" ")} exited with ${run.status}`);
  }
  return run.stdout;
}

/** Customer i on day d (1–3): a few move country or withdraw consent each day, some leave, some join. */
function customerRow(i: number, day: number): string | undefined {
  if (day >= 2 && i % 250 === 0) return undefined; // left before day 2
  if (i >= CUSTOMERS && i - CUSTOMERS >= (day - 1) * 150) return undefined; // joins later
  const moved = i % 97 === day;
  const country = COUNTRIES[(i + (moved ? day : 0)) % COUNTRIES.length];
  const allowPush = day === 3 && i % 53 === 0 ? "false" : String(i % 7 !== 0);
  const signup = new Date(Date.UTC(2019, 0, 1) + (i % 2000) * 86_400_000)
    .toISOString()
    .slice(0, 10);
  return `C${String(i).padStart(6, "0")},${NAMES[i % NAMES.length]},${country},${signup},${allowPush}`;
}

/**
 * A target group and a campaign for tomorrow morning, the plan of that night, and the nightly
 * run that freezes the list and hands the batches over to the emulator with their SendTimes.
 */
async function nightlyRun(): Promise<void> {
  const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
  say();
  say(`A target group and a campaign for ${tomorrow} at 10:00 UTC, with a 10% control group:`);
  await writeFile(
    path.join(WORK, "group.json"),
    JSON.stringify({
      name: "Germany",
      rule: { all: [{ field: "country", op: "eq", value: "DE" }] },
    }),
  );
  nightjar(["target-groups", "create", "--file", "group.json"]);
  await writeFile(
    path.join(WORK, "campaign.json"),
    JSON.stringify({
      name: "Summer sale DE",
      targetGroupId: 1,
      businessUnit: "100",
      appId: "6f1c3a52-1000-4a6e-9b3d-0000000000a1",
      // NJA_SummerSale of the emulator's demo tenant (base64url of "2:114:0").
      messageId: Buffer.from("2:114:0").toString("base64url"),
      schedule: { type: "once", date: tomorrow },
      sendTime: "10:00",
      timeZone: "UTC",
      controlGroupPercent: 10,
    }),
  );
  nightjar(["campaigns", "create", "--file", "campaign.json"]);
  say();
  say("What that night will send, then the nightly run itself:");
  nightjar(["plan", "--date", tomorrow]);
  nightjar(["run", "--date", tomorrow]);
  say();
  say(
    "Its analysis, test group against control group: empty until the week after the send brings purchases and SFMC's daily delivery reports (nightjar metrics collect):",
  );
  nightjar(["analysis", "1"]);
}

async function writeSnapshot(day: number): Promise<string> {
  const lines = ["contact_key,first_name,country,signup_date,allow_push"];
  for (let i = 0; i < CUSTOMERS + 300; i++) {
    const row = customerRow(i, day);
    if (row) lines.push(row);
  }
  const file = `customers-2026-11-0${day}.csv`;
  await writeFile(path.join(WORK, file), `${lines.join("\n")}\n`);
  return file;
}

/**
 * Eighteen months of purchases for two customers in three: each buys at a rate of their own and
 * may stop after any purchase (what the BG/NBD model assumes), with some $0 purchases and refunds.
 */
function purchaseHistory(): string {
  const rnd = seededRandom(7);
  const end = Date.parse("2026-11-03T00:00:00Z");
  const day = 86_400_000;
  const lines = ["contact_key,occurred_at,amount,transaction_id"];
  for (let i = 0; i < CUSTOMERS; i++) {
    if (rnd() < 0.33) continue;
    const rate = 0.004 + rnd() ** 2 * 0.08; // purchases a day
    const dropout = 0.05 + rnd() * 0.3;
    const spend = 10 + rnd() * 90;
    const purchase = (t: number, n: number) => {
      const roll = rnd();
      const amount = roll < 0.02 ? 0 : roll < 0.04 ? -spend : spend * (0.5 + rnd());
      lines.push(
        `C${String(i).padStart(6, "0")},${new Date(t).toISOString().slice(0, 16).replace("T", " ")},${amount.toFixed(2)},T${i}-${n}`,
      );
    };
    // A first purchase; after each repeat purchase the customer may stop buying.
    let t = end - rnd() * 540 * day;
    purchase(t, 0);
    for (let n = 1; ; n++) {
      t += (-Math.log(1 - rnd()) / rate) * day;
      if (t >= end) break;
      purchase(t, n);
      if (rnd() < dropout) break;
    }
  }
  return `${lines.join("\n")}\n`;
}

/**
 * Starts `nightjar emulator` (the demo tenant) as its own process on a free port and points the
 * demo config at it; the demo's commands then talk to it as they would to SFMC.
 */
async function startEmulator(): Promise<() => Promise<void>> {
  const child = spawn(process.execPath, [BIN, "emulator", "--port", "0", "--json"], {
    cwd: WORK,
    stdio: ["ignore", "pipe", "ignore"],
  });
  const [first] = (await once(child.stdout, "data")) as [Buffer];
  const { url } = JSON.parse(first.toString().split("\n")[0] ?? "{}") as { url: string };
  say(
    `$ nightjar emulator --port 0   # the local SFMC MobilePush emulator, demo tenant, on ${url}`,
  );
  const configFile = path.join(WORK, "nightjar.config.json");
  const config = JSON.parse(await readFile(configFile, "utf8"));
  for (const account of config.sfmc.accounts) account.authBaseUrl = url;
  await writeFile(configFile, `${JSON.stringify(config, null, 2)}\n`);
  return async () => {
    child.kill("SIGTERM");
    await once(child, "close");
  };
}

async function main(): Promise<void> {
  await rm(WORK, { recursive: true, force: true });
  await mkdir(WORK, { recursive: true });
  say(`Nightjar demo in ${WORK} (embedded PGlite database in .demo-cli/.nightjar)`);
  say();
  nightjar(["init"]);
  nightjar(["migrate"]);
  for (const day of [1, 2, 3]) {
    const file = await writeSnapshot(day);
    nightjar(["import", "customers", file, "--date", `2026-11-0${day}`]);
  }
  say();
  say("Importing the day-3 file again is a no-op:");
  nightjar(["import", "customers", "customers-2026-11-03.csv", "--date", "2026-11-03", "--json"]);

  say();
  say("A broken export is refused whole, with every bad line, and changes nothing:");
  const broken = [
    "contact_key,first_name,country,signup_date,allow_push",
    "C000001,Bo,FR,2019-02-30,true",
    "C000002,Cy,DE,2019-01-03,maybe",
    "C000001,Bo,FR,2019-01-02,true",
  ];
  await writeFile(path.join(WORK, "broken.csv"), `${broken.join("\n")}\n`);
  nightjar(
    [
      "import",
      "customers",
      "broken.csv",
      "--date",
      "2026-11-04",
      "--errors-file",
      "broken-errors.csv",
    ],
    true,
  );

  say();
  say(
    "A truncated export (the first 500 lines of day 3) would remove most customers: refused too:",
  );
  const day3 = (await readFile(path.join(WORK, "customers-2026-11-03.csv"), "utf8")).split("\n");
  await writeFile(path.join(WORK, "truncated.csv"), `${day3.slice(0, 501).join("\n")}\n`);
  nightjar(["import", "customers", "truncated.csv", "--date", "2026-11-04"], true);

  say();
  await writeFile(path.join(WORK, "transactions.csv"), purchaseHistory());
  nightjar(["import", "transactions", "transactions.csv"]);
  say("Importing them again skips every transaction it already has:");
  nightjar(["import", "transactions", "transactions.csv"]);

  say();
  say("The customer model: fit, stages, value and micro-segments for every customer:");
  nightjar(["model", "run", "--date", "2026-11-03"]);
  say();
  say("What the model says about the customer base, and about one customer:");
  nightjar(["model", "summary"]);
  nightjar(["customers", "show", "C000099", "--purchases", "3"]);

  say();
  say("SFMC: the configured account, business units and apps, then the usable push messages:");
  const stopEmulator = await startEmulator();
  try {
    nightjar(["sfmc", "check"]);
    nightjar(["sfmc", "sync"]);
    nightjar(["sfmc", "messages"]);
    await nightlyRun();
  } finally {
    await stopEmulator();
  }

  const loaded = await loadConfig({ path: path.join(WORK, "nightjar.config.json"), env: {} });
  const db = await openDatabase(loaded.database);
  try {
    const days = ["2026-11-01", "2026-11-02", "2026-11-03"];
    const states = await Promise.all(days.map((day) => customersAsOf(db.kysely, day)));
    say();
    say("The customer base on each import date, read back from the history:");
    states.forEach((rows, d) => {
      const present = rows.filter((r) => r.present);
      const pushable = present.filter((r) => r.allow_push === true);
      say(
        `  ${days[d]}: ${count(present.length)} customers, ${count(pushable.length)} with push consent`,
      );
    });
    const [day2, day3] = [states[1] ?? [], states[2] ?? []];
    const before = new Map(day2.map((r) => [r.contact_key, r]));
    const withdrew = day3.filter(
      (r) => r.present && r.allow_push === false && before.get(r.contact_key)?.allow_push === true,
    );
    const moved = day3.filter(
      (r) =>
        r.present &&
        before.get(r.contact_key)?.present &&
        before.get(r.contact_key)?.country !== r.country,
    );
    say(
      `  between 2026-11-02 and 2026-11-03: ${withdrew.length} withdrew push consent, ${moved.length} moved country`,
    );
    const example = moved[0];
    if (example) {
      say(
        `  e.g. ${example.contact_key}: ${before.get(example.contact_key)?.country} → ${example.country}`,
      );
    }
  } finally {
    await db.close();
  }
  say();
  say("Done. Try `node bin/nightjar.js --help`, or look around .demo-cli/.");
}

await main();
