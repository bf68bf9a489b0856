// The response rate the minimum detectable uplift starts from: the group as it stood when the
// previous measurement window began, and its purchases in that window — not today's members,
// who for a recency rule are by definition those who did not buy lately.
import { afterEach, beforeEach, expect, it } from "vitest";
import { useEmulator } from "../emulator/test-helpers.ts";
import { importCustomerSnapshot } from "../src/customers/import-customers.ts";
import { importTransactionsFile } from "../src/customers/import-transactions.ts";
import { groupResponseRate } from "../src/metrics/baseline.ts";
import { type CampaignFixture, campaignFixture } from "./helpers/campaigns.ts";
import { describeEachEngine } from "./helpers/engines.ts";
import { tempFolder } from "./helpers/files.ts";

const emulator = useEmulator();
const files = tempFolder();
const key = (n: number) => `C${String(n).padStart(6, "0")}`;
const WEEK = { measurementDays: 7, timeZone: "UTC" };
const GERMANY = { all: [{ field: "country", op: "eq", value: "DE" }] };

/** Customers 1–200: 1–100 in `first`, 101–200 in the other country. */
async function snapshot(f: CampaignFixture, date: string, first: "DE" | "FR") {
  const other = first === "DE" ? "FR" : "DE";
  const rows = Array.from(
    { length: 200 },
    (_, i) => `${key(i + 1)},${i < 100 ? first : other},true`,
  );
  await importCustomerSnapshot(f.t.app, {
    path: await files.file(`customers-${date}.csv`, ["contact_key,country,allow_push", ...rows]),
    date,
  });
}

describeEachEngine("the baseline response rate of a target group", (test) => {
  let f: CampaignFixture;
  beforeEach(async () => {
    f = await campaignFixture(test().db, emulator(), { now: "2026-12-10T09:00:00Z" });
    // Germany was 1–100 until 2026-12-05, then 101–200; half of the first buy in the window.
    await snapshot(f, "2026-11-20", "DE");
    await snapshot(f, "2026-12-05", "FR");
    const purchases = Array.from({ length: 50 }, (_, i) => `${key(i + 1)},2026-12-06 12:00,20.00`);
    await importTransactionsFile(f.t.app, {
      path: await files.file("purchases.csv", ["contact_key,occurred_at,amount", ...purchases]),
    });
  });
  afterEach(async () => {
    await f.t.close();
  });

  it("measures the members the group had when the window began", async () => {
    // Today's Germans (101–200) bought nothing; those of 2026-12-03 (1–100) half did.
    expect(await groupResponseRate(f.t.app, GERMANY, "2026-12-10", WEEK)).toBe(0.5);
  });

  it("measures today's members when the group had none when the window began", async () => {
    // 2026-11-18 is before the first snapshot: today's (2026-11-25) Germans, 1–100, bought nothing then.
    expect(await groupResponseRate(f.t.app, GERMANY, "2026-11-25", WEEK)).toBe(0);
    // A later window: the members of 2026-11-29 (1–100), of whom none bought before 2026-12-06.
    expect(await groupResponseRate(f.t.app, GERMANY, "2026-12-06", WEEK)).toBe(0);
  });
});
