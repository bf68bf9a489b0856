// The campaign pages in Chromium: the builder's app → message choice (exactly the chosen app's
// messages), the preview's budget warning with the predicted last batch, the server's refusals at
// their fields, saving, the list with its calendar, and pausing from the list.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { Page } from "playwright-core";
import { expect, it } from "vitest";
import { cliActor } from "../../src/audit/audit.ts";
import { createCampaign } from "../../src/campaigns/campaigns.ts";
import { importTransactionsFile } from "../../src/customers/import-transactions.ts";
import { minimumDetectableUplift } from "../../src/metrics/stats.ts";
import { SHOP_ANDROID, SHOP_IOS } from "../helpers/campaigns.ts";
import { useWebApp } from "./browser.ts";

const web = useWebApp();

/** The values of a native select's choices (its "Choose…" placeholder left out). */
async function optionsOf(page: Page, label: string): Promise<string[]> {
  const values = await page
    .getByLabel(label, { exact: true })
    .locator("option")
    .evaluateAll((os) => os.map((o) => o.getAttribute("value") ?? ""));
  return values.filter(Boolean).sort();
}

/** The error text shown at the input labelled `label` (one of its aria-describedby), or "". */
async function errorAt(page: Page, label: string): Promise<string> {
  const ids =
    (await page.getByLabel(label, { exact: true }).getAttribute("aria-describedby")) ?? "";
  const texts: string[] = [];
  for (const id of ids.split(" ").filter(Boolean)) {
    const el = page.locator(`[id="${id}"]`);
    if ((await el.getAttribute("class"))?.includes("error"))
      texts.push((await el.textContent()) ?? "");
  }
  return texts.join(" ");
}

const idsOf = (appId: string) =>
  web()
    .f.messages.filter((m) => m.appId === appId)
    .map((m) => m.id)
    .sort();

it("builds a campaign: app → its messages, the budget warning, refusals at their fields, save, pause", async () => {
  const { page, url, f } = web();
  await f.customers(12_000);
  const group = await f.everyone();
  // One customer in ten bought in the week before the send: the baseline of the minimum
  // detectable uplift.
  const folder = await mkdtemp(path.join(os.tmpdir(), "nightjar-web-"));
  const file = path.join(folder, "purchases.csv");
  const buyers = Array.from(
    { length: 1_200 },
    (_, i) => `C${String(10 * i + 1).padStart(6, "0")},2026-11-28 12:00,30.00`,
  );
  await writeFile(file, `contact_key,occurred_at,amount\n${buyers.join("\n")}\n`);
  await importTransactionsFile(f.t.app, { path: file });
  await rm(folder, { recursive: true, force: true });
  // A small budget of the demo account: 10,800 test recipients take three 30-minute windows.
  const account = f.t.app.config.sfmc.accounts[0];
  if (!account) throw new Error("the demo config has no SFMC account");
  account.sendBudget = { ...account.sendBudget, recipients: 5_000, perMinutes: 30 };
  expect(idsOf(SHOP_IOS).length).toBeGreaterThan(0);
  expect(idsOf(SHOP_ANDROID).length).toBeGreaterThan(0);
  expect(idsOf(SHOP_IOS)).not.toEqual(idsOf(SHOP_ANDROID));

  await web().signInAs("marketer");
  await page.goto(`${url}/campaigns`);
  await page.getByRole("button", { name: "New campaign" }).click();
  await page.getByRole("heading", { name: "New campaign" }).waitFor();
  expect(new URL(page.url()).pathname).toBe("/campaigns/new");

  await page.getByLabel("Name", { exact: true }).fill("Winback DE");
  const target = page.getByLabel("Target group", { exact: true });
  await expect.poll(() => target.textContent()).toContain("Everyone — 12,000 reachable");
  await target.selectOption(String(group));
  await page.getByLabel("Business unit", { exact: true }).selectOption("100");
  await page.getByLabel("App", { exact: true }).selectOption(SHOP_IOS);
  await expect.poll(() => optionsOf(page, "Push message")).toEqual(idsOf(SHOP_IOS));
  await page.getByLabel("Push message", { exact: true }).selectOption(f.messageOf(SHOP_IOS).id);
  await page.getByLabel("App", { exact: true }).selectOption(SHOP_ANDROID);
  await expect.poll(() => optionsOf(page, "Push message")).toEqual(idsOf(SHOP_ANDROID));
  // The other app's message is not kept.
  expect(await page.getByLabel("Push message", { exact: true }).inputValue()).toBe("");
  await page.getByLabel("Push message", { exact: true }).selectOption(f.messageOf(SHOP_ANDROID).id);
  await page.getByLabel("Date", { exact: true }).fill("2026-12-02");
  await page.getByLabel("Send time", { exact: true }).fill("10:00");
  const zone = page.getByRole("combobox", { name: "Time zone" });
  expect(await zone.inputValue()).toBe(
    await page.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone),
  );
  await zone.click();
  await zone.fill("UTC");
  await page.getByRole("option", { name: "UTC", exact: true }).click();

  const preview = page.getByRole("region", { name: "Preview" });
  const budget = preview.getByRole("status").filter({ hasText: "Over the send budget" });
  await budget.waitFor();
  // 5,000 + 5,000 + 800 recipients at 10:00, 10:30 and 11:00 UTC.
  await expect
    .poll(() => budget.textContent())
    .toContain("Predicted last batch: Wed, 2 Dec 2026, 11:00 UTC — 60 minutes after");
  await expect.poll(() => preview.textContent()).toContain("10,800 test · 1,200 control");
  await expect.poll(() => preview.textContent()).toContain("Batches3");
  const detectable = minimumDetectableUplift(0.1, 10_800, 1_200) ?? 0;
  expect(detectable).toBeGreaterThan(0.02);
  await expect
    .poll(() => preview.textContent())
    .toContain(`Minimum detectable uplift${(detectable * 100).toFixed(1)} pts`);
  await web().shot("campaign-builder");

  // The server's refusals, at their fields.
  await page.getByLabel("Name", { exact: true }).fill("");
  await page.getByLabel("Control group %", { exact: true }).fill("95");
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await expect.poll(() => errorAt(page, "Name")).toContain("must not be empty");
  await expect.poll(() => errorAt(page, "Control group %")).toContain("between 0 and 90");
  expect(new URL(page.url()).pathname).toBe("/campaigns/new");

  await page.getByLabel("Name", { exact: true }).fill("Winback DE");
  await page.getByLabel("Control group %", { exact: true }).fill("10");
  expect(await errorAt(page, "Name")).toBe("");
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await page.getByRole("heading", { name: "Campaigns" }).waitFor();
  expect(new URL(page.url()).pathname).toBe("/campaigns");
  const row = page
    .getByRole("table", { name: "Campaigns" })
    .getByRole("row")
    .filter({ hasText: "Winback DE" });
  await expect.poll(() => row.textContent()).toContain("scheduled");
  await expect.poll(() => row.textContent()).toContain("Everyone");
  const calendar = page.getByRole("region", { name: "Calendar" });
  await expect.poll(() => calendar.textContent()).toContain("Winback DE");
  await web().shot("campaigns-list");

  await row.getByRole("button", { name: "Pause", exact: true }).click();
  await expect.poll(() => row.textContent()).toContain("paused");
  await row.getByRole("button", { name: "Resume", exact: true }).waitFor();
});

