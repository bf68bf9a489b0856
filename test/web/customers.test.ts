// Customers and tonight's plan in Chromium: a viewer searches by contact key prefix, opens a
// customer and sees its attributes, scores, groups and history; the plan of a night with a
// campaign shows its sizes, the execution timeline against the budget and the warnings.
import { sql } from "kysely";
import { expect, it } from "vitest";
import { cliActor } from "../../src/audit/audit.ts";
import { createCampaign } from "../../src/campaigns/campaigns.ts";
import { customerStory } from "../helpers/customer-story.ts";
import { useWebApp } from "./browser.ts";

const web = useWebApp();

it("finds a customer by contact key prefix and shows its page", async () => {
  const { page, f } = web();
  await f.customers(50);
  await customerStory(f.t.app.db);
  await f.group("France", { field: "country", op: "eq", value: "FR" });
  await web().signInAs("viewer");
  await page.getByRole("link", { name: "Customers", exact: true }).click();
  await page.getByLabel("Contact key", { exact: true }).fill("C00001");
  const results = page.getByRole("table", { name: "Customers found" });
  await results.getByRole("link", { name: "C000019" }).waitFor();
  expect(await results.getByRole("link").allTextContents()).toEqual([
    "C000010",
    "C000011",
    "C000012",
    "C000013",
    "C000014",
    "C000015",
    "C000016",
    "C000017",
    "C000018",
    "C000019",
  ]);
  expect(new URL(page.url()).search).toBe("?q=C00001");
  await web().shot("customers-search");

  await page.getByLabel("Contact key", { exact: true }).fill("C000001");
  await results.getByRole("link", { name: "C000001" }).click();
  await page.getByRole("heading", { name: "Customer C000001" }).waitFor();
  expect(new URL(page.url()).pathname).toBe("/customers/C000001");
  const attributes = page.getByRole("table", { name: "Attributes" });
  await expect.poll(() => attributes.textContent()).toContain("first_nameAda");
  expect(await attributes.textContent()).toContain("countryFR");
  const scores = page.getByRole("table", { name: "Scores" });
  expect(await scores.textContent()).toContain("P(alive)87%");
  expect(await scores.textContent()).toContain("CLV212.4");
  expect(await page.getByRole("link", { name: "France" }).getAttribute("href")).toMatch(
    /^\/target-groups\/\d+$/,
  );
  const history = await page.getByLabel("History").textContent();
  expect(history).toContain("country: DE → FR");
  expect(history).toContain("Stage new → active");
  await web().shot("customer-page");
  await page.goBack();
  await results.getByRole("link", { name: "C000001" }).waitFor();
});

it("shows a night's plan with the execution timeline and the warnings", async () => {
  const { page, url, f } = web();
  await f.customers(12_000);
  // A fifth of them bought in the week before: the plan has a baseline for the uplift.
  await sql`insert into transactions (contact_key, occurred_at, amount, import_id)
    select 'C' || lpad(g::text, 6, '0'), '2026-11-28T12:00:00Z', '20', 0
    from generate_series(5, 12000, 5) g`.execute(f.t.app.db.kysely);
  // A small budget, so that the night spreads over several windows.
  for (const account of f.t.app.config.sfmc.accounts)
    account.sendBudget = { recipients: 5000, perMinutes: 30, reservePercent: 0 };
  const everyone = await f.everyone();
  const de = await f.group("Germany", { field: "country", op: "eq", value: "DE" });
  await createCampaign(
    f.t.app,
    cliActor(),
    f.campaignBody(everyone, { name: "Winback all", controlGroupPercent: 10 }),
  );
  await createCampaign(
    f.t.app,
    cliActor(),
    f.campaignBody(de, {
      name: "No control DE",
      controlGroupPercent: 0,
      priority: 2,
      exclusive: false,
    }),
  );
  await web().signInAs("viewer");
  await page.getByRole("link", { name: "Plan", exact: true }).click();
  await page.getByRole("heading", { name: "Tonight's plan" }).waitFor();
  await page.goto(`${url}/plan?date=2026-12-02`);
  const campaigns = page.getByRole("table", { name: "Campaigns of the night" });
  await campaigns.getByRole("link", { name: "Winback all" }).waitFor();
  expect(await campaigns.getByRole("link").allTextContents()).toEqual([
    "Winback all",
    "No control DE",
  ]);
  expect(await page.getByLabel("Date", { exact: true }).textContent()).toContain("2026-12-02");
  await page.getByRole("heading", { name: "Execution timeline" }).waitFor();
  await page.getByRole("img", { name: /Recipients per 30 minutes of demo/ }).waitFor();
  const warnings = await page.getByRole("listitem").allTextContents();
  expect(warnings).toContain(
    "No control DE: no control group: the campaign's effect cannot be measured",
  );
  expect(warnings.some((w) => /^Winback all: Its last batch goes out at/.test(w))).toBe(true);
  await web().shot("plan");
});
