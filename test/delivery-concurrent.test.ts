// At most once holds even without the run lock: two deliveries of the same night at once (as
// after a lost PostgreSQL lock session) never hand the same batch over twice, because a batch
// goes `sending` only through a conditional update that one of them wins.
import { sql } from "kysely";
import { afterEach, expect, it } from "vitest";
import { useEmulator } from "../emulator/test-helpers.ts";
import { deliverNight } from "../src/delivery/deliver.ts";
import { freezeNight } from "../src/delivery/freeze.ts";
import { NIGHT, type OneCampaignNight, oneCampaignNight } from "./helpers/delivery.ts";
import { describeEachEngine } from "./helpers/engines.ts";
import { emulatedSends } from "./helpers/night.ts";

const emulator = useEmulator();

describeEachEngine("two deliveries at once", (test) => {
  let night: OneCampaignNight | undefined;
  afterEach(async () => {
    await night?.close();
    night = undefined;
  });

  it("hand every batch over once between them", async () => {
    night = await oneCampaignNight(test().db, emulator(), {
      customers: 30_000,
      budget: 250_000,
      maxInFlight: 4,
    });
    const app = night.f.t.app;
    await freezeNight(app, { date: NIGHT });
    const [a, b] = await Promise.all([
      deliverNight(app, { date: NIGHT, runId: null }),
      deliverNight(app, { date: NIGHT, runId: null }),
    ]);
    const states = await sql<{ state: string; n: number }>`
      select state, count(*)::integer as n from send_batches group by state`.execute(
      test().db.kysely,
    );
    const sends = await emulatedSends(emulator());
    const keys = sends.flatMap((s) => s.subscriberKeys);
    // Six batches: each handed over by exactly one of the two, and each key received once.
    expect(a.sent + b.sent).toBe(6);
    expect(sends).toHaveLength(6);
    expect(keys).toHaveLength(30_000);
    expect(new Set(keys).size).toBe(30_000);
    expect(states.rows).toEqual([{ state: "sent", n: 6 }]);
  });
});
