/**
 * The demo's data, made through Nightjar's own use cases on the shared clock: fifteen nights of a
 * shop's life ending last night. The first night imports the customer base and its year of
 * purchases; every night imports the day's snapshot and purchases and runs the model; a week in,
 * a marketer plans the campaigns; the next night sends four of them (one exceeds the account's
 * budget and goes out spread over the next windows); the seven nights after collect SFMC's
 * delivery reports, and a fifth campaign waits for tonight, over the budget too (the plan's
 * warning). Tonight's files are in the drop folder for a "Run now". The win-back push works — its test group buys more than its control group — and the
 * others do not, so the analysis shows a significant uplift on one campaign and none on another.
 */
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { addUser } from "../src/access/users.ts";
import type { App } from "../src/app.ts";
import { type Actor, userActor } from "../src/audit/audit.ts";
import { createCampaign } from "../src/campaigns/campaigns.ts";
import type { NightReport } from "../src/delivery/night-report.ts";
import { type RunEvent, runNight } from "../src/delivery/nightly-run.ts";
import { NIGHTLY_RUN_ACTOR } from "../src/delivery/occurrence-states.ts";
import { recipientsExport } from "../src/delivery/recipients-export.ts";
import { NightjarError } from "../src/errors.ts";
import { analyzeCampaign } from "../src/metrics/analysis.ts";
import { seededRandom } from "../src/model/stats/simulate.ts";
import { listUsableMessages } from "../src/sfmc/sync.ts";
import { createTargetGroup } from "../src/targeting/target-groups.ts";
import { addDays } from "../src/time/zones.ts";
import { DEMO_MARKETER, DEMO_SIGN_IN, DROP_FOLDER } from "./config.ts";
import {
  type CustomerBase,
  customerFile,
  customersOn,
  type DemoPurchase,
  generateCustomerBase,
  purchaseMinute,
  transactionsFile,
} from "./customer-base.ts";
import { campaignPlans, GROUPS, tonightsSend } from "./plans.ts";

const DAY_MS = 86_400_000;

/** The demo's set-up could not be completed (a night failed). */
export class DemoSetupError extends NightjarError {
  override name = "DemoSetupError";
}

/** What the set-up tells while it works. */
export type DemoEvent =
  /** A phase begins: `done` of `total` phases are behind. */
  | { type: "phase"; label: string; done: number; total: number }
  /** A step of the current night. */
  | { type: "detail"; text: string }
  /** A phase is done; `line` says what it did. */
  | { type: "done"; line: string };

export interface DemoSetupOptions {
  /** The folder of the demo's config file: the drop folder is made in it. */
  folder: string;
  /** Customers who signed up before the first night (the demo: 100,000). */
  customers: number;
  /** The demo's today: its nights are the fifteen before it. */
  today: string;
  /** Moves the shared clock (the emulator's) to an instant. */
  setTime(at: Date): void;
  /** Real time, which tonight's campaign is planned after. */
  now(): Date;
  signal?: AbortSignal;
  onEvent?: (event: DemoEvent) => void;
}

/** What the set-up made. */
export interface DemoSummary {
  customers: number;
  purchases: number;
  nights: { date: string; runId: number; status: NightReport["status"] }[];
  targetGroups: { id: number; name: string }[];
  campaigns: { id: number; name: string; verdict: string; significance: string }[];
  /** The campaign whose push works. */
  winBackCampaignId: number;
  /** The date the one-off campaigns were sent. */
  sendDate: string;
  /** The campaign planned for tonight. */
  tonightCampaignId: number;
}

const at = (date: string, time: string) => new Date(`${date}T${time}:00Z`);

/**
 * The win-back push's effect: one in six test members who have the app it was sent to (odd
 * contact keys are registered on the Android app) buys within the week, most in the first days.
 */
function winBackPurchases(testKeys: string[], base: CustomerBase, sendAt: Date): DemoPurchase[] {
  const rnd = seededRandom(4711);
  const purchases: DemoPurchase[] = [];
  const last = sendAt.getTime() + 6 * DAY_MS + 10 * 3_600_000;
  for (const key of testKeys) {
    const index = Number(key.slice(1));
    if (index % 2 === 0 || rnd() >= 1 / 6) continue;
    const day = Math.min(6, Math.floor(-Math.log(1 - rnd()) * 1.5));
    const dayStart = Math.floor(sendAt.getTime() / DAY_MS) * DAY_MS + day * DAY_MS;
    // The push arrives at the send time: that day's purchases come after it.
    const earliest = day === 0 ? sendAt.getTime() + 10 * 60_000 : dayStart;
    const time = Math.min(last, Math.max(earliest, dayStart + purchaseMinute(rnd) * 60_000));
    const spend = base.customers[index]?.spend ?? 40;
    purchases.push({
      customer: index,
      at: time,
      amount: Math.round(spend * (0.6 + 0.8 * rnd()) * 100) / 100,
      id: `W${index}`,
    });
  }
  return purchases;
}

