// The runs pages in Chromium after a real night against the emulator: the list, and a run's
// steps and campaigns with their batches; "Run now" refused in place while a `nightjar run`
// holds the run lock (its send held at the emulator), and no "Run now" for non-admins.
import { afterEach, expect, it } from "vitest";
import { call, HeldSleep } from "../../emulator/test-helpers.ts";
import { cliActor } from "../../src/audit/audit.ts";
import { createCampaign } from "../../src/campaigns/campaigns.ts";
import { runNight } from "../../src/delivery/nightly-run.ts";
import { useWebApp } from "./browser.ts";

const held = new HeldSleep();
const web = useWebApp({ emulator: { sleep: held.sleep } });

afterEach(async () => {
  // Nothing stays held, so that the runs can end before the server closes.
  await call(web().emulator, "DELETE", "_emulator/faults");
  held.releaseAll();
});

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

it("refuses Run now in place while another nightly run holds the lock, naming that run", async () => {
  const { page, f, emulator } = web();
  f.t.clock.set("2026-12-02T02:00:00Z");
  await f.customers(600);
  const everyone = await f.everyone();
  await createCampaign(f.t.app, cliActor(), f.campaignBody(everyone, { name: "Winback all" }));
  // A `nightjar run` of the night, its send held at SFMC: it holds the run lock meanwhile.
  await call(emulator, "POST", "_emulator/faults", { body: { kind: "slow", route: "send" } });
  const cli = runNight(f.t.app, {
    date: "2026-12-02",
    trigger: "cli",
    actor: cliActor(),
    command: "nightjar run",
  });
  await held.held();
  const runs = () =>
    f.t.app.db.kysely.selectFrom("nightly_runs").select(["id", "status"]).execute();
  const [running] = await runs();
  expect(running?.status).toBe("running");
  await web().signInAs("admin");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Runs" }).click();
  const list = page.getByRole("table", { name: "Nightly runs" });
  const row = list.getByRole("row", { name: new RegExp(`#${running?.id}`) });
  await expect.poll(() => row.textContent()).toContain("running");
  await page.getByRole("button", { name: "Run now" }).click();
  const refusal = page.getByRole("alert").filter({ hasText: "A nightly run is already under way" });
  await refusal.waitFor();
  const words = (await refusal.textContent()) ?? "";
  expect(words).toContain(
    `another nightly run holds the run lock: run #${running?.id} of 2026-12-02, started 2026-12-02T02:00:00.000Z by nightjar run (pid ${process.pid} on `,
  );
  expect(words).toContain("Only one run at a time: wait until it finishes, then start again.");
  // Refused in place: the same page, its list and its button, and no second run.
  expect(new URL(page.url()).pathname).toBe("/runs");
  await page.getByRole("heading", { name: "Nightly runs" }).waitFor();
  expect(await page.getByRole("button", { name: "Run now" }).isEnabled()).toBe(true);
  expect(await list.getByRole("row").count()).toBe(2);
  await web().shot("runs-run-now-refused");
  expect(await runs()).toEqual([{ id: running?.id, status: "running" }]);
  // The run that holds the lock ends; the list shows it without a reload.
  held.releaseAll();
  expect((await cli).status).toBe("completed");
  await expect.poll(() => row.textContent(), { timeout: 10_000 }).toContain("completed");
});

it("shows a marketer and a viewer the runs without a Run now button", async () => {
  const { page } = web();
  for (const role of ["marketer", "viewer"] as const) {
    await web().signInAs(role);
    await page
      .getByRole("navigation", { name: "Main" })
      .getByRole("link", { name: "Runs" })
      .click();
    await page.getByText("No nightly run yet.", { exact: true }).waitFor();
    expect(await page.getByRole("button", { name: "Run now" }).count()).toBe(0);
    await web().shot(`runs-${role}`);
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByRole("button", { name: "Sign in" }).waitFor();
  }
});
