// The freeze and what it keeps: the frequency cap over pushes frozen in the window (tonight's
// occurrences in priority order), exactly as the plan predicted; exclusivity against an
// occurrence frozen earlier the same night; a frozen list is never rebuilt; the control group an
// auditor recomputes from md5('<campaign id>:<key>'); retention deletes old lists, keeps counts.
import { createHash } from "node:crypto";
import { sql } from "kysely";
import { afterEach, expect, it } from "vitest";
import { useEmulator } from "../emulator/test-helpers.ts";
import { cliActor } from "../src/audit/audit.ts";
import { type Campaign, createCampaign } from "../src/campaigns/campaigns.ts";
import type { NightjarConfig } from "../src/config/schema.ts";
import { freezeNight } from "../src/delivery/freeze.ts";
import { runNight } from "../src/delivery/nightly-run.ts";
import { planNight } from "../src/delivery/plan.ts";
import { purgeExpiredLists } from "../src/delivery/retention.ts";
import { analyzeCampaign } from "../src/metrics/analysis.ts";
import { updateTargetGroup } from "../src/targeting/target-groups.ts";
import { type CampaignFixture, campaignFixture } from "./helpers/campaigns.ts";
import { describeEachEngine } from "./helpers/engines.ts";

const emulator = useEmulator();
const N = 2000;
const KEYS = Array.from({ length: N }, (_, i) => `C${String(i + 1).padStart(6, "0")}`);
const isDe = (key: string) => Number(key.slice(1)) % 2 === 0;

/** The auditor's control check: md5('<campaign id>:<key>'), 8 hex digits, mod 10000 < percent×100. */
function inControl(campaignId: number, key: string, percent: number): boolean {
  const hex = createHash("md5").update(`${campaignId}:${key}`).digest("hex").slice(0, 8);
  return Number.parseInt(hex, 16) % 10_000 < percent * 100;
}