/** The frozen test list of a campaign's occurrence, in its batches' order. */
async function testList(app: App, campaignId: number, date: string): Promise<string[]> {
  const list = await recipientsExport(app, campaignId, { occurrence: date });
  const keys: string[] = [];
  for await (const row of list.rows) if (row.group === "test") keys.push(row.contactKey);
  return keys;
}

/** Use case: makes the demo's data (see the file's comment) and answers what it made. */
export async function setUpDemo(app: App, options: DemoSetupOptions): Promise<DemoSummary> {
  const { signal } = options;
  const emit = (event: DemoEvent) => options.onEvent?.(event);
  const sendDate = addDays(options.today, -8);
  const planningNight = addDays(sendDate, -1);
  // A week of nights before the send: the baseline of each group's minimum detectable uplift.
  const firstNight = addDays(sendDate, -7);
  const nights = Array.from({ length: 15 }, (_, i) => addDays(firstNight, i));
  const total = nights.length + 3;
  const drop = path.join(options.folder, DROP_FOLDER);
  await mkdir(drop, { recursive: true });

  emit({ type: "phase", label: "Generating the customer base", done: 0, total });
  const base = generateCustomerBase({
    size: options.customers,
    joinersPerDay: Math.max(5, Math.round(options.customers / 800)),
    firstNight,
    lastDay: addDays(options.today, -1),
  });
  const purchases = base.history.length + [...base.days.values()].reduce((s, d) => s + d.length, 0);
  emit({
    type: "done",
    line: `${count(options.customers)} customers and a year of purchases (${count(purchases)}) generated, ${count(base.customers.length - options.customers)} more joining over the ${nights.length} days`,
  });

  options.setTime(at(firstNight, "01:00"));
  const admin = await addUser(app, NIGHTLY_RUN_ACTOR, { ...DEMO_SIGN_IN, role: "admin" });
  await addUser(app, NIGHTLY_RUN_ACTOR, {
    email: DEMO_MARKETER,
    password: DEMO_SIGN_IN.password,
    role: "marketer",
  });
  // The campaigns are planned by the admin, as the audit log then shows.
  const planner: Actor = userActor({ userId: admin.id, email: admin.email });

  const summary: DemoSummary = {
    customers: base.customers.length,
    purchases,
    nights: [],
    targetGroups: [],
    campaigns: [],
    winBackCampaignId: 0,
    sendDate,
    tonightCampaignId: 0,
  };
  const extra = new Map<string, DemoPurchase[]>();
  let done = 1;
  for (const night of nights) {
    signal?.throwIfAborted();
    emit({ type: "phase", label: `Nightly run of ${night}`, done, total });
    // The day's files land in the drop folder before the night: the snapshot, and the purchases
    // of the day before (the first night: the whole year).
    const yesterday = addDays(night, -1);
    const dayPurchases =
      night === firstNight
        ? base.history
        : [...(base.days.get(yesterday) ?? []), ...(extra.get(yesterday) ?? [])];
    await writeFile(
      path.join(drop, `customers-${night}.csv`),
      customerFile(customersOn(base, night)),
    );
    await writeFile(path.join(drop, `transactions-${night}.csv`), transactionsFile(dayPurchases));
    options.setTime(at(night, "02:00"));
    const report = await runNight(app, {
      date: night,
      trigger: "schedule",
      actor: NIGHTLY_RUN_ACTOR,
      command: "npm run demo",
      onEvent: (event) => describe(event, emit),
      ...(signal ? { signal } : {}),
    });
    if (report.status !== "completed")
      throw new DemoSetupError(
        `the nightly run of ${night} ended ${report.status}: ${report.error ?? "see nightjar runs"}`,
      );
    summary.nights.push({ date: night, runId: report.runId, status: report.status });
    emit({ type: "done", line: nightLine(report) });
    done += 1;

    if (night === planningNight) {
      emit({ type: "phase", label: "Planning the campaigns", done, total });
      options.setTime(at(night, "10:00"));
      summary.targetGroups = await createGroups(app, planner);
      const ids = new Map(summary.targetGroups.map((g) => [g.name, g.id]));
      const messages = await listUsableMessages(app.db.kysely);
      for (const plan of campaignPlans(sendDate, tonightsSend(options.today, options.now()))) {
        const message = messages.find((m) => m.name === plan.message);
        const { campaign } = await createCampaign(app, planner, {
          name: plan.name,
          targetGroupId: ids.get(plan.group),
          businessUnit: plan.businessUnit,
          appId: plan.appId,
          messageId: message?.id,
          schedule: plan.schedule,
          sendTime: plan.sendTime,
          timeZone: plan.timeZone,
          controlGroupPercent: plan.controlGroupPercent,
          priority: plan.priority,
          exclusive: plan.exclusive,
        });
        summary.campaigns.push({
          id: campaign.id,
          name: campaign.name,
          verdict: "",
          significance: "",
        });
      }
      summary.winBackCampaignId = summary.campaigns[0]?.id ?? 0;
      summary.tonightCampaignId = summary.campaigns.at(-1)?.id ?? 0;
      emit({
        type: "done",
        line: `${summary.targetGroups.length} target groups and ${summary.campaigns.length} campaigns planned for ${sendDate}`,
      });
      done += 1;
    }
    if (night === sendDate) {
      // The win-back push works: its test group's extra purchases land in the week's files.
      const keys = await testList(app, summary.winBackCampaignId, sendDate);
      for (const purchase of winBackPurchases(keys, base, at(sendDate, "09:00"))) {
        const day = new Date(purchase.at).toISOString().slice(0, 10);
        const onDay = extra.get(day) ?? [];
        onDay.push(purchase);
        extra.set(day, onDay);
      }
    }
  }

  // Tonight's files, for the night a "Run now" (or `nightjar run`) makes.
  const yesterday = addDays(options.today, -1);
  await writeFile(
    path.join(drop, `customers-${options.today}.csv`),
    customerFile(customersOn(base, options.today)),
  );
  await writeFile(
    path.join(drop, `transactions-${options.today}.csv`),
    transactionsFile(base.days.get(yesterday) ?? []),
  );

  emit({ type: "phase", label: "Analysing the campaigns", done, total });
  for (const campaign of summary.campaigns) {
    if (campaign.id === summary.tonightCampaignId) {
      campaign.verdict = "planned for tonight";
      continue;
    }
    const analysis = await analyzeCampaign(app, campaign.id, { occurrence: sendDate });
    campaign.verdict = analysis.verdict;
    campaign.significance = analysis.significance;
    emit({ type: "done", line: `${campaign.name}: ${analysis.verdict}` });
  }
  return summary;
}

