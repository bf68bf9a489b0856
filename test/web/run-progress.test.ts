// A nightly run watched live in Chromium: an admin starts it with "Run now", and the run's page
// follows it without a reload — the step under way and, per SFMC account, the batches handed
// over — while the emulator holds each send until the test lets it go; then the page shows the
// completed run, with the batch SFMC left unanswered among the unknown ones.
import { sql } from "kysely";
import { afterEach, expect, it } from "vitest";
import { call, HeldSleep } from "../../emulator/test-helpers.ts";
import { cliActor } from "../../src/audit/audit.ts";
import { createCampaign } from "../../src/campaigns/campaigns.ts";
import { addSecondAccount, SECOND_ACCOUNT, seedSecondAccount } from "../helpers/night.ts";
import { useWebApp } from "./browser.ts";

const held = new HeldSleep();
const web = useWebApp({
  emulator: { sleep: held.sleep },
  prepare: (emulator) => seedSecondAccount(emulator),
  config: (c) => {
    addSecondAccount(c);
    // One call at a time per account: the demo account's batches go out one after the other.
    for (const account of c.sfmc.accounts) account.maxInFlight = 1;
  },
});

afterEach(async () => {
  // Nothing stays held, so that the server's close (which waits for its runs) can end.
  await call(web().emulator, "DELETE", "_emulator/faults");
  held.releaseAll();
});

it("follows a nightly run live, per SFMC account, until it completes", async () => {
  const { page, f, emulator } = web();
  f.t.clock.set("2026-12-02T02:00:00Z");
  await f.customers(600);
  const everyone = await f.everyone();
  // Three campaigns on the demo account (a batch each), one on the second account.
  for (const name of ["Winback all", "Welcome all", "Summer all"])
    await createCampaign(f.t.app, cliActor(), f.campaignBody(everyone, { name, exclusive: false }));
  await createCampaign(
    f.t.app,
    cliActor(),
    f.campaignBody(everyone, {
      name: "Flash all",
      exclusive: false,
      businessUnit: String(SECOND_ACCOUNT.mid),
      appId: SECOND_ACCOUNT.appId,
      messageId: f.messageOf(SECOND_ACCOUNT.appId).id,
    }),
  );
  // SFMC holds every send until the test releases it.
  await call(emulator, "POST", "_emulator/faults", { body: { kind: "slow", route: "send" } });
  await web().signInAs("admin");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Runs" }).click();
  await page.getByRole("button", { name: "Run now" }).click();
  await page.getByRole("heading", { name: "Nightly run #1" }).waitFor();
  // A mark in the page: a reload would lose it.
  await page.evaluate(() => Object.assign(globalThis, { watched: true }));
  const status = page.getByRole("status", { name: "Run status" });
  const progress = page.getByRole("region", { name: "Progress of the run" });
  const lines = () => progress.getByText(/ batches · /).allTextContents();
  const live = { timeout: 10_000 };

  // Each account's first call is held at SFMC.
  await expect.poll(async () => (await held.held()).length, live).toBe(2);
  const sizes = await sql<{ budget_key: string; n: number; sizes: number[] }>`
    select budget_key, count(*)::integer as n, array_agg(size order by id) as sizes
    from send_batches group by budget_key order by budget_key`.execute(f.t.app.db.kysely);
  const [demo, second] = sizes.rows;
  expect([demo?.budget_key, demo?.n, second?.budget_key, second?.n]).toEqual([
    "demo-client",
    3,
    SECOND_ACCOUNT.clientId,
    1,
  ]);
  const total = (s: number[] | undefined, n = s?.length ?? 0) =>
    (s ?? [])
      .slice(0, n)
      .reduce((a, b) => a + b, 0)
      .toLocaleString("en-US");
  const line = (account: string, done: number, of: number, s: number[] | undefined) =>
    `${account}: ${done} of ${of} batches · ${total(s, done)} of ${total(s)} recipients handed over or settled`;
  await expect
    .poll(lines, live)
    .toEqual([line("demo", 0, 3, demo?.sizes), line("second", 0, 1, second?.sizes)]);
  expect(await status.textContent()).toBe("running");
  expect(await progress.textContent()).toContain("Under way: deliver");
  await web().shot("run-live");

  // The first calls answered: the second account is done, the demo account's second call held.
  held.releaseAll();
  await expect.poll(async () => (await held.held()).length, live).toBe(1);
  await expect
    .poll(lines, live)
    .toEqual([line("demo", 1, 3, demo?.sizes), line("second", 1, 1, second?.sizes)]);
  expect(await status.textContent()).toBe("running");
  await web().shot("run-live-progress");

  // The last call SFMC takes without answering: its batch ends unknown.
  await call(emulator, "DELETE", "_emulator/faults");
  await call(emulator, "POST", "_emulator/faults", {
    body: { kind: "dropConnection", route: "send", times: 1 },
  });
  held.releaseAll();
  await expect.poll(() => status.textContent(), live).toBe("completed");
  expect(await progress.count()).toBe(0);
  const campaigns = page.getByRole("table", { name: "Campaigns" });
  // Campaign, recipients, control, batches, sent, unknown.
  const counts = async (name: string) => {
    const cells = await campaigns.getByRole("row", { name: new RegExp(name) }).getByRole("cell");
    const texts = await cells.allTextContents();
    return [texts[3], texts[4], texts[5]];
  };
  await expect.poll(() => counts("Winback all"), live).toEqual(["1", "1", "0"]);
  expect(await counts("Welcome all")).toEqual(["1", "1", "0"]);
  expect(await counts("Summer all")).toEqual(["1", "0", "1"]);
  expect(await counts("Flash all")).toEqual(["1", "1", "0"]);
  // The unknown batch shows among the unknown ones, read again when the run ended.
  await page
    .getByRole("table", { name: "Unknown batches" })
    .getByRole("row", { name: /Summer all/ })
    .waitFor(live);
  expect(await page.evaluate(() => "watched" in globalThis)).toBe(true);
  await web().shot("run-live-done");
});
