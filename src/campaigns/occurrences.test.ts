import { describe, expect, it } from "vitest";
import { addDays } from "../time/zones.ts";
import {
  type CampaignTiming,
  nightlyRunInstant,
  occurrencesBetween,
  occurrencesDue,
} from "./occurrences.ts";
import { Schedule } from "./schedule.ts";

const UTC_NIGHT = { nightlyAt: "02:00", timeZone: "UTC" };

function campaign(
  id: number,
  sendTime: string,
  timeZone: string,
  schedule: unknown = { type: "daily", start: "2026-01-01" },
): CampaignTiming & { name: string } {
  return { id, name: `c${id}`, schedule: Schedule.parse(schedule), sendTime, timeZone };
}

/** The due occurrences as "id localDate sendAt" lines. */
const lines = (due: { campaign: { id: number }; localDate: string; sendAt: Date }[]) =>
  due.map((d) => `${d.campaign.id} ${d.localDate} ${d.sendAt.toISOString()}`);

describe("nightlyRunInstant", () => {
  it("starts the run at nightlyAt in the schedule's zone, by the same DST rule as sends", () => {
    expect(nightlyRunInstant("2026-06-01", "02:00", "UTC").toISOString()).toBe(
      "2026-06-01T02:00:00.000Z",
    );
    // 02:30 does not exist in Berlin on 2026-03-29: the run starts at 03:30 CEST.
    expect(nightlyRunInstant("2026-03-29", "02:30", "Europe/Berlin").toISOString()).toBe(
      "2026-03-29T01:30:00.000Z",
    );
    // 02:30 happens twice on 2026-10-25: the run starts at the first.
    expect(nightlyRunInstant("2026-10-25", "02:30", "Europe/Berlin").toISOString()).toBe(
      "2026-10-25T00:30:00.000Z",
    );
  });
});

describe("occurrencesDue", () => {
  it("hands over what is sent from this run's start until the next run's start (UTC 02:00)", () => {
    const campaigns = [
      campaign(3, "10:00", "UTC"),
      campaign(1, "01:59", "UTC"), // before 02:00: still the previous night's
      campaign(2, "02:00", "UTC"), // exactly at the run: this night's
      campaign(4, "10:00", "UTC"),
    ];
    expect(lines(occurrencesDue(campaigns, "2026-06-01", UTC_NIGHT))).toEqual([
      "2 2026-06-01 2026-06-01T02:00:00.000Z",
      "3 2026-06-01 2026-06-01T10:00:00.000Z",
      "4 2026-06-01 2026-06-01T10:00:00.000Z",
      "1 2026-06-02 2026-06-02T01:59:00.000Z",
    ]);
    expect(occurrencesDue(campaigns, "2026-06-01", UTC_NIGHT)[0]?.campaign.name).toBe("c2");
  });

  it("hands a Tokyo campaign at 08:00 over in the UTC night before", () => {
    const tokyo = [campaign(1, "08:00", "Asia/Tokyo", { type: "once", date: "2026-06-02" })];
    // 08:00 JST on 2026-06-02 is 23:00 UTC on 2026-06-01.
    expect(lines(occurrencesDue(tokyo, "2026-06-01", UTC_NIGHT))).toEqual([
      "1 2026-06-02 2026-06-01T23:00:00.000Z",
    ]);
    expect(occurrencesDue(tokyo, "2026-06-02", UTC_NIGHT)).toEqual([]);
  });

  it("hands a Los Angeles campaign at 23:30 over in the UTC night after its local date", () => {
    const la = [campaign(1, "23:30", "America/Los_Angeles", { type: "once", date: "2026-06-01" })];
    expect(occurrencesDue(la, "2026-06-01", UTC_NIGHT)).toEqual([]);
    // 23:30 PDT on 2026-06-01 is 06:30 UTC on 2026-06-02.
    expect(lines(occurrencesDue(la, "2026-06-02", UTC_NIGHT))).toEqual([
      "1 2026-06-01 2026-06-02T06:30:00.000Z",
    ]);
  });

  it("moves the boundary with a nightlyAt that a DST change skips or repeats", () => {
    const berlin = { nightlyAt: "02:30", timeZone: "Europe/Berlin" };
    const early = [campaign(1, "03:15", "Europe/Berlin")];
    // The run of 03-29 starts at 03:30 CEST, so 03:15 that morning is still the run of 03-28's,
    // and 03:15 on 03-30 is after the run of 03-30 starts (02:30): the run of 03-29 has nothing.
    expect(lines(occurrencesDue(early, "2026-03-28", berlin))).toEqual([
      "1 2026-03-28 2026-03-28T02:15:00.000Z",
      "1 2026-03-29 2026-03-29T01:15:00.000Z",
    ]);
    expect(occurrencesDue(early, "2026-03-29", berlin)).toEqual([]);
    expect(lines(occurrencesDue(early, "2026-03-30", berlin))).toEqual([
      "1 2026-03-30 2026-03-30T01:15:00.000Z",
    ]);
    // The run of 10-25 starts at the first 02:30 (00:30 UTC) and lasts 25 hours, to 02:30 CET on
    // 10-26 (01:30 UTC): it hands over 02:45 on 10-25 (first occurrence) and 02:15 on 10-26.
    const repeated = [campaign(1, "02:45", "Europe/Berlin"), campaign(2, "02:15", "Europe/Berlin")];
    expect(lines(occurrencesDue(repeated, "2026-10-25", berlin))).toEqual([
      "1 2026-10-25 2026-10-25T00:45:00.000Z",
      "2 2026-10-26 2026-10-26T01:15:00.000Z",
    ]);
    expect(lines(occurrencesDue(repeated, "2026-10-24", berlin))).toEqual([
      "1 2026-10-24 2026-10-24T00:45:00.000Z",
      "2 2026-10-25 2026-10-25T00:15:00.000Z",
    ]);
  });

  it("finds occurrences three local days ahead between the zones furthest apart", () => {
    const night = { nightlyAt: "23:59", timeZone: "Pacific/Pago_Pago" }; // UTC-11
    const kiritimati = [campaign(1, "00:00", "Pacific/Kiritimati")]; // UTC+14
    // The run of 06-01 starts at 10:59 UTC on 06-02 and 00:00 on 06-04 in Kiritimati is 10:00 UTC on 06-03.
    expect(lines(occurrencesDue(kiritimati, "2026-06-01", night))).toEqual([
      "1 2026-06-04 2026-06-03T10:00:00.000Z",
    ]);
  });
});

