// The operator's half of the runs pages in Chromium: an unknown batch after a real night (SFMC
// took the call, the emulator cut the connection before it answered), resolved by an admin
// through the confirmation modal — abandoned, marked sent, or re-sent and handed over again by
// the next run — its new state on the run's page and the resolution in the audit log; a viewer
// sees the unknown batch but no resolve buttons.
import type { Page } from "playwright-core";
import { expect, it } from "vitest";
import { call } from "../../emulator/test-helpers.ts";
import { cliActor } from "../../src/audit/audit.ts";
import { createCampaign } from "../../src/campaigns/campaigns.ts";
import { runNight } from "../../src/delivery/nightly-run.ts";
import { useWebApp } from "./browser.ts";

const web = useWebApp();

const ERROR =
  /may have reached SFMC: connection failed after the request started \(UND_ERR_SOCKET\)/;

/** What the emulator took: every accepted send with its token and keys. */
async function emulatorSends(): Promise<{ tokenId: string; subscriberKeys: string[] }[]> {
  const answer = await call(web().emulator, "GET", "_emulator/sends");
  return (answer.body as { items: { tokenId: string; subscriberKeys: string[] }[] }).items;
}

/**
 * A real night whose one batch SFMC took without answering: the emulator records the send, then
 * cuts the connection, so the batch is left `unknown`.
 */
async function nightWithAnUnknownBatch() {
  const { f, emulator } = web();
  f.t.clock.set("2026-12-02T02:00:00Z");
  await f.customers(600);
  const everyone = await f.everyone();
  await createCampaign(f.t.app, cliActor(), f.campaignBody(everyone, { name: "Winback all" }));
  await call(emulator, "POST", "_emulator/faults", {
    body: { kind: "dropConnection", route: "send", times: 1 },
  });
  const night = await runNight(f.t.app, { date: "2026-12-02", trigger: "cli", actor: cliActor() });
  expect(night.status).toBe("completed");
  expect(night.unknownBatches).toBe(1);
  const batch = await f.t.app.db.kysely
    .selectFrom("send_batches")
    .select(["id", "size", "contact_keys", "error"])
    .where("state", "=", "unknown")
    .executeTakeFirstOrThrow();
  const keys = batch.contact_keys ?? [];
  expect(keys).toHaveLength(batch.size);
  // SFMC has the send: one call, with exactly the batch's keys.
  const sends = await emulatorSends();
  expect(sends.map((s) => s.subscriberKeys)).toEqual([keys]);
  return { night, batch: { id: batch.id, size: batch.size, keys }, tokenId: sends[0]?.tokenId };
}

/** The unknown batch's row on the run's page, once shown, with its keys and error. */
async function unknownRow(page: Page, batch: { id: number; size: number }) {
  const row = page
    .getByRole("table", { name: "Unknown batches" })
    .getByRole("row", { name: new RegExp(`#${batch.id}`) });
  await row.waitFor();
  const text = (await row.textContent()) ?? "";
  expect(text).toContain(`${batch.size} keys`);
  expect(text).toMatch(ERROR);
  return row;
}

/** The batch's row in the run page's resolved batches. */
function resolvedRow(page: Page, id: number) {
  return page
    .getByRole("table", { name: "Resolved batches" })
    .getByRole("row", { name: new RegExp(`^#${id}`) });
}

/** Opens the audit log from the menu and answers the send batch's entry. */
async function auditEntry(page: Page, id: number) {
  await page
    .getByRole("navigation", { name: "Main" })
    .getByRole("link", { name: "Audit log" })
    .click();
  await page.getByRole("heading", { name: "Audit log" }).waitFor();
  const entry = page
    .getByRole("table", { name: "Audit log" })
    .getByRole("row", { name: new RegExp(`send_batch #${id}`) });
  await entry.waitFor();
  return entry;
}

it("resolves an unknown batch as abandoned after confirming, and the audit log shows it", async () => {
  const { page, url } = web();
  const { night, batch } = await nightWithAnUnknownBatch();
  await web().signInAs("admin");
  await page.goto(`${url}/runs/${night.runId}`);
  const row = await unknownRow(page, batch);
  await web().shot("run-unknown");
  await row.getByRole("button", { name: "Abandon" }).click();
  const dialog = page.getByRole("dialog", { name: `Abandon batch #${batch.id}?` });
  await dialog.waitFor();
  await web().shot("run-unknown-confirm");
  await dialog.getByRole("button", { name: "Confirm: Abandon" }).click();
  await dialog.waitFor({ state: "detached" });
  await expect.poll(() => resolvedRow(page, batch.id).textContent()).toContain("abandoned");
  await page
    .getByText("No batch of this run is unknown: SFMC answered every call.", { exact: true })
    .waitFor();
  const entry = await auditEntry(page, batch.id);
  await expect.poll(() => entry.textContent()).toContain("abandon");
  expect(await entry.textContent()).toContain('"unknown" → "abandoned"');
  await web().shot("audit");
});

