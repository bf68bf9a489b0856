// Looking inside without SQL: `customers show` and `model summary`, on both engines.
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { beforeAll, expect, it } from "vitest";
import { EXIT_CODES } from "../src/cli/main.ts";
import { cli, onlyJson } from "./helpers/cli.ts";
import { describeEachEngine } from "./helpers/engines.ts";
import { tempFolder } from "./helpers/files.ts";

const folder = tempFolder({
  config: {
    customers: {
      attributes: [
        { name: "country", type: "text" },
        { name: "allow_push", type: "boolean", required: true },
      ],
      maxRemovedPercent: 100,
    },
  },
});
let dir = "";
beforeAll(async () => {
  dir = folder.dir();
  await writeFile(
    path.join(dir, "day1.csv"),
    "contact_key,country,allow_push\nA,DE,true\nB,FR,true\n",
  );
  await writeFile(
    path.join(dir, "day2.csv"),
    "contact_key,country,allow_push\nA,AT,false\nB,FR,true\n",
  );
  const purchases = ["contact_key,occurred_at,amount,transaction_id"];
  for (let d = 1; d <= 9; d++) purchases.push(`A,2026-0${d}-10 12:00,${10 + d},TA${d}`);
  purchases.push("B,2026-09-25 12:00,40,TB1");
  await writeFile(path.join(dir, "tx.csv"), `${purchases.join("\n")}\n`);
});

describeEachEngine("customers show and model summary", (test) => {
  const run = (args: string[]) => cli(dir, args, { db: test().db });

  it("shows a customer's attributes, history, stage and scores, and the model's summary", async () => {
    for (const args of [
      ["import", "customers", "day1.csv", "--date", "2026-10-01"],
      ["import", "transactions", "tx.csv"],
      ["model", "run", "--date", "2026-10-01"],
      ["import", "customers", "day2.csv", "--date", "2026-10-02"],
      ["model", "run", "--date", "2026-12-31"],
    ]) {
      const step = await run(args);
      expect(step.code, `${args.join(" ")}: ${step.stderr}`).toBe(0);
    }
    const shown = await run(["customers", "show", "A", "--json", "--purchases", "3"]);
    expect(shown.code, shown.stderr).toBe(0);
    const a = onlyJson(shown) as Record<string, unknown>;
    expect(a).toMatchObject({
      contactKey: "A",
      present: true,
      firstSeenOn: "2026-10-01",
      attributes: { country: "AT", allow_push: false },
      history: [
        {
          validFrom: "2026-10-02",
          validTo: null,
          attributes: { country: "AT", allow_push: false },
          changed: ["allow_push", "country"],
        },
        { validFrom: "2026-10-01", validTo: "2026-10-02", changed: [] },
      ],
      model: { runDate: "2026-12-31", purchases: 9, lastPurchaseOn: "2026-09-10" },
      lastPurchases: [
        { amount: "19", transactionId: "TA9" },
        { amount: "18", transactionId: "TA8" },
        { amount: "17", transactionId: "TA7" },
      ],
    });
    const stages = a.stages as { validFrom: string; stage: string }[];
    // A monthly buyer silent for months: no longer where the first run put them.
    expect(stages.map((s) => s.validFrom)).toEqual(["2026-12-31", "2026-10-01"]);
    expect(stages[0]?.stage).not.toBe(stages[1]?.stage);
    const human = await run(["customers", "show", "A"]);
    expect(human.stdout).toContain("A: present, first seen 2026-10-01");
    expect(human.stdout).toContain("  2026-10-02 – now: allow_push false, country AT");
    expect(human.stdout).toMatch(/Customer model \(run of 2026-12-31\): \w+ since 2026-12-31/);
    const unknown = await run(["customers", "show", "NOBODY", "--json"]);
    expect(unknown.code).toBe(EXIT_CODES.not_found);
    expect(onlyJson(unknown)).toMatchObject({
      error: { type: "UnknownCustomerError", message: 'no customer has the contact key "NOBODY"' },
    });

    const summary = await run(["model", "summary", "--json"]);
    expect(summary.code, summary.stderr).toBe(0);
    const s = onlyJson(summary) as {
      run: { date: string; customers: number };
      previousDate: string;
      stages: { stage: string; customers: number }[];
      moves: { from: string; to: string; customers: number }[];
      segments: { segment: string; customers: number; layers: { name: string; of: number }[] }[];
      valueTiers: { tier: number; customers: number }[];
    };
    expect(s.run).toMatchObject({ date: "2026-12-31", customers: 2 });
    expect(s.previousDate).toBe("2026-10-01");
    expect(s.stages.reduce((sum, st) => sum + st.customers, 0)).toBe(2);
    expect(s.moves.reduce((sum, m) => sum + m.customers, 0)).toBeGreaterThanOrEqual(1);
    expect(
      s.moves.find((m) => m.from === stages[1]?.stage && m.to === stages[0]?.stage),
    ).toBeTruthy();
    expect(s.segments.reduce((sum, seg) => sum + seg.customers, 0)).toBe(2);
    expect(s.segments[0]?.layers.map((l) => l.name)).toEqual(["value", "frequency", "recency"]);
    // Two customers are too few to fit the model: no CLV, so no value tiers.
    expect(s.valueTiers).toEqual([]);
    const readable = await run(["model", "summary"]);
    expect(readable.stdout).toContain(
      "Customer model, run of 2026-12-31: 2 customers (the run before: 2026-10-01)",
    );
    expect(readable.stdout).toContain("moved on this run:");
  });

  it("says when the model has not run yet", async () => {
    const none = await run(["model", "summary"]);
    expect(none.code).toBe(EXIT_CODES.not_found);
    expect(none.stderr).toContain("the customer model has not run yet (run `nightjar model run`)");
  });
});
