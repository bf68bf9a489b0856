// Customers through the API: the search by contact key prefix, one customer with its history,
// stages, scores, purchases and the target groups it is in today, 404 for an unknown key, and
// the viewer role (no role, no answer).
import { afterEach, beforeEach, expect, it } from "vitest";
import { useEmulator } from "../emulator/test-helpers.ts";
import { type CampaignFixture, campaignFixture } from "./helpers/campaigns.ts";
import { customerStory } from "./helpers/customer-story.ts";
import { describeEachEngine } from "./helpers/engines.ts";

const emulator = useEmulator();

describeEachEngine("customers in the API", (test) => {
  let f: CampaignFixture;
  beforeEach(async () => {
    f = await campaignFixture(test().db, emulator());
    await f.customers(120);
    await customerStory(test().db);
  });
  afterEach(async () => {
    await f.t.close();
  });
  const get = async (url: string, headers: Record<string, string>) => {
    const response = await f.t.server.http.inject({ url, headers });
    return { status: response.statusCode, body: response.json() };
  };

  it("finds customers by contact key prefix and shows one with its groups today", async () => {
    await f.t.addUser("vic@example.com", "viewer");
    const vic = f.t.as(await f.t.signIn("vic@example.com"));
    expect((await get("/api/customers?q=C", {})).status).toBe(401);

    const found = await get("/api/customers?q=C00001&limit=3", vic);
    expect(found.status).toBe(200);
    expect(found.body).toEqual([
      {
        contactKey: "C000010",
        present: true,
        attributes: { first_name: null, country: "DE", signup_date: null, allow_push: true },
        stage: null,
      },
      expect.objectContaining({ contactKey: "C000011", present: true }),
      expect.objectContaining({ contactKey: "C000012", present: true }),
    ]);
    expect((await get("/api/customers?q=C0000", vic)).body).toHaveLength(25);
    // The prefix is literal: a LIKE wildcard finds nobody.
    expect((await get("/api/customers?q=C_0", vic)).body).toEqual([]);
    expect((await get("/api/customers?q=c000001", vic)).body).toEqual([]);
    expect((await get("/api/customers?q=C&limit=0", vic)).status).toBe(400);

    const fr = await f.group("France", { field: "country", op: "eq", value: "FR" });
    await f.group("Germany", { field: "country", op: "eq", value: "DE" });
    const buyers = await f.group("Buyers", {
      all: [{ inTargetGroup: fr }, { field: "lifecycle_stage", op: "eq", value: "active" }],
    });
    const shown = await get("/api/customers/C000001?purchases=3", vic);
    expect(shown.status, JSON.stringify(shown.body)).toBe(200);
    expect(shown.body).toMatchObject({
      contactKey: "C000001",
      present: true,
      firstSeenOn: "2026-10-01",
      attributes: { first_name: "Ada", country: "FR", allow_push: true },
      history: [
        { validFrom: "2026-11-01", validTo: null, changed: ["allow_push", "country"] },
        { validFrom: "2026-10-01", validTo: "2026-11-01", attributes: { country: "DE" } },
      ],
      model: {
        runDate: "2026-11-30",
        stage: "active",
        segment: "active-high",
        valueTier: 9,
        pAlive: 0.87,
        expectedPurchases: 1.9,
        clv: 212.4,
      },
      stages: [
        { validFrom: "2026-11-15", validTo: null, stage: "active" },
        { validFrom: "2026-10-03", validTo: "2026-11-15", stage: "new" },
      ],
      lastPurchases: [
        { occurredAt: "2026-11-15T18:30:00.000Z", amount: "61.20", transactionId: "T3" },
        { occurredAt: "2026-10-22T09:00:00.000Z", amount: "-40.50", transactionId: "R2" },
        { occurredAt: "2026-10-20T12:00:00.000Z", amount: "40.50", transactionId: "T2" },
      ],
      targetGroups: {
        asOf: "2026-12-01",
        groups: [
          { id: buyers, name: "Buyers", reachable: true },
          { id: fr, name: "France", reachable: true },
        ],
      },
    });
    const other = await get("/api/customers/C000002", vic);
    expect(other.body.model).toBeNull();
    expect(other.body.targetGroups.groups.map((g: { name: string }) => g.name)).toEqual([
      "Germany",
    ]);

    const unknown = await get("/api/customers/NOBODY", vic);
    expect(unknown.status).toBe(404);
    expect(unknown.body.detail).toMatch(/no customer has the contact key "NOBODY"/);
    expect((await get("/api/customers/C000001", {})).status).toBe(401);
  });
});
