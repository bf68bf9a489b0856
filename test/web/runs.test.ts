// The runs pages in Chromium after a real night against the emulator: the list, and a run's
// steps and campaigns with their batches.
import { expect, it } from "vitest";
import { cliActor } from "../../src/audit/audit.ts";
import { createCampaign } from "../../src/campaigns/campaigns.ts";
import { runNight } from "../../src/delivery/nightly-run.ts";
import { useWebApp } from "./browser.ts";

const web = useWebApp();

it("lists the nightly runs and shows a run's steps and campaigns", async () => {
  const { page, f, url } = web();
  f.t.clock.set("2026-12-02T02:00:00Z");
  await f.customers(600);
  const everyone = await f.everyone();
  await createCampaign(f.t.app, cliActor(), f.campaignBody(everyone, { name: "Winback all" }));
  const night = await runNight(f.t.app, { date: "2026-12-02", trigger: "cli", actor: cliActor() });
  expect(night.status).toBe("completed");
  await web().signInAs("viewer");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Runs" }).click();
  await page.getByRole("link", { name: `#${night.runId}` }).click();
  await page.getByRole("heading", { name: `Nightly run #${night.runId}` }).waitFor();
  const reported = night.campaigns[0];
  const row = page.getByRole("row", { name: /Winback all/ });
  // Name, recipients, control, batches, sent, unknown, late.
  const cells = async () => (await row.getByRole("cell").allTextContents()).slice(0, 5);
  await expect
    .poll(cells)
    .toEqual([
      "Winback all",
      String(reported?.recipients),
      String(reported?.control),
      String(reported?.batches),
      String(reported?.sent),
    ]);
  const steps = await page.getByRole("row").allTextContents();
  for (const step of ["sync", "freeze", "deliver", "metrics", "retention"])
    expect(steps.some((s) => s.startsWith(step))).toBe(true);
  expect(new URL(page.url()).pathname).toBe(`/runs/${night.runId}`);
  await web().shot("run");
  await page.goto(`${url}/runs`);
  await page.getByRole("heading", { name: "Nightly runs" }).waitFor();
  await web().shot("runs-list");
});