async function createGroups(app: App, actor: Actor): Promise<{ id: number; name: string }[]> {
  const groups: { id: number; name: string }[] = [];
  for (const group of GROUPS) {
    const saved = await createTargetGroup(app, actor, group);
    groups.push({ id: saved.id, name: saved.name });
  }
  return groups;
}

const count = (n: number) => n.toLocaleString("en-US");

/** A night's progress as one detail line. */
function describe(event: RunEvent, emit: (event: DemoEvent) => void): void {
  if (event.type === "step" && event.status === "running")
    emit({ type: "detail", text: event.step });
  if (event.type === "delivery") {
    const sent = event.accounts.reduce((s, a) => s + a.recipientsDone, 0);
    const all = event.accounts.reduce((s, a) => s + a.recipients, 0);
    emit({
      type: "detail",
      text: `deliver: ${count(sent)} of ${count(all)} recipients handed over`,
    });
  }
}

/** What a night did, in one line. */
function nightLine(report: NightReport): string {
  const counts = (step: string) => report.steps.find((s) => s.step === step)?.counts ?? {};
  const number = (value: unknown) => (typeof value === "number" ? count(value) : "?");
  const parts = [`night ${report.date} ${report.status}`];
  parts.push(`${number(counts("import-transactions").inserted)} purchases imported`);
  parts.push(`${number(counts("model").customers)} customers modelled`);
  if (report.campaigns.length > 0) {
    const recipients = report.campaigns.reduce((s, c) => s + c.recipients, 0);
    const batches = report.campaigns.reduce((s, c) => s + c.batches, 0);
    parts.push(
      `${report.campaigns.length} campaign(s): ${count(recipients)} recipients in ${count(batches)} batches handed over`,
    );
  }
  return parts.join(", ");
}