describe("occurrencesBetween", () => {
  const zones = ["UTC", "Asia/Tokyo", "America/Los_Angeles", "Europe/Berlin", "Pacific/Auckland"];
  const campaigns = zones.flatMap((zone, z) =>
    ["00:00", "01:59", "02:00", "08:00", "23:30"].map((time, t) =>
      campaign(10 * z + t, time, zone, {
        type: "weekly",
        days: ["mon", "wed", "sat"],
        start: "2026-03-20",
        end: "2026-04-10",
      }),
    ),
  );

  it("gives each occurrence to exactly one run, the same one occurrencesDue gives it", () => {
    const berlin = { nightlyAt: "02:30", timeZone: "Europe/Berlin" };
    const calendar = occurrencesBetween(campaigns, "2026-03-15", "2026-04-15", berlin);
    const byRun = [];
    for (let date = "2026-03-15"; date <= "2026-04-15"; date = addDays(date, 1))
      byRun.push(
        ...occurrencesDue(campaigns, date, berlin).map((due) => ({ ...due, runDate: date })),
      );
    expect(calendar).toEqual(byRun);
    // Mondays, Wednesdays and Saturdays from 03-20 to 04-10: 9 per campaign.
    const perCampaign = new Map<number, number>();
    for (const due of calendar)
      perCampaign.set(due.campaign.id, (perCampaign.get(due.campaign.id) ?? 0) + 1);
    expect([...new Set(perCampaign.values())]).toEqual([9]);
    const keys = calendar.map((due) => `${due.campaign.id} ${due.localDate}`);
    expect(new Set(keys).size).toBe(keys.length);
    for (const due of calendar) {
      const start = nightlyRunInstant(due.runDate, "02:30", "Europe/Berlin");
      const next = nightlyRunInstant(addDays(due.runDate, 1), "02:30", "Europe/Berlin");
      expect(due.sendAt >= start && due.sendAt < next).toBe(true);
    }
  });

  it("is empty for a range that ends before it starts", () => {
    expect(occurrencesBetween(campaigns, "2026-03-20", "2026-03-19", UTC_NIGHT)).toEqual([]);
  });
});
