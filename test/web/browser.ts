/**
 * The web app in a real browser: Debian's Chromium (/usr/bin/chromium, installed by .ci/run)
 * driven by playwright-core, against the API server listening on a free port, on PGlite with
 * the bundled emulator's demo tenant synced. Screenshots go to test-results/ (ignored by git).
 */
import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, beforeEach } from "vitest";
import type { EmulatorOptions, RunningEmulator } from "../../emulator/server.ts";
import { useEmulator } from "../../emulator/test-helpers.ts";
import type { Role } from "../../src/access/roles.ts";
import type { NightjarConfig } from "../../src/config/schema.ts";
import { webAppFolder } from "../../src/server/web-app.ts";
import { type CampaignFixture, campaignFixture } from "../helpers/campaigns.ts";
import { openTestDatabase, type TestDatabase } from "../helpers/engines.ts";
import { PASSWORD } from "../helpers/server.ts";

export const CHROMIUM = "/usr/bin/chromium";
const SHOTS = fileURLToPath(new URL("../../test-results/", import.meta.url));

/** The app at `url`, its fixture, and a fresh browser page per test. */
export interface WebTest {
  url: string;
  f: CampaignFixture;
  /** The in-process SFMC emulator the app sends to (its admin API: sends, faults). */
  emulator: RunningEmulator;
  page: Page;
  /** Signs in through the sign-in page as a new user of `role`; answers the email. */
  signInAs(role: Role): Promise<string>;
  /** Saves a full-page screenshot as test-results/<name>.png. */
  shot(name: string): Promise<string>;
}

/**
 * Sets up the browser, the server and the fixture for the file's tests; `emulator` starts the
 * file's emulator (e.g. a `sleep` that holds `slow` faults), `prepare` changes its tenant before
 * each test's fixture syncs it, `config` changes the app's config.
 */
export function useWebApp(
  options: {
    emulator?: EmulatorOptions;
    prepare?: (emulator: RunningEmulator) => Promise<void>;
    config?: (config: NightjarConfig) => void;
  } = {},
): () => WebTest {
  const emulator = useEmulator(options.emulator);
  let browser: Browser;
  let database: TestDatabase;
  let current: WebTest | undefined;
  let users = 0;
  beforeAll(async () => {
    if (!existsSync(CHROMIUM))
      throw new Error(
        `the browser tests need Debian's Chromium at ${CHROMIUM}: apt-get install -y chromium (.ci/run does)`,
      );
    if (!webAppFolder())
      throw new Error("the web app is not built (dist/web): run npm run build (npm ci does)");
    await mkdir(SHOTS, { recursive: true });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      // The machine's network is closed: no background calls, no component updates.
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
  });
  afterAll(async () => {
    await browser?.close();
  });
  beforeEach(async () => {
    database = await openTestDatabase("pglite");
    await options.prepare?.(emulator());
    const f = await campaignFixture(
      database.db,
      emulator(),
      options.config ? { config: options.config } : {},
    );
    await f.t.server.http.listen({ host: "127.0.0.1", port: 0 });
    const address = f.t.server.http.server.address();
    const port = typeof address === "object" && address ? address.port : 0;
    const url = `http://127.0.0.1:${port}`;
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    current = {
      url,
      f,
      emulator: emulator(),
      page,
      async signInAs(role) {
        users += 1;
        const email = `${role}${users}@example.com`;
        await f.t.addUser(email, role);
        await page.goto(`${url}/sign-in`);
        await page.getByLabel("Email", { exact: true }).fill(email);
        await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
        await page.getByRole("button", { name: "Sign in" }).click();
        await page.getByRole("button", { name: "Sign out" }).waitFor();
        return email;
      },
      async shot(name) {
        const file = path.join(SHOTS, `${name}.png`);
        await page.screenshot({ path: file, fullPage: true });
        return file;
      },
    };
  });
  afterEach(async () => {
    await current?.page.context().close();
    await current?.f.t.close();
    await database?.dispose();
    current = undefined;
  });
  return () => {
    if (!current) throw new Error("the web test is not set up");
    return current;
  };
}
