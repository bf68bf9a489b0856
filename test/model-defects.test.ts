// Defects of the model run, each fixed and held by a test: the run order is checked again under
// the lock that saves the run, and a stored fit that cannot be read back is fitted again.
import { sql } from "kysely";
import { expect, it } from "vitest";
import { ModelRunOrderError, runModel } from "../src/model/run/run.ts";
import { describeEachEngine } from "./helpers/engines.ts";
import { tempFolder } from "./helpers/files.ts";
import { testClock } from "./helpers/imports.ts";
import {
  importKeys,
  importPurchases,
  MODEL_SETTINGS,
  runModelOn,
  simulatedPurchases,
} from "./helpers/model.ts";

const files = tempFolder();

describeEachEngine("model run defects", (test) => {
  it("refuses to save a run when a later one was saved while it was computing", async () => {
    const { db } = test();
    await importKeys(db, files, ["A", "B"]);
    await importPurchases(db, files, [["A", "2026-05-01", 10]]);
    let later: Promise<unknown> | undefined;
    const run = runModel(db, {
      date: "2026-06-01",
      timeZone: "UTC",
      settings: MODEL_SETTINGS,
      clock: testClock(),
      // Another run's result lands between this run's first check and its save.
      onStep: (step) => {
        if (step === "fitting")
          later =
            sql`insert into model_runs (run_date, fit_id, fit_reused, customers, stage_counts, seconds, started_at)
            values ('2026-07-01', null, false, 0, '{}', 0, now())`.execute(db.kysely);
      },
    });
    await expect(run).rejects.toThrow(ModelRunOrderError);
    await later;
    expect(await db.kysely.selectFrom("customer_model").select("contact_key").execute()).toEqual(
      [],
    );
  });

  it("fits again, saying so, when the stored fit cannot be read back", async () => {
    const { db } = test();
    const date = "2026-06-30";
    const rows = simulatedPurchases(300, date);
    await importKeys(db, files, [...new Set(rows.map((r) => r[0]))]);
    await importPurchases(db, files, rows);
    const first = await runModelOn(db, date);
    expect(first.fit.bgnbd).not.toBeNull();
    // Damaged (say by a hand edit): the parameters are gone.
    await sql`update model_fits set bgnbd = '{"params": {"r": "lots"}}'::jsonb`.execute(db.kysely);
    const again = await runModelOn(db, date);
    expect(again.fit.reused).toBe(false);
    expect(again.fit.notes[0]).toMatch(
      /^the stored fit #\d+ could not be read \(bgnbd\.params\.r: .*\); fitted again$/,
    );
    expect(again.fit.bgnbd?.params).toEqual(first.fit.bgnbd?.params);
    const third = await runModelOn(db, date);
    expect(third.fit.reused).toBe(true);
  });
});
