import { describe, expect, it } from "vitest";
import {
  accountBudgets,
  type ExecutionInput,
  type ExecutionSchedule,
  type OccurrenceToSchedule,
  type SendBudget,
  scheduleExecution,
  splitIntoBatches,
} from "./execution-schedule.ts";

const MINUTE = 60_000;
const DEFAULT = { recipients: 250_000, perMinutes: 30, reservePercent: 0 };

/** An instant on 2026-06-01, UTC. */
const at = (time: string) => new Date(`2026-06-01T${time}Z`);
const hhmm = (date: Date | null) => date?.toISOString().slice(11, 16) ?? null;

function occurrence(
  id: string,
  time: string,
  recipients: number,
  more: Partial<OccurrenceToSchedule> = {},
): OccurrenceToSchedule {
  return {
    id,
    budgetKey: "acme",
    sendAt: at(time),
    priority: 5,
    campaignId: 1,
    recipients,
    ...more,
  };
}

/** Each occurrence's batches as "HH:MM×count" runs, in batch order. */
function runs(schedule: ExecutionSchedule): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  const batches = [...schedule.batches].sort((a, b) => a.index - b.index);
  for (const batch of batches) {
    const list = out[batch.occurrenceId] ?? [];
    out[batch.occurrenceId] = list;
    const time = hhmm(batch.at);
    const last = list[list.length - 1];
    const [lastTime, n] = last?.split("×") ?? [];
    if (lastTime === time) list[list.length - 1] = `${time}×${Number(n) + 1}`;
    else list.push(`${time}×1`);
  }
  return out;
}

const limitOf = (b: SendBudget) => Math.floor((b.recipients * (100 - b.reservePercent)) / 100);

/**
 * Independent brute-force check: every rolling window (end − perMinutes, end] of each budget
 * holds at most its limit, counting handed-over batches, except a window whose only batch is one
 * larger than the whole limit.
 */
function expectWithinBudgets(input: ExecutionInput, schedule: ExecutionSchedule): void {
  const keyOf = new Map(input.occurrences.map((o) => [o.id, o.budgetKey]));
  for (const budget of input.budgets) {
    const limit = limitOf(budget);
    const sent = [
      ...(input.handedOver ?? [])
        .filter((b) => b.budgetKey === budget.key)
        .map((b) => ({ minute: Math.floor(b.at.getTime() / MINUTE), size: b.size })),
      ...schedule.batches
        .filter((b) => keyOf.get(b.occurrenceId) === budget.key)
        .map((b) => ({ minute: b.at.getTime() / MINUTE, size: b.size })),
    ];
    const ends = new Set(sent.flatMap((b) => [b.minute, b.minute + budget.perMinutes - 1]));
    for (const end of ends) {
      const inWindow = sent.filter((b) => b.minute > end - budget.perMinutes && b.minute <= end);
      const sum = inWindow.reduce((total, b) => total + b.size, 0);
      if (inWindow.length === 1) continue;
      expect(sum, `window ending ${new Date(end * MINUTE).toISOString()}`).toBeLessThanOrEqual(
        limit,
      );
    }
  }
}

/** The spec, literally and slowly: each batch in order at the earliest minute that fits. */
function reference(input: ExecutionInput): Map<string, number[]> {
  const minutes = new Map<string, number[]>();
  for (const budget of input.budgets) {
    const limit = limitOf(budget);
    const width = budget.perMinutes;
    const sent = (input.handedOver ?? [])
      .filter((b) => b.budgetKey === budget.key)
      .map((b) => ({ minute: Math.floor(b.at.getTime() / MINUTE), size: b.size }));
    const earliest = (o: OccurrenceToSchedule) => Math.ceil(o.sendAt.getTime() / MINUTE);
    const ordered = input.occurrences
      .filter((o) => o.budgetKey === budget.key)
      .sort(
        (a, b) =>
          earliest(a) - earliest(b) ||
          a.priority - b.priority ||
          a.campaignId - b.campaignId ||
          a.id.localeCompare(b.id),
      );
    const fits = (minute: number, size: number) => {
      for (let end = minute; end < minute + width; end++) {
        const sum = sent
          .filter((b) => b.minute > end - width && b.minute <= end)
          .reduce((total, b) => total + b.size, 0);
        if (size > limit ? sum > 0 : sum + size > limit) return false;
      }
      return true;
    };
    for (const o of ordered) {
      const list: number[] = [];
      for (const size of splitIntoBatches(o.recipients)) {
        let minute = earliest(o);
        while (!fits(minute, size)) minute++;
        sent.push({ minute, size });
        list.push(minute);
      }
      minutes.set(o.id, list);
    }
  }
  return minutes;
}