describeEachEngine("the freeze", (test) => {
  let f: CampaignFixture;
  const start = async (config?: (c: NightjarConfig) => void) => {
    f = await campaignFixture(test().db, emulator(), config ? { config } : {});
    await f.customers(N, "2026-10-01");
  };
  afterEach(async () => {
    await f?.t.close();
  });
  const db = () => test().db.kysely;
  const campaign = async (
    name: string,
    group: number,
    extra: Record<string, unknown>,
  ): Promise<Campaign> =>
    (await createCampaign(f.t.app, cliActor(), f.campaignBody(group, { name, ...extra }))).campaign;
  /** The frozen list (every occurrence) of campaign `campaignId`: test and control keys, sorted. */
  const list = async (campaignId: number) => {
    const rows = await sql<{ contact_key: string; control: boolean }>`
      select r.contact_key, r.control from occurrence_recipients r
      join campaign_occurrences o on o.id = r.occurrence_id
      where o.campaign_id = ${campaignId} order by r.contact_key`.execute(db());
    return {
      test: rows.rows.filter((r) => !r.control).map((r) => r.contact_key),
      control: rows.rows.filter((r) => r.control).map((r) => r.contact_key),
    };
  };

  it("caps pushes per customer over the window, tonight's in priority order, as the plan predicted", async () => {
    await start((c) => {
      c.campaigns.frequencyCap = { maxPushes: 1, perDays: 7 };
    });
    const all = await f.everyone();
    const fr = await f.group("FR", { field: "country", op: "eq", value: "FR" });
    const de = await f.group("DE", { field: "country", op: "eq", value: "DE" });
    const open = { exclusive: false, controlGroupPercent: 10 };
    // Outside the window (before 2026-11-26 02:00): its FR pushes do not count.
    f.t.clock.set("2026-11-19T09:00:00Z");
    const old = await campaign("Old FR", fr, {
      ...open,
      schedule: { type: "once", date: "2026-11-20" },
    });
    expect((await freezeNight(f.t.app, { date: "2026-11-20" })).frozen).toHaveLength(1);
    f.t.clock.set("2026-12-01T01:00:00Z");
    const prior = await campaign("Prior DE", de, {
      ...open,
      schedule: { type: "once", date: "2026-12-01" },
    });
    expect((await freezeNight(f.t.app, { date: "2026-12-01" })).frozen).toHaveLength(1);
    const b = await campaign("First", all, { ...open, priority: 1 });
    const c = await campaign("Second", all, {
      exclusive: false,
      controlGroupPercent: 20,
      priority: 2,
    });

    const plan = await planNight(f.t.app, { date: "2026-12-02" });
    const frozen = await freezeNight(f.t.app, { date: "2026-12-02" });
    expect(frozen.frozen).toHaveLength(2);

    // What an auditor expects: a prior push (Prior DE's test group) leaves no push tonight; First
    // goes before Second; control members are not pushed, so they use up nothing.
    const priorTest = new Set(KEYS.filter((k) => isDe(k) && !inControl(prior.id, k, 10)));
    expect((await list(old.id)).test.length).toBeGreaterThan(800);
    expect(new Set((await list(prior.id)).test)).toEqual(priorTest);
    const expected = {
      b: { test: [] as string[], control: [] as string[], capped: 0 },
      c: { test: [] as string[], control: [] as string[], capped: 0 },
    };
    for (const k of KEYS) {
      const pushed = priorTest.has(k) ? 1 : 0;
      let used = pushed;
      if (inControl(b.id, k, 10)) expected.b.control.push(k);
      else if (used < 1) {
        expected.b.test.push(k);
        used++;
      } else expected.b.capped++;
      if (inControl(c.id, k, 20)) expected.c.control.push(k);
      else if (used < 1) expected.c.test.push(k);
      else expected.c.capped++;
    }
    const got = { b: await list(b.id), c: await list(c.id) };
    expect(got.b).toEqual({ test: expected.b.test, control: expected.b.control });
    expect(got.c).toEqual({ test: expected.c.test, control: expected.c.control });
    expect(expected.c.capped).toBeGreaterThan(1000);
    // Nobody got two pushes in the window.
    const pushes = await sql<{ n: number }>`
      select count(*)::integer as n from (
        select r.contact_key from occurrence_recipients r join campaign_occurrences o on o.id = r.occurrence_id
        where not r.control and o.run_date >= '2026-11-26' group by r.contact_key having count(*) > 1) x`.execute(
      db(),
    );
    expect(pushes.rows[0]?.n).toBe(0);

    // The plan before the freeze said exactly this: sizes, the cap, batches.
    const byId = new Map(frozen.frozen.map((o) => [o.campaignId, o]));
    for (const [id, want] of [
      [b.id, expected.b],
      [c.id, expected.c],
    ] as const) {
      const planned = plan.occurrences.find((o) => o.campaignId === id);
      expect(planned).toMatchObject({
        frozen: false,
        test: want.test.length,
        control: want.control.length,
        cappedByFrequency: want.capped,
        batches: byId.get(id)?.batches,
      });
      expect(byId.get(id)).toMatchObject({ test: want.test.length, control: want.control.length });
    }
    // Once frozen, the timeline sums the stored batches: the same windows as predicted.
    const after = await planNight(f.t.app, { date: "2026-12-02" });
    expect(after.occurrences.every((o) => o.frozen)).toBe(true);
    expect(after.timeline).toEqual(plan.timeline);
    expect(plan.timeline[0]?.windows.length).toBeGreaterThan(0);
  });

  it("keeps an exclusive occurrence frozen earlier the same night out of a later one's list", async () => {
    await start();
    const all = await f.everyone();
    const de = await f.group("DE", { field: "country", op: "eq", value: "DE" });
    const first = await campaign("DE first", de, { priority: 2, controlGroupPercent: 10 });
    await freezeNight(f.t.app, { date: "2026-12-02" });
    // Created after the night's first freeze, and of a higher priority: it still cannot take
    // customers already frozen into an exclusive occurrence (test or control) that night.
    const later = await campaign("Everyone later", all, { priority: 1, controlGroupPercent: 10 });
    const plan = await planNight(f.t.app, { date: "2026-12-02" });
    const result = await freezeNight(f.t.app, { date: "2026-12-02" });
    expect(result).toMatchObject({ alreadyFrozen: 1, frozen: [{ campaignId: later.id }] });
    const firstList = await list(first.id);
    expect([...firstList.test, ...firstList.control].sort()).toEqual(KEYS.filter(isDe));
    const laterList = await list(later.id);
    const fr = KEYS.filter((k) => !isDe(k));
    expect([...laterList.test, ...laterList.control].sort()).toEqual(fr);
    expect(laterList.control).toEqual(fr.filter((k) => inControl(later.id, k, 10)));
    expect(plan.occurrences.find((o) => o.campaignId === later.id)).toMatchObject({
      frozen: false,
      test: laterList.test.length,
      control: laterList.control.length,
      lostToHigherPriority: fr.length,
    });
    expect(plan.occurrences.find((o) => o.campaignId === first.id)?.frozen).toBe(true);
  });

  it("never rebuilds a frozen list: the group's rule and the customers change, the date is re-run", async () => {
    await start();
    const de = await f.group("DE", { field: "country", op: "eq", value: "DE" });
    const only = await campaign("DE", de, { controlGroupPercent: 25 });
    await freezeNight(f.t.app, { date: "2026-12-02" });
    const snapshot = async () => ({
      list: await list(only.id),
      batches: (
        await sql`select seq, size, contact_keys, send_at, state from send_batches order by seq`.execute(
          db(),
        )
      ).rows,
      occurrence: (
        await sql`select id, reachable, test, control, frozen_at from campaign_occurrences`.execute(
          db(),
        )
      ).rows,
    });
    const before = await snapshot();
    // Every control key is the auditor's, every other DE key is in the test group.
    const audited = KEYS.filter((k) => isDe(k) && inControl(only.id, k, 25));
    expect(before.list.control).toEqual(audited);
    expect(before.list.test).toEqual(KEYS.filter((k) => isDe(k) && !audited.includes(k)));
    expect(before.batches).toHaveLength(1);

    await updateTargetGroup(f.t.app, cliActor(), de, {
      name: "DE",
      rule: { field: "country", op: "eq", value: "FR" },
    });
    await sql`update customers set country = 'FR' where contact_key <= 'C000500'`.execute(db());
    await sql`delete from customers where contact_key > 'C001500'`.execute(db());
    const again = await freezeNight(f.t.app, { date: "2026-12-02" });
    expect(again).toEqual({ frozen: [], alreadyFrozen: 1, skipped: [] });
    expect(await snapshot()).toEqual(before);
    const plan = await planNight(f.t.app, { date: "2026-12-02" });
    expect(plan.occurrences).toMatchObject([
      { campaignId: only.id, frozen: true, test: before.list.test.length, control: audited.length },
    ]);
  });

  it("deletes lists and batch keys past their retention, keeping the counts; the retention step says how many", async () => {
    await start((c) => {
      c.delivery.retentionDays = 30;
    });
    const de = await f.group("DE", { field: "country", op: "eq", value: "DE" });
    const old = await campaign("Old", de, { measurementDays: 7 });
    const recent = await campaign("Recent", de, {
      measurementDays: 7,
      schedule: { type: "once", date: "2026-12-20" },
    });
    await freezeNight(f.t.app, { date: "2026-12-02" });
    await freezeNight(f.t.app, { date: "2026-12-20" });
    await sql`update campaign_occurrences set state = 'delivered'`.execute(db());
    const counts = async () =>
      (
        await sql<{
          campaign_id: number;
          test: number;
          control: number;
          kept: number;
          keys: number;
          batches: number;
        }>`
          select o.campaign_id, o.test, o.control,
            (select count(*)::integer from occurrence_recipients r where r.occurrence_id = o.id) as kept,
            (select count(*)::integer from send_batches b where b.occurrence_id = o.id and b.contact_keys is not null) as keys,
            (select count(*)::integer from send_batches b where b.occurrence_id = o.id) as batches
          from campaign_occurrences o order by o.campaign_id`.execute(db())
      ).rows;
    const before = await counts();
    // 2026-12-02 + 7 measurement days + 30 retention days = 2027-01-08: kept through that day.
    f.t.clock.set("2027-01-08T23:00:00Z");
    expect(await purgeExpiredLists(f.t.app)).toEqual({ occurrences: 0, recipients: 0, batches: 0 });
    expect(await counts()).toEqual(before);

    f.t.clock.set("2027-01-09T02:00:00Z");
    const report = await runNight(f.t.app, {
      date: "2027-01-09",
      trigger: "cli",
      actor: cliActor(),
    });
    const oldBefore = before.find((r) => r.campaign_id === old.id);
    expect(report.steps.find((s) => s.step === "retention")).toMatchObject({
      status: "completed",
      counts: {
        occurrences: 1,
        recipients: (oldBefore?.test ?? 0) + (oldBefore?.control ?? 0),
        batches: oldBefore?.batches,
      },
    });
    expect(await counts()).toEqual([
      { ...oldBefore, kept: 0, keys: 0 },
      before.find((r) => r.campaign_id === recent.id),
    ]);
    const purged = await db()
      .selectFrom("campaign_occurrences")
      .select(["campaign_id", "lists_purged_at"])
      .orderBy("campaign_id")
      .execute();
    expect(purged.map((p) => p.lists_purged_at !== null)).toEqual([true, false]);
    // The analysis was kept before the list went, and is still answered from it.
    const kept = await analyzeCampaign(f.t.app, old.id);
    expect(kept).toMatchObject({
      occurrence: "2026-12-02",
      complete: true,
      groups: {
        test: { customers: oldBefore?.test },
        control: { customers: oldBefore?.control },
      },
    });
  });
});
