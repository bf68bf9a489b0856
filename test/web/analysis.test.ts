// The campaign analysis page in Chromium: purchases before and after a real night against the
// emulator, a week of send metrics, and the page reached from the campaigns list by its
// "Analysis" link: the send-rate chart, the uplift and the verdict of the API.
import { expect, it } from "vitest";
import { cliActor } from "../../src/audit/audit.ts";
import { createCampaign } from "../../src/campaigns/campaigns.ts";
import { importTransactionsFile } from "../../src/customers/import-transactions.ts";
import { runNight } from "../../src/delivery/nightly-run.ts";
import { analyzeCampaign } from "../../src/metrics/analysis.ts";
import { collectSendMetrics } from "../../src/metrics/collect.ts";
import { tempFolder } from "../helpers/files.ts";
import { useWebApp } from "./browser.ts";

const web = useWebApp();
const files = tempFolder();
const CUSTOMERS = 2_000;
const key = (n: number) => `C${String(n).padStart(6, "0")}`;

it("shows a campaign's send metrics, its test against control and the verdict", async () => {
  const { page, f } = web();
  const app = f.t.app;
  let imports = 0;
  const purchases = async (lines: string[]) => {
    imports += 1;
    const path = await files.file(`purchases-${imports}.csv`, [
      "contact_key,occurred_at,amount",
      ...lines,
    ]);
    await importTransactionsFile(app, { path });
  };
  f.t.clock.set("2026-12-02T02:00:00Z");
  await f.customers(CUSTOMERS);
  // The pre-period: every third customer bought in November.
  await purchases(
    Array.from({ length: CUSTOMERS / 3 }, (_, i) => `${key(3 * i + 1)},2026-11-20 10:00,40.00`),
  );
  const everyone = await f.everyone();
  const { campaign } = await createCampaign(
    app,
    cliActor(),
    f.campaignBody(everyone, { name: "Winback all", controlGroupPercent: 20 }),
  );
  const night = await runNight(app, { date: "2026-12-02", trigger: "cli", actor: cliActor() });
  expect(night.status).toBe("completed");
  const recipients = await app.db.kysely
    .selectFrom("occurrence_recipients")
    .select(["contact_key", "control"])
    .execute();
  // After the send: 30% of the test group buys, 10% of the control group.
  const after = recipients
    .filter((r, i) => i % 10 < (r.control ? 1 : 3))
    .map((r, i) => `${r.contact_key},2026-12-0${3 + (i % 5)} 12:00,25.00`);
  await purchases(after);
  for (let day = 3; day <= 10; day++) {
    const date = `2026-12-${String(day).padStart(2, "0")}`;
    f.t.clock.set(`${date}T03:00:00Z`);
    await collectSendMetrics(app, { date });
  }
  const analysis = await analyzeCampaign(app, campaign.id);
  expect(analysis.complete).toBe(true);
  expect(analysis.cumulative).toHaveLength(7);

  await web().signInAs("viewer");
  await page
    .getByRole("navigation", { name: "Main" })
    .getByRole("link", { name: "Campaigns" })
    .click();
  await page
    .getByRole("row", { name: /Winback all/ })
    .getByRole("link", { name: "Analysis", exact: true })
    .click();
  await page.getByRole("heading", { name: "Analysis: Winback all" }).waitFor();
  expect(new URL(page.url()).pathname).toBe(`/campaigns/${campaign.id}/analysis`);
  await expect.poll(() => page.getByLabel("Send rate per day").isVisible()).toBe(true);
  await expect
    .poll(() => page.getByLabel("Cumulative response of both groups").isVisible())
    .toBe(true);
  const verdict = page.getByLabel("Verdict");
  await expect.poll(() => verdict.textContent()).toContain(analysis.verdict);
  const uplift = analysis.responseRate.uplift ?? Number.NaN;
  const responseRow = page.getByRole("row", { name: /^Response rate/ });
  const cells = await responseRow.getByRole("cell").allTextContents();
  // Test, control, uplift (points), relative, CI, p-value.
  expect(cells[0]).toBe(`${((analysis.responseRate.test ?? 0) * 100).toFixed(1)}%`);
  expect(cells[2]).toBe(`+${(uplift * 100).toFixed(1)} pts`);
  await web().shot("analysis");

  // A campaign not sent yet: the API's words in place.
  const { campaign: later } = await createCampaign(
    app,
    cliActor(),
    f.campaignBody(everyone, { name: "Later", schedule: { type: "once", date: "2026-12-20" } }),
  );
  await page.goto(`${web().url}/campaigns/${later.id}/analysis`);
  await expect.poll(() => page.getByRole("alert").textContent()).toContain("has not been sent yet");
});

it("lists every occurrence of a daily campaign and opens the analysis of one", async () => {
  const { page, f } = web();
  const app = f.t.app;
  await f.customers(300);
  const everyone = await f.everyone();
  const { campaign } = await createCampaign(
    app,
    cliActor(),
    f.campaignBody(everyone, {
      name: "Daily all",
      schedule: { type: "daily", start: "2026-12-02" },
      controlGroupPercent: 20,
      measurementDays: 3,
    }),
  );
  for (const date of ["2026-12-02", "2026-12-03"]) {
    f.t.clock.set(`${date}T02:00:00Z`);
    const night = await runNight(app, { date, trigger: "cli", actor: cliActor() });
    expect(night.status).toBe("completed");
  }
  await web().signInAs("viewer");
  await page.goto(`${web().url}/campaigns/${campaign.id}/analysis`);
  const occurrences = page.getByRole("table", { name: "Occurrences" });
  await occurrences.waitFor();
  // The latest first; the chosen one (the latest) is not a link.
  await expect.poll(() => occurrences.getByRole("row").count()).toBe(3);
  expect(await page.getByText("not complete yet").first().isVisible()).toBe(true);
  await occurrences.getByRole("link", { name: "2026-12-02", exact: true }).click();
  await expect.poll(() => new URL(page.url()).search).toBe("?occurrence=2026-12-02");
  await expect
    .poll(() => page.getByText("Occurrence of 2026-12-02", { exact: false }).isVisible())
    .toBe(true);
  await web().shot("analysis-occurrences");
});
