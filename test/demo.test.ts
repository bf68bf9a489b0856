// The demo's set-up, scaled down (20,000 customers instead of 100,000), started as `npm run demo`
// starts it: the server answers `"ready": false` while the data is made and `"ready": true` once it
// is in place, and then the API, signed in with the demo's sign-in, answers with the demo's data —
// fifteen nightly runs, the customer base by stage over them, the campaigns and their analyses (a
// significant uplift on the win-back campaign, none on the others), the big campaign spread over
// account's budget (25,000 / 30 min in the demo, scaled down with it here: 5,000 / 30 min). The
// demo runs on its embedded PGlite database only.
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { DEMO_SIGN_IN } from "../demo/config.ts";
import type { DemoEvent, DemoSummary } from "../demo/setup.ts";
import { type RunningDemo, startDemo } from "../demo/start.ts";
import { minimumDetectableUplift } from "../src/metrics/stats.ts";
import { addDays } from "../src/time/zones.ts";

const BUDGET = { recipients: 5_000, perMinutes: 30 };
let folder: string;
let demo: RunningDemo;
let summary: DemoSummary;
let cookie = "";
const events: DemoEvent[] = [];
let healthWhileMaking: unknown;

beforeAll(async () => {
  folder = await mkdtemp(path.join(os.tmpdir(), "nightjar-demo-"));
  demo = await startDemo({
    folder,
    port: 0,
    customers: 20_000,
    sendBudget: BUDGET,
    version: "test",
    onEvent: (event) => events.push(event),
  });
  healthWhileMaking = await (await fetch(`${demo.url}/api/health`)).json();
  summary = await demo.ready;
  const session = await fetch(`${demo.url}/api/session`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(DEMO_SIGN_IN),
  });
  expect(session.status).toBe(200);
  cookie = (session.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
}, 240_000);

afterAll(async () => {
  await demo?.close();
  if (folder) await rm(folder, { recursive: true, force: true });
});

async function get<T = Record<string, unknown>>(route: string): Promise<T> {
  const response = await fetch(`${demo.url}${route}`, { headers: { cookie } });
  expect(response.status, `${route}: ${await response.clone().text()}`).toBe(200);
  return (await response.json()) as T;
}

const today = new Date().toISOString().slice(0, 10);
const sendDate = addDays(today, -8);

it("says it is not ready while the data is made, and ready once it is in place", async () => {
  expect(healthWhileMaking).toMatchObject({ status: "ok", ready: false, database: "pglite" });
  expect(await get("/api/health")).toMatchObject({ status: "ok", ready: true });
  // Progress throughout: every phase announced, and each one's summary line.
  const phases = events.filter((e) => e.type === "phase").map((e) => e.label);
  expect(phases[0]).toBe("Generating the customer base");
  expect(phases).toContain(`Nightly run of ${sendDate}`);
  expect(phases.at(-1)).toBe("Analysing the campaigns");
  expect(events.filter((e) => e.type === "done").length).toBeGreaterThanOrEqual(phases.length);
});

it("made fifteen nights ending last night, each run completed, the one-off campaigns sent eight days ago", async () => {
  expect(summary.sendDate).toBe(sendDate);
  const runs = await get<{ date: string; status: string }[]>("/api/runs");
  const dates = runs.map((r) => r.date).sort();
  expect(dates).toEqual(Array.from({ length: 15 }, (_, i) => addDays(today, i - 15)));
  expect(runs.every((r) => r.status === "completed")).toBe(true);
  // The customer base by stage at every night's model run, and the last week's movements.
  const stages = await get<{
    runs: { date: string; customers: number }[];
    movements: { moves: unknown[] } | null;
  }>("/api/model/stages?days=30");
  expect(stages.runs.map((r) => r.date)).toEqual(dates);
  expect(stages.runs[0]?.customers).toBeGreaterThanOrEqual(20_000);
  expect(stages.runs.at(-1)?.customers).toBeGreaterThan(stages.runs[0]?.customers ?? 0);
  expect(stages.movements?.moves.length).toBeGreaterThan(0);
});