it("duplicates a campaign into the builder, saves the copy, resumes and archives it; viewers only read", async () => {
  const { page, url, f } = web();
  await f.customers(20);
  const group = await f.everyone();
  await createCampaign(
    f.t.app,
    cliActor(),
    f.campaignBody(group, {
      schedule: { type: "weekly", days: ["wed", "fri"], start: "2026-12-02" },
    }),
  );
  await web().signInAs("marketer");
  await page.goto(`${url}/campaigns`);
  const table = page.getByRole("table", { name: "Campaigns" });
  const original = table.getByRole("row").filter({ hasText: "Winback DE" });
  await original.getByRole("button", { name: "Duplicate", exact: true }).click();
  await page.getByRole("heading", { name: "Campaign: Winback DE (copy)" }).waitFor();
  expect(new URL(page.url()).pathname).toMatch(/^\/campaigns\/\d+$/);
  await expect.poll(() => page.getByRole("checkbox", { name: "Fri" }).isChecked()).toBe(true);
  expect(await page.getByLabel("Push message", { exact: true }).inputValue()).toBe(
    f.messageOf(SHOP_IOS).id,
  );
  await web().shot("campaign-edit");
  await page.getByLabel("Name", { exact: true }).fill("Winback FR");
  // The zone is searched by a part of its name; the preview says both times.
  const zone = page.getByRole("combobox", { name: "Time zone" });
  await zone.click();
  await zone.fill("berl");
  await page.getByRole("option", { name: "Europe/Berlin", exact: true }).click();
  const preview = page.getByRole("region", { name: "Preview" });
  await expect
    .poll(() => preview.textContent())
    .toContain("Wed, 2 Dec 2026, 10:00 (Europe/Berlin), Wed, 2 Dec 2026, 09:00 UTC");
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await page.getByRole("heading", { name: "Campaigns" }).waitFor();
  const copy = table.getByRole("row").filter({ hasText: "Winback FR" });
  await expect.poll(() => copy.textContent()).toContain("draft");
  await copy.getByRole("button", { name: "Resume", exact: true }).click();
  await expect.poll(() => copy.textContent()).toContain("scheduled");
  await copy.getByRole("button", { name: "Archive", exact: true }).click();
  await expect.poll(() => copy.count()).toBe(0);
  await page.getByRole("switch", { name: "Show archived campaigns" }).check();
  await expect.poll(() => copy.textContent()).toContain("archived");

  await page.getByRole("button", { name: "Sign out" }).click();
  await web().signInAs("viewer");
  await page.goto(`${url}/campaigns`);
  await original.waitFor();
  expect(await page.getByRole("button", { name: "New campaign" }).count()).toBe(0);
  expect(await original.getByRole("button").count()).toBe(0);
  await original.getByRole("link", { name: "Winback DE" }).click();
  await page.getByRole("heading", { name: "Campaign: Winback DE" }).waitFor();
  expect(await page.getByLabel("Name", { exact: true }).isDisabled()).toBe(true);
  expect(await page.getByRole("button", { name: "Save", exact: true }).count()).toBe(0);
});