it("marks an unknown batch sent with SFMC's tokenId after confirming, without calling SFMC again", async () => {
  const { page, url, f } = web();
  const { night, batch, tokenId } = await nightWithAnUnknownBatch();
  if (!tokenId) throw new Error("the emulator recorded no send");
  const admin = await web().signInAs("admin");
  await page.goto(`${url}/runs/${night.runId}`);
  const row = await unknownRow(page, batch);
  await row.getByRole("button", { name: "Mark sent" }).click();
  const dialog = page.getByRole("dialog", { name: `Mark batch #${batch.id} as sent?` });
  await dialog.waitFor();
  expect(await dialog.textContent()).toContain("it counts as delivered and is not handed over");
  // The operator found the send in SFMC: its tokenId, so that its metrics are collected.
  await dialog.getByLabel("Token id", { exact: true }).fill(tokenId);
  await web().shot("run-unknown-mark-sent");
  await dialog.getByRole("button", { name: "Confirm: Mark sent" }).click();
  await dialog.waitFor({ state: "detached" });
  const resolved = resolvedRow(page, batch.id);
  await expect.poll(() => resolved.textContent()).toContain(`tokenId ${tokenId}`);
  // Batch, campaign, keys, state, resolved by, at, note.
  const cells = await resolved.getByRole("cell").allTextContents();
  expect([cells[3], cells[4]]).toEqual(["sent", `user:${admin}`]);
  await page
    .getByText("No batch of this run is unknown: SFMC answered every call.", { exact: true })
    .waitFor();
  // The run's campaign counts the batch sent now.
  const campaign = page.getByRole("table", { name: "Campaigns" }).getByRole("row", {
    name: /Winback all/,
  });
  // Campaign, recipients, control, batches, sent, unknown.
  await expect
    .poll(async () => (await campaign.getByRole("cell").allTextContents()).slice(3, 6))
    .toEqual(["1", "1", "0"]);
  await web().shot("run-marked-sent");
  // Nothing went to SFMC again: the emulator still holds the one send.
  expect(await emulatorSends()).toHaveLength(1);
  const stored = await f.t.app.db.kysely
    .selectFrom("send_batches")
    .select(["state", "token_id"])
    .where("id", "=", batch.id)
    .executeTakeFirstOrThrow();
  expect(stored).toEqual({ state: "sent", token_id: tokenId });
  const entry = await auditEntry(page, batch.id);
  const cellsOf = async () => await entry.getByRole("cell").allTextContents();
  // When, who, what, action, change.
  const [, who, what, action, change] = await cellsOf();
  expect([who, what, action]).toEqual([`user:${admin}`, `send_batch #${batch.id}`, "resolve-sent"]);
  expect(change).toContain('state "unknown" → "sent"');
  expect(change).toContain(`tokenId null → "${tokenId}"`);
  await web().shot("audit-mark-sent");
});

it("re-sends an unknown batch after confirming, and the next run hands its keys to SFMC again", async () => {
  const { page, url, f } = web();
  const { night, batch } = await nightWithAnUnknownBatch();
  // The morning after the night: the operator looked the keys up in SFMC and found no send.
  f.t.clock.set("2026-12-02T10:30:00Z");
  const admin = await web().signInAs("admin");
  await page.goto(`${url}/runs/${night.runId}`);
  const row = await unknownRow(page, batch);
  await row.getByRole("button", { name: "Re-send" }).click();
  const dialog = page.getByRole("dialog", { name: `Re-send batch #${batch.id}?` });
  await dialog.waitFor();
  expect(await dialog.textContent()).toContain(
    "a new batch of the same keys is handed over by the next nightly run",
  );
  await web().shot("run-unknown-resend");
  await dialog.getByRole("button", { name: "Confirm: Re-send" }).click();
  await dialog.waitFor({ state: "detached" });
  const resend = await f.t.app.db.kysely
    .selectFrom("send_batches")
    .select(["id", "state", "contact_keys"])
    .where("resend_of", "=", batch.id)
    .executeTakeFirstOrThrow();
  expect(resend.state).toBe("planned");
  expect(resend.contact_keys).toEqual(batch.keys);
  // The unknown batch is closed (abandoned, pointing at its re-send), the re-send is planned.
  const resolved = resolvedRow(page, batch.id);
  await expect.poll(() => resolved.textContent()).toContain(`re-sent as batch #${resend.id}`);
  const cells = await resolved.getByRole("cell").allTextContents();
  expect([cells[3], cells[4]]).toEqual(["abandoned", `user:${admin}`]);
  const campaign = page.getByRole("table", { name: "Campaigns" }).getByRole("row", {
    name: /Winback all/,
  });
  // Campaign, recipients, control, batches, sent, unknown, late, planned.
  const counts = async () => (await campaign.getByRole("cell").allTextContents()).slice(3, 8);
  await expect.poll(counts).toEqual(["2", "0", "0", "0", "1"]);
  await web().shot("run-resent");
  // Resolving calls nobody: the re-send waits for the next run.
  expect(await emulatorSends()).toHaveLength(1);

  const entry = await auditEntry(page, batch.id);
  const [, who, what, action, change] = await entry.getByRole("cell").allTextContents();
  expect([who, what, action]).toEqual([`user:${admin}`, `send_batch #${batch.id}`, "resend"]);
  expect(change).toContain('state "unknown" → "abandoned"');
  expect(change).toContain(`resendBatchId – → ${resend.id}`);

  // The next run, started here, hands the re-send over.
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Runs" }).click();
  await page.getByRole("button", { name: "Run now" }).click();
  await page.getByRole("heading", { name: `Nightly run #${night.runId + 1}` }).waitFor();
  await expect
    .poll(() => page.getByRole("status", { name: "Run status" }).textContent(), {
      timeout: 10_000,
    })
    .toBe("completed");
  await expect.poll(counts).toEqual(["2", "1", "0", "1", "0"]);
  await web().shot("run-resent-handed-over");
  const sends = await emulatorSends();
  expect(sends.map((s) => s.subscriberKeys)).toEqual([batch.keys, batch.keys]);
  const handed = await f.t.app.db.kysely
    .selectFrom("send_batches")
    .select(["state", "token_id"])
    .where("id", "=", resend.id)
    .executeTakeFirstOrThrow();
  expect(handed).toEqual({ state: "sent", token_id: sends[1]?.tokenId });
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