function expectLikeReference(input: ExecutionInput, schedule: ExecutionSchedule): void {
  const got = new Map<string, number[]>();
  for (const batch of [...schedule.batches].sort((a, b) => a.index - b.index))
    got.set(batch.occurrenceId, [
      ...(got.get(batch.occurrenceId) ?? []),
      batch.at.getTime() / MINUTE,
    ]);
  expect(got).toEqual(new Map([...reference(input)].filter(([, list]) => list.length > 0)));
}

describe("splitIntoBatches", () => {
  it("cuts recipients into batches of 5000, the last one smaller", () => {
    expect(splitIntoBatches(0)).toEqual([]);
    expect(splitIntoBatches(5000)).toEqual([5000]);
    expect(splitIntoBatches(12_001)).toEqual([5000, 5000, 2001]);
    expect(splitIntoBatches(7, 3)).toEqual([3, 3, 1]);
    expect(splitIntoBatches(1_000_000)).toHaveLength(200);
    expect(() => splitIntoBatches(-1)).toThrow(RangeError);
    expect(() => splitIntoBatches(10, 0)).toThrow(RangeError);
  });
});

describe("scheduleExecution", () => {
  const acme = [{ key: "acme", ...DEFAULT }];

  it("spreads three campaigns of two BUs of one account over its rolling windows", () => {
    // BU 100 has campaigns 1 and 2, BU 200 campaign 3: all on client id "acme".
    const input: ExecutionInput = {
      budgets: acme,
      occurrences: [
        occurrence("a", "10:00:00", 300_000, { campaignId: 1, priority: 2 }),
        occurrence("b", "10:00:00", 100_000, { campaignId: 2, priority: 1 }),
        occurrence("c", "10:15:00", 150_000, { campaignId: 3, priority: 1 }),
      ],
    };
    const schedule = scheduleExecution(input);
    // b (priority 1) first, then a fills the window; c (10:15) waits until 10:00 leaves the window.
    expect(runs(schedule)).toEqual({
      b: ["10:00×20"],
      a: ["10:00×30", "10:30×30"],
      c: ["10:30×20", "11:00×10"],
    });
    expectWithinBudgets(input, schedule);
    expectLikeReference(input, schedule);
    const [a, b, c] = schedule.occurrences;
    expect(schedule.occurrences.map((o) => o.id)).toEqual(["a", "b", "c"]);
    expect(a).toMatchObject({ batches: 60, latenessMinutes: 30 });
    expect(hhmm(a?.firstBatchAt ?? null)).toBe("10:00");
    expect(hhmm(a?.lastBatchAt ?? null)).toBe("10:30");
    expect(b).toMatchObject({ batches: 20, latenessMinutes: 0, warnings: [] });
    expect(c).toMatchObject({ batches: 30, latenessMinutes: 45 });
    expect(a?.warnings).toEqual([
      "Its 300,000 recipients exceed the send budget of its SFMC account, 250,000 recipients per 30 minutes, so its 60 batches are spread over several windows (SFMC's integration guide advises no more than 250,000 recipients per send).",
    ]);
    expect(c?.warnings).toEqual([
      "Its last batch goes out at 2026-06-01T11:00:00Z (UTC), 45 minutes after its send time 2026-06-01T10:15:00Z, to keep within the send budget of its SFMC account (250,000 recipients per 30 minutes, shared by all its campaigns and business units).",
    ]);
    // Batches come in execution order, with SFMC's UTC-6 SendTime.
    const times = schedule.batches.map((batch) => batch.at.getTime());
    expect(times).toEqual([...times].sort((x, y) => x - y));
    expect(schedule.batches[0]).toMatchObject({ occurrenceId: "b", index: 0, size: 5000 });
    expect(schedule.batches[0]?.sendTime).toBe("2026-06-01 04:00");
  });

  it("keeps accounts with their own client ids independent, and shares one client id's budget", () => {
    const night = (key: string, id: string) => [
      occurrence(`${id}1`, "10:00:00", 200_000, { budgetKey: key, campaignId: 1 }),
      occurrence(`${id}2`, "10:00:00", 100_000, { budgetKey: key, campaignId: 2 }),
    ];
    const apart: ExecutionInput = {
      budgets: [
        { key: "north", ...DEFAULT },
        { key: "south", ...DEFAULT },
      ],
      occurrences: [...night("north", "n"), ...night("south", "s")],
    };
    const independent = scheduleExecution(apart);
    expect(runs(independent)).toEqual({
      n1: ["10:00×40"],
      n2: ["10:00×10", "10:30×10"],
      s1: ["10:00×40"],
      s2: ["10:00×10", "10:30×10"],
    });
    expectWithinBudgets(apart, independent);
    // Two configured accounts (e.g. one per BU) with the same client id are one SFMC account.
    const accounts = [
      { name: "north", clientId: "shared", sendBudget: DEFAULT },
      { name: "south", clientId: "shared", sendBudget: DEFAULT },
    ];
    const together: ExecutionInput = {
      budgets: accountBudgets(accounts),
      occurrences: [...night("shared", "n"), ...night("shared", "s")],
    };
    const shared = scheduleExecution(together);
    expect(runs(shared)).toEqual({
      n1: ["10:00×40"],
      s1: ["10:00×10", "10:30×30"],
      n2: ["10:30×20"],
      s2: ["11:00×20"],
    });
    expectWithinBudgets({ ...together, budgets: [{ key: "shared", ...DEFAULT }] }, shared);
    expectLikeReference({ ...together, budgets: [{ key: "shared", ...DEFAULT }] }, shared);
  });

  it("applies the stricter budget when accounts of one client id are configured differently", () => {
    const schedule = scheduleExecution({
      budgets: [
        { key: "x", recipients: 100_000, perMinutes: 10, reservePercent: 0 },
        { key: "x", recipients: 200_000, perMinutes: 30, reservePercent: 0 },
      ],
      occurrences: [occurrence("a", "10:00:00", 150_000, { budgetKey: "x" })],
    });
    expect(runs(schedule)).toEqual({ a: ["10:00×20", "10:30×10"] });
  });

  it("counts the batches already handed over", () => {
    const input: ExecutionInput = {
      budgets: acme,
      occurrences: [occurrence("a", "10:00:00", 100_000)],
      handedOver: [
        { budgetKey: "acme", at: at("09:50:00"), size: 200_000 },
        { budgetKey: "acme", at: at("08:00:00"), size: 250_000 }, // its windows are over by 10:00
        { budgetKey: "other", at: at("10:00:00"), size: 250_000 }, // another account
      ],
    };
    const schedule = scheduleExecution(input);
    // 50,000 fit beside the 200,000 of 09:50; the rest waits until 09:50 leaves the window.
    expect(runs(schedule)).toEqual({ a: ["10:00×10", "10:20×10"] });
    expectWithinBudgets(input, schedule);
    expectLikeReference(input, schedule);
  });

  it("keeps the reserve free for sends made outside Nightjar", () => {
    const input: ExecutionInput = {
      budgets: [{ key: "acme", ...DEFAULT, reservePercent: 20 }],
      occurrences: [occurrence("a", "10:00:00", 300_000)],
    };
    const schedule = scheduleExecution(input);
    expect(runs(schedule)).toEqual({ a: ["10:00×40", "10:30×20"] });
    expect(schedule.occurrences[0]?.warnings[0]).toContain(
      "200,000 recipients per 30 minutes (250,000 less the 20% reserve)",
    );
    expectWithinBudgets(input, schedule);
  });

  it("orders equal send times by priority, then campaign id", () => {
    const input: ExecutionInput = {
      budgets: [{ key: "acme", recipients: 10_000, perMinutes: 10, reservePercent: 0 }],
      occurrences: [
        occurrence("low", "10:00:00", 10_000, { priority: 3, campaignId: 1 }),
        occurrence("high-9", "10:00:00", 10_000, { priority: 1, campaignId: 9 }),
        occurrence("high-4", "10:00:00", 10_000, { priority: 1, campaignId: 4 }),
        occurrence("earlier", "09:59:00", 10_000, { priority: 9, campaignId: 7 }),
      ],
    };
    const schedule = scheduleExecution(input);
    expect(runs(schedule)).toEqual({
      earlier: ["09:59×2"],
      "high-4": ["10:09×2"],
      "high-9": ["10:19×2"],
      low: ["10:29×2"],
    });
    expectLikeReference(input, schedule);
  });

  it("rounds a send time with seconds up to the next whole minute", () => {
    const schedule = scheduleExecution({
      budgets: acme,
      occurrences: [occurrence("a", "10:00:20", 5000)],
    });
    expect(schedule.batches[0]?.sendTime).toBe("2026-06-01 04:01");
    expect(schedule.occurrences[0]?.latenessMinutes).toBe(0);
  });

  it("sends each batch larger than the whole budget alone in its window, without looping", () => {
    const input: ExecutionInput = {
      budgets: [{ key: "acme", recipients: 3000, perMinutes: 30, reservePercent: 0 }],
      occurrences: [occurrence("a", "10:00:00", 12_000)],
    };
    const schedule = scheduleExecution(input);
    // 5000 alone, 5000 alone, then the 2000 that fits the budget once both have left the window.
    expect(runs(schedule)).toEqual({ a: ["10:00×1", "10:30×1", "11:00×1"] });
    expectWithinBudgets(input, schedule);
    expectLikeReference(input, schedule);
    expect(schedule.occurrences[0]?.warnings).toEqual([
      "Its 12,000 recipients exceed the send budget of its SFMC account, 3,000 recipients per 30 minutes, so its 3 batches are spread over several windows (SFMC's integration guide advises no more than 250,000 recipients per send).",
      "2 of its batches (up to 5,000 recipients each) are larger than the whole send budget of 3,000 recipients per 30 minutes; each of them goes out alone in its own 30-minute window, and SFMC may still delay it.",
      "Its last batch goes out at 2026-06-01T11:00:00Z (UTC), 60 minutes after its send time 2026-06-01T10:00:00Z, to keep within the send budget of its SFMC account (3,000 recipients per 30 minutes, shared by all its campaigns and business units).",
    ]);
    // A reserve can leave no room at all: every batch then goes alone.
    const none = scheduleExecution({
      budgets: [{ key: "acme", recipients: 1, perMinutes: 5, reservePercent: 50 }],
      occurrences: [occurrence("a", "10:00:00", 12_000)],
    });
    expect(runs(none)).toEqual({ a: ["10:00×1", "10:05×1", "10:10×1"] });
  });

  it("gives an occurrence without recipients no batches", () => {
    const schedule = scheduleExecution({
      budgets: acme,
      occurrences: [occurrence("a", "10:00:00", 0)],
    });
    expect(schedule.batches).toEqual([]);
    expect(schedule.occurrences).toEqual([
      {
        id: "a",
        batches: 0,
        firstBatchAt: null,
        lastBatchAt: null,
        latenessMinutes: 0,
        warnings: [],
      },
    ]);
  });

  it("refuses an occurrence without a budget or listed twice", () => {
    expect(() =>
      scheduleExecution({
        budgets: acme,
        occurrences: [occurrence("a", "10:00:00", 1, { budgetKey: "x" })],
      }),
    ).toThrow(/no send budget for client id x/);
    expect(() =>
      scheduleExecution({
        budgets: acme,
        occurrences: [occurrence("a", "10:00:00", 1), occurrence("a", "11:00:00", 1)],
      }),
    ).toThrow(/listed twice/);
  });

  it("matches the literal rule on random nights", () => {
    let seed = 42;
    const random = (n: number) => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed % n;
    };
    for (let night = 0; night < 200; night++) {
      const budgets = [
        {
          key: "p",
          recipients: 5000 + random(30_000),
          perMinutes: 1 + random(15),
          reservePercent: random(3) * 10,
        },
        { key: "q", recipients: 2000 + random(6000), perMinutes: 1 + random(5), reservePercent: 0 },
      ];
      const input: ExecutionInput = {
        budgets,
        occurrences: Array.from({ length: 1 + random(6) }, (_, i) =>
          occurrence(
            `o${i}`,
            `10:${String(random(20)).padStart(2, "0")}:${random(2) ? "30" : "00"}`,
            random(40_000),
            {
              budgetKey: random(2) ? "p" : "q",
              priority: 1 + random(3),
              campaignId: random(4),
            },
          ),
        ),
        handedOver: Array.from({ length: random(4) }, () => ({
          budgetKey: random(2) ? "p" : "q",
          at: at(`10:${String(random(30)).padStart(2, "0")}:00`),
          size: 1 + random(5000),
        })),
      };
      const schedule = scheduleExecution(input);
      expectLikeReference(input, schedule);
      expectWithinBudgets(input, schedule);
    }
  });

  it("schedules 10 campaigns × 1,000,000 recipients (2,000 batches)", () => {
    const input: ExecutionInput = {
      budgets: acme,
      occurrences: Array.from({ length: 10 }, (_, i) =>
        occurrence(`o${i}`, `10:0${i}:00`, 1_000_000, { campaignId: i }),
      ),
    };
    const schedule = scheduleExecution(input);
    expect(schedule.batches).toHaveLength(2000);
    // 50 batches per 30 minutes: 2,000 batches take 40 windows.
    expect(hhmm(schedule.occurrences[9]?.lastBatchAt ?? null)).toBe("05:30");
    expectWithinBudgets(input, schedule);
  });
});
