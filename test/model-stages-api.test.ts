// The customer base by stage over time through the API (GET /api/model/stages): per model run
// date the customers in each stage, the stage movements of the 7 days up to the latest run, the
// days window, nothing before the first run, and the viewer role.
import { afterEach, expect, it } from "vitest";
import { describeEachEngine } from "./helpers/engines.ts";
import { tempFolder } from "./helpers/files.ts";
import { stageMovesStory } from "./helpers/model.ts";
import { startTestServer, type TestServer } from "./helpers/server.ts";

const files = tempFolder();
const NONE = { prospect: 0, new: 0, active: 0, at_risk: 0, churned: 0, reactivated: 0 };

describeEachEngine("the customer base by stage in the API", (test) => {
  let t: TestServer;
  afterEach(async () => {
    await t?.close();
  });
  const get = async (url: string, headers: Record<string, string>) => {
    const response = await t.server.http.inject({ url, headers });
    return { status: response.statusCode, body: response.json() };
  };

  it("answers the stage counts per run date and the last 7 days' movements", async () => {
    t = await startTestServer(test().db);
    await t.addUser("vic@example.com", "viewer");
    const vic = t.as(await t.signIn("vic@example.com"));
    expect((await get("/api/model/stages", {})).status).toBe(401);
    const empty = await get("/api/model/stages", vic);
    expect(empty.status).toBe(200);
    expect(empty.body).toMatchObject({ runs: [], movements: null });

    await stageMovesStory(test().db, files, 3);
    const answer = await get("/api/model/stages", vic);
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(answer.body.stages[3]).toEqual({ stage: "at_risk", label: "At-risk" });
    expect(answer.body.runs).toEqual([
      { date: "2026-05-30", customers: 6, stages: { ...NONE, prospect: 3, active: 3 } },
      { date: "2026-06-20", customers: 6, stages: { ...NONE, prospect: 2, new: 1, at_risk: 3 } },
    ]);
    expect(answer.body.movements).toEqual({
      since: "2026-06-14",
      until: "2026-06-20",
      moves: [
        { from: "active", fromLabel: "Active", to: "at_risk", toLabel: "At-risk", customers: 3 },
        { from: "prospect", fromLabel: "Prospect", to: "new", toLabel: "New", customers: 1 },
      ],
    });
    // The window counts back from the latest run date.
    const recent = await get("/api/model/stages?days=10", vic);
    expect(recent.body.runs.map((r: { date: string }) => r.date)).toEqual(["2026-06-20"]);
    expect((await get("/api/model/stages?days=0", vic)).status).toBe(400);
  });
});