it("shows the win-back campaign's significant uplift and none on the big newsletter", async () => {
  const campaigns = await get<{ id: number; name: string }[]>("/api/campaigns");
  expect(campaigns.map((c) => c.name).sort()).toEqual(summary.campaigns.map((c) => c.name).sort());
  const id = (name: string) => summary.campaigns.find((c) => c.name === name)?.id;
  const winBack = await get<{
    complete: boolean;
    significance: string;
    verdict: string;
    responseRate: { uplift: number };
    metrics: { pushed: number; days: { day: number; sendRate: number | null }[] };
  }>(`/api/campaigns/${id("Win-back: at-risk customers")}/analysis`);
  expect(winBack.complete).toBe(true);
  expect(winBack.significance).toBe("significant");
  expect(winBack.verdict).toMatch(/^Response rate \+\d+\.\d pts .*significant at 95%$/);
  expect(winBack.responseRate.uplift).toBeGreaterThan(0.01);
  // A week of SFMC's delivery reports: every day's send rate, about half the keys having the app.
  expect(winBack.metrics.days.map((d) => d.day)).toEqual([1, 2, 3, 4, 5, 6, 7]);
  expect(winBack.metrics.pushed).toBeGreaterThan(0);
  for (const day of winBack.metrics.days) {
    expect(day.sendRate).toBeGreaterThan(0.3);
    expect(day.sendRate).toBeLessThan(0.7);
  }
  const newsletter = await get<{ significance: string; complete: boolean }>(
    `/api/campaigns/${id("New arrivals: all customers")}/analysis`,
  );
  expect(newsletter.complete).toBe(true);
  expect(newsletter.significance).toBe("not_significant");
});

it("spread the send over the account's budget, and plans tonight's welcome", async () => {
  const runs = await get<{ id: number; date: string }[]>("/api/runs");
  const night = runs.find((r) => r.date === sendDate);
  const report = await get<{
    campaigns: {
      name: string;
      recipients: number;
      late: number;
      sent: number;
      batches: number;
      firstSendTime: string;
      lastSendTime: string;
    }[];
  }>(`/api/runs/${night?.id}`);
  const newsletter = report.campaigns.find((c) => c.name === "New arrivals: all customers");
  const winBack = report.campaigns.find((c) => c.name === "Win-back: at-risk customers");
  // Both go out at 10:00 Berlin on one account: more than a window's budget, so the newsletter's
  // last batches wait for the next windows (late, within delivery.maxLatenessMinutes), all sent.
  const morning = (newsletter?.recipients ?? 0) + (winBack?.recipients ?? 0);
  expect(morning).toBeGreaterThan(2 * BUDGET.recipients);
  const spread =
    Date.parse(newsletter?.lastSendTime ?? "") - Date.parse(newsletter?.firstSendTime ?? "");
  expect(spread).toBeGreaterThanOrEqual(2 * BUDGET.perMinutes * 60_000);
  expect(newsletter?.late).toBeGreaterThan(0);
  expect(report.campaigns.every((c) => c.sent === c.batches && c.batches > 0)).toBe(true);
  // Tonight: the daily welcome, and a campaign over the budget, which the plan warns of.
  const tonight = await get<{ schedule: { date: string } }>(
    `/api/campaigns/${summary.tonightCampaignId}`,
  );
  const plan = await get<{
    occurrences: { campaignName: string; warnings: string[] }[];
    warnings: string[];
  }>(`/api/plan?date=${tonight.schedule.date}`);
  // Its files are not imported yet: the plan says its counts are as of last night's import.
  expect(plan.warnings.join(" ")).toContain(
    `the counts are as of the last customer import (${addDays(today, -1)})`,
  );
  const winter = plan.occurrences.find(
    (o) => o.campaignName === "Winter collection: all customers",
  );
  expect(winter?.warnings.join(" ")).toMatch(/exceed the send budget of its SFMC account/);
  expect(winter?.warnings.join(" ")).toMatch(/Its last batch goes out at /);
  expect(plan.occurrences.map((o) => o.campaignName)).toContain("Welcome: new sign-ups");
  // Its minimum detectable uplift, from the group's last week: known before the send.
  const sent = await get<{
    occurrences: { campaignName: string; minimumDetectableUplift: number | null }[];
  }>(`/api/plan?date=${sendDate}`);
  for (const occurrence of sent.occurrences)
    expect(occurrence.minimumDetectableUplift, occurrence.campaignName).toBeGreaterThan(0);
  // After the send, the analysis takes the rate without the push from the control group.
  const analysis = await get<{
    minimumDetectableUplift: number | null;
    responseRate: { control: number };
    groups: { test: { customers: number }; control: { customers: number } };
  }>(`/api/campaigns/${summary.winBackCampaignId}/analysis`);
  expect(analysis.minimumDetectableUplift).toBeCloseTo(
    minimumDetectableUplift(
      analysis.responseRate.control,
      analysis.groups.test.customers,
      analysis.groups.control.customers,
    ) ?? Number.NaN,
    10,
  );
});
