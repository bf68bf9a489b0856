// The analysis of a recurring campaign (one per occurrence, side by side, one pre-period before
// the first), of a campaign without a control group and of one too small to judge; the analysis
// kept once a window has ended, and computed again only when transactions of its periods arrive.
import { afterEach, beforeEach, expect, it } from "vitest";
import { useEmulator } from "../emulator/test-helpers.ts";
import { cliActor } from "../src/audit/audit.ts";
import { createCampaign, UnknownCampaignError } from "../src/campaigns/campaigns.ts";
import { importTransactionsFile } from "../src/customers/import-transactions.ts";
import { runNight } from "../src/delivery/nightly-run.ts";
import { analyzeCampaign, NoOccurrenceError } from "../src/metrics/analysis.ts";
import type { CampaignFixture } from "./helpers/campaigns.ts";
import { describeEachEngine } from "./helpers/engines.ts";
import { tempFolder } from "./helpers/files.ts";
import { nightFixture, type sharedClock } from "./helpers/night.ts";

const emulator = useEmulator();
const files = tempFolder();

describeEachEngine("the analysis of every occurrence", (test) => {
  let f: CampaignFixture & { clock: ReturnType<typeof sharedClock> };
  let imports = 0;
  const purchases = async (lines: string[]) => {
    imports += 1;
    const file = await files.file(`purchases-${imports}.csv`, [
      "contact_key,occurred_at,amount",
      ...lines,
    ]);
    await importTransactionsFile(f.t.app, { path: file });
  };
  beforeEach(async () => {
    f = await nightFixture(test().db, emulator(), { now: "2026-12-02T01:00:00Z" });
    await f.customers(2_000, "2026-10-01");
  });
  afterEach(async () => {
    await f.t.close();
  });

  it("analyzes a daily campaign per occurrence, and a campaign without control or too small", async () => {
    const app = f.t.app;
    // Every fourth customer bought in November (C000004, C000008, …).
    await purchases(
      Array.from(
        { length: 500 },
        (_, i) => `C${String((i + 1) * 4).padStart(6, "0")},2026-11-20 10:00,30`,
      ),
    );
    const everyone = await f.everyone();
    const few = await f.group("Few", { field: "contact_key", op: "starts_with", value: "C00003" });
    const body = (name: string, group: number, extra: Record<string, unknown>) =>
      f.campaignBody(group, { name, exclusive: false, ...extra });
    const daily = (
      await createCampaign(
        app,
        cliActor(),
        body("Daily", everyone, {
          schedule: { type: "daily", start: "2026-12-02" },
          controlGroupPercent: 10,
          measurementDays: 3,
        }),
      )
    ).campaign;
    const uncontrolled = (
      await createCampaign(app, cliActor(), body("All in", everyone, { controlGroupPercent: 0 }))
    ).campaign;
    const tiny = (
      await createCampaign(app, cliActor(), body("Tiny", few, { controlGroupPercent: 50 }))
    ).campaign;
    const unsent = (
      await createCampaign(
        app,
        cliActor(),
        body("Later", everyone, { schedule: { type: "once", date: "2027-01-05" } }),
      )
    ).campaign;

    for (const date of ["2026-12-02", "2026-12-03"]) {
      f.clock.set(`${date}T02:00:00Z`);
      const night = await runNight(app, { date, trigger: "cli", actor: cliActor() });
      expect(night.status).toBe("completed");
    }
    // Customers C000001… bought on 2026-12-04: in both windows of the daily campaign.
    await purchases(
      Array.from(
        { length: 300 },
        (_, i) => `C${String(i + 1).padStart(6, "0")},2026-12-04 12:00,20`,
      ),
    );

    const kept = async () =>
      (
        await app.db.kysely
          .selectFrom("occurrence_analyses as a")
          .innerJoin("campaign_occurrences as o", "o.id", "a.occurrence_id")
          .select(["o.local_date", "a.computed_at"])
          .where("o.campaign_id", "=", daily.id)
          .orderBy("o.local_date")
          .execute()
      ).map((r) => [r.local_date, r.computed_at.toISOString()]);
    const running = await analyzeCampaign(app, daily.id);
    // Read again an hour later with no new import: the open windows are not summed again.
    f.clock.set("2026-12-03T03:00:00Z");
    expect(await analyzeCampaign(app, daily.id)).toEqual(running);
    expect(await kept()).toEqual([
      ["2026-12-02", "2026-12-03T02:00:00.000Z"],
      ["2026-12-03", "2026-12-03T02:00:00.000Z"],
    ]);
    expect(running.occurrence).toBe("2026-12-03");
    expect(
      running.occurrences.map((o) => [o.occurrence, o.window, o.preperiod, o.complete]),
    ).toEqual([
      [
        "2026-12-02",
        { from: "2026-12-02", to: "2026-12-04" },
        { from: "2026-11-04", to: "2026-12-01" },
        false,
      ],
      [
        "2026-12-03",
        { from: "2026-12-03", to: "2026-12-05" },
        { from: "2026-11-04", to: "2026-12-01" },
        false,
      ],
    ]);
    const first = await analyzeCampaign(app, daily.id, { occurrence: "2026-12-02" });
    expect(first.occurrence).toBe("2026-12-02");
    expect(first.occurrences).toEqual(running.occurrences);
    expect(first.groups.test.customers + first.groups.control.customers).toBe(2_000);
    expect(first.groups.test.responders + first.groups.control.responders).toBe(300);
    await expect(analyzeCampaign(app, daily.id, { occurrence: "2026-12-09" })).rejects.toThrow(
      `campaign #${daily.id} has no occurrence on 2026-12-09; its occurrences: 2026-12-02, 2026-12-03`,
    );
    await expect(analyzeCampaign(app, unsent.id)).rejects.toBeInstanceOf(NoOccurrenceError);
    await expect(analyzeCampaign(app, 999)).rejects.toBeInstanceOf(UnknownCampaignError);

    // Both windows have ended: the analyses are kept.
    f.clock.set("2026-12-06T03:00:00Z");
    const ended = await analyzeCampaign(app, daily.id);
    expect(ended.occurrences.map((o) => o.complete)).toEqual([true, true]);
    expect(await kept()).toEqual([
      ["2026-12-02", "2026-12-06T03:00:00.000Z"],
      ["2026-12-03", "2026-12-06T03:00:00.000Z"],
    ]);
    // A purchase outside every period of both changes nothing: the kept figures are answered.
    f.clock.set("2026-12-07T03:00:00Z");
    await purchases(["C000002,2026-10-15 10:00,99"]);
    expect(await analyzeCampaign(app, daily.id)).toEqual(ended);
    expect((await kept()).map(([, at]) => at)).toEqual([
      "2026-12-06T03:00:00.000Z",
      "2026-12-06T03:00:00.000Z",
    ]);
    // One in the second window only: that occurrence is computed again, the first stays.
    await purchases(["C001999,2026-12-05 10:00,50"]);
    const later = await analyzeCampaign(app, daily.id);
    expect(await kept()).toEqual([
      ["2026-12-02", "2026-12-06T03:00:00.000Z"],
      ["2026-12-03", "2026-12-07T03:00:00.000Z"],
    ]);
    const added = later.groups.test.revenue + later.groups.control.revenue;
    expect(added).toBe(ended.groups.test.revenue + ended.groups.control.revenue + 50);

    const all = await analyzeCampaign(app, uncontrolled.id);
    expect(all).toMatchObject({
      significance: "not_measurable",
      groups: { test: { customers: 2_000 }, control: { customers: 0 } },
      // The 300 buyers of 2026-12-04 and the one of 2026-12-05.
      responseRate: { test: 301 / 2_000, control: null, uplift: null, pValue: null },
      minimumDetectableUplift: null,
    });
    expect(all.verdict).toContain("Cannot be measured");

    const small = await analyzeCampaign(app, tiny.id);
    expect(small.significance).toBe("not_enough_data");
    expect(small.groups.test.customers + small.groups.control.customers).toBe(10);
    expect(small.verdict).toMatch(/^Not enough data/);
  });
});
