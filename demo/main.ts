/**
 * `npm run demo`: the whole product on embedded defaults, no server to install. It makes
 * fifteen nights of a shop's life on the bundled SFMC emulator and the embedded database (demo/start.ts,
 * demo/setup.ts), showing its progress, then serves the web app until Ctrl-C.
 *
 *   npm run demo [-- --port 3000] [--folder .demo] [--customers 100000]     (or PORT=3000)
 */
import path from "node:path";
import { parseArgs } from "node:util";
import cliProgress from "cli-progress";
import packageJson from "../package.json" with { type: "json" };
import { stopwatch } from "../src/clock.ts";
import { DEMO_MARKETER, DEMO_SIGN_IN } from "./config.ts";
import type { DemoEvent } from "./setup.ts";
import { startDemo } from "./start.ts";

function fail(message: string): never {
  process.stderr.write(`npm run demo: ${message}\n`);
  process.exit(2);
}

function whole(name: string, value: string | undefined, fallback: number, max: number): number {
  if (value === undefined || value === "") return fallback;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > max)
    fail(`${name} must be a whole number up to ${max}, not "${value}"`);
  return n;
}

const { values } = (() => {
  try {
    return parseArgs({
      options: {
        port: { type: "string" },
        folder: { type: "string" },
        customers: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (error) {
    return fail((error as Error).message);
  }
})();
if (values.help) {
  process.stdout.write(
    "npm run demo [-- --port N] [--folder DIR] [--customers N]\n  --port       port of the web app (Default: $PORT, else 3000)\n  --folder     the demo folder, emptied first (Default: .demo)\n  --customers  customers before the first night (Default: 100000)\n",
  );
  process.exit(0);
}
const port = whole("--port", values.port ?? process.env.PORT, 3000, 65_535);
const customers = whole("--customers", values.customers, 100_000, 1_000_000);
if (customers < 1000) fail("--customers must be at least 1000 (the analysis needs groups)");
const folder = path.resolve(values.folder ?? ".demo");

const out = (line = "") => process.stdout.write(`${line}\n`);
const tty = process.stdout.isTTY === true;
const bars = tty
  ? new cliProgress.MultiBar(
      {
        format: " {bar} {percentage}% | {label} {detail}",
        hideCursor: true,
        clearOnComplete: true,
        autopadding: true,
      },
      cliProgress.Presets.shades_classic,
    )
  : null;
const progress: { bar: cliProgress.SingleBar | null } = { bar: null };
const elapsed = stopwatch();
const seconds = () => `${elapsed().toFixed(0).padStart(3)} s`;

function show(event: DemoEvent): void {
  if (event.type === "phase") {
    if (bars) {
      progress.bar ??= bars.create(event.total, 0, { label: "", detail: "" });
      progress.bar.update(event.done, { label: event.label, detail: "" });
    } else out(`[${seconds()}] ${event.label} …`);
  } else if (event.type === "detail") progress.bar?.update({ detail: `(${event.text})` });
  else if (bars) bars.log(`[${seconds()}] ${event.line}\n`);
  else out(`[${seconds()}]   ${event.line}`);
}

out(`Nightjar demo in ${folder}: embedded PGlite database, bundled SFMC emulator.`);
let demo: Awaited<ReturnType<typeof startDemo>>;
try {
  demo = await startDemo({ folder, port, customers, version: packageJson.version, onEvent: show });
} catch (error) {
  fail((error as Error).message);
}
out(
  `The web app is up at ${demo.url} (GET /api/health says "ready": false until the data is made).`,
);

let stopping = false;
async function stop(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  bars?.stop();
  out(`\n${signal}: stopping the demo …`);
  await demo.close();
  out("The demo stopped. Run `npm run demo` again for a fresh one.");
  process.exit(0);
}
process.on("SIGINT", () => void stop("Ctrl-C"));
process.on("SIGTERM", () => void stop("SIGTERM"));

try {
  const summary = await demo.ready;
  progress.bar?.update(progress.bar.getTotal());
  bars?.stop();
  out(
    `[${seconds()}] The demo is ready: ${summary.customers.toLocaleString("en-US")} customers, ${summary.nights.length} nightly runs, ${summary.campaigns.length - 1} campaigns sent on ${summary.sendDate} and measured for a week, one planned for tonight.`,
  );
  out();
  out(`  Open ${demo.url} and sign in as ${DEMO_SIGN_IN.email}, password ${DEMO_SIGN_IN.password}`);
  out(`  (or as ${DEMO_MARKETER}, same password, to see what a marketer sees).`);
  out(`  Start with Campaigns → "${summary.campaigns[0]?.name}" → Analysis.`);
  out(
    `  The CLI works beside it: NIGHTJAR_CONFIG=${path.relative(process.cwd(), demo.configFile)} SFMC_CLIENT_SECRET=demo-secret npx nightjar analysis ${summary.winBackCampaignId}`,
  );
  out();
  out("Ctrl-C stops it.");
} catch (error) {
  if (!stopping) {
    bars?.stop();
    process.stderr.write(`npm run demo: the set-up failed: ${(error as Error).message}\n`);
    await demo.close();
    process.exit(1);
  }
}
