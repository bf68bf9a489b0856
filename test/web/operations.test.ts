// The operator's half of the runs pages in Chromium: an unknown batch after a real night (SFMC
// took the call, its answer never came), resolved by an admin through the confirmation modal,
// its new state on the run's page and the resolution in the audit log; a viewer sees the unknown
// batch but no resolve buttons.
import { expect, it } from "vitest";
import { cliActor } from "../../src/audit/audit.ts";
import { createCampaign } from "../../src/campaigns/campaigns.ts";
import { runNight } from "../../src/delivery/nightly-run.ts";
import { useWebApp } from "./browser.ts";

const web = useWebApp();

const ERROR = "the connection was cut before SFMC answered: it may or may not have the send";

/** A real night, then its first batch made unknown as a cut connection leaves it. */
async function nightWithAnUnknownBatch() {
  const { f } = web();
  f.t.clock.set("2026-12-02T02:00:00Z");
  await f.customers(600);
  const everyone = await f.everyone();
  await createCampaign(f.t.app, cliActor(), f.campaignBody(everyone, { name: "Winback all" }));
  const night = await runNight(f.t.app, { date: "2026-12-02", trigger: "cli", actor: cliActor() });
  expect(night.status).toBe("completed");
  // The emulator's fault route is not reachable from this helper: the state a dropped
  // connection leaves (handed over, no tokenId, no answer) is written directly.
  const batch = await f.t.app.db.kysely
    .updateTable("send_batches")
    .set({ state: "unknown", token_id: null, answered_at: null, error: ERROR })
    .where("id", "=", (eb) => eb.selectFrom("send_batches").select(eb.fn.min("id").as("m")))
    .returning(["id", "size"])
    .executeTakeFirstOrThrow();
  return { night, batch };
}

it("resolves an unknown batch as abandoned after confirming, and the audit log shows it", async () => {
  const { page, url } = web();
  const { night, batch } = await nightWithAnUnknownBatch();
  await web().signInAs("admin");
  await page.goto(`${url}/runs/${night.runId}`);
  const unknown = page.getByRole("table", { name: "Unknown batches" });
  const row = unknown.getByRole("row", { name: new RegExp(`#${batch.id}`) });
  await row.waitFor();
  const text = (await row.textContent()) ?? "";
  expect(text).toContain(`${batch.size} keys`);
  expect(text).toContain(ERROR);
  await web().shot("run-unknown");
  await row.getByRole("button", { name: "Abandon" }).click();
  const dialog = page.getByRole("dialog", { name: `Abandon batch #${batch.id}?` });
  await dialog.waitFor();
  await web().shot("run-unknown-confirm");
  await dialog.getByRole("button", { name: "Confirm: Abandon" }).click();
  await dialog.waitFor({ state: "detached" });
  const resolved = page
    .getByRole("table", { name: "Resolved batches" })
    .getByRole("row", { name: new RegExp(`#${batch.id}`) });
  await expect.poll(() => resolved.textContent()).toContain("abandoned");
  await page
    .getByText("No batch of this run is unknown: SFMC answered every call.", { exact: true })
    .waitFor();
  await page
    .getByRole("navigation", { name: "Main" })
    .getByRole("link", { name: "Audit log" })
    .click();
  await page.getByRole("heading", { name: "Audit log" }).waitFor();
  const entry = page
    .getByRole("table", { name: "Audit log" })
    .getByRole("row", { name: new RegExp(`send_batch #${batch.id}`) });
  await expect.poll(() => entry.textContent()).toContain("abandon");
  expect(await entry.textContent()).toContain('"unknown" → "abandoned"');
  await web().shot("audit");
});

it("shows a viewer the unknown batch without resolve buttons", async () => {
  const { page, url } = web();
  const { night, batch } = await nightWithAnUnknownBatch();
  await web().signInAs("viewer");
  await page.goto(`${url}/runs/${night.runId}`);
  const unknown = page.getByRole("table", { name: "Unknown batches" });
  await unknown.getByRole("row", { name: new RegExp(`#${batch.id}`) }).waitFor();
  for (const name of ["Mark sent", "Re-send", "Abandon"])
    expect(await page.getByRole("button", { name }).count()).toBe(0);
  await page.goto(`${url}/audit`);
  await expect
    .poll(() => page.getByRole("alert").textContent())
    .toContain("This page is for admins: you are signed in as a viewer.");
  expect(await page.getByRole("heading", { name: "Audit log" }).count()).toBe(0);
});
