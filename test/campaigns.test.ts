// Campaigns: saved whole or refused whole with every problem at its path, status changes,
// duplicates, the audit log; through the use cases and the API, on both engines.
import { afterEach, beforeEach, expect, it } from "vitest";
import { useEmulator } from "../emulator/test-helpers.ts";
import { cliActor, listAudit } from "../src/audit/audit.ts";
import {
  changeCampaignStatus,
  createCampaign,
  duplicateCampaign,
  listCampaigns,
  updateCampaign,
} from "../src/campaigns/campaigns.ts";
import { InvalidInputError } from "../src/errors.ts";
import {
  type CampaignFixture,
  campaignFixture,
  OUTLET_IOS,
  SHOP_ANDROID,
  SHOP_IOS,
} from "./helpers/campaigns.ts";
import { describeEachEngine } from "./helpers/engines.ts";

const emulator = useEmulator();

describeEachEngine("campaigns", (test) => {
  let f: CampaignFixture;
  let groupId: number;
  beforeEach(async () => {
    f = await campaignFixture(test().db, emulator());
    groupId = await f.group("DE push users", {
      all: [{ field: "country", op: "eq", value: "DE" }],
    });
  });
  afterEach(async () => {
    await f.t.close();
  });
  const body = (extra: Record<string, unknown> = {}) =>
    f.campaignBody(groupId, {
      schedule: { type: "once", date: "2026-12-03" },
      timeZone: "Europe/London",
      ...extra,
    });
  const problemsOf = async (input: unknown) => {
    try {
      await createCampaign(f.t.app, cliActor(), input);
    } catch (error) {
      if (error instanceof InvalidInputError) return error.problems;
      throw error;
    }
    throw new Error("the campaign was saved");
  };

  it("saves a campaign with its defaults, next occurrence and audit row", async () => {
    const saved = await createCampaign(f.t.app, cliActor(), body());
    expect(saved.warnings).toEqual([]);
    expect(saved.campaign).toMatchObject({
      name: "Winback DE",
      status: "scheduled",
      channel: "sfmc_mobilepush",
      exclusive: true,
      measurementDays: 7,
      controlGroupPercent: 10,
      nextOccurrence: { date: "2026-12-03", sendAt: new Date("2026-12-03T10:00:00Z") },
    });
    const draft = await createCampaign(
      f.t.app,
      cliActor(),
      body({ name: "Later", status: "draft", controlGroupPercent: 0 }),
    );
    expect(draft.campaign.status).toBe("draft");
    expect(draft.warnings[0]).toContain("cannot be measured");
    const audit = await listAudit(test().db.kysely, { entity: "campaign" });
    expect(audit.map((a) => a.action)).toEqual(["create", "create"]);
  });

  it("refuses a campaign whole, naming every problem's field", async () => {
    const otherApp = f.messageOf(SHOP_ANDROID).id;
    expect(await problemsOf(body({ messageId: otherApp }))).toEqual([
      {
        path: "messageId",
        message: expect.stringContaining(`is a message of app ${SHOP_ANDROID}`),
      },
    ]);
    expect(await problemsOf(body({ appId: OUTLET_IOS }))).toEqual(
      expect.arrayContaining([
        {
          path: "appId",
          message: expect.stringContaining("belongs to business unit 200, not 100"),
        },
      ]),
    );
    expect(await problemsOf(body({ messageId: "bm90aGluZzp4" }))).toEqual([
      { path: "messageId", message: expect.stringContaining("no synced push message") },
    ]);
    await test()
      .db.kysely.updateTable("sfmc_messages")
      .set({ status: "inactive", removed_at: new Date("2026-11-30T00:00:00Z") })
      .where("message_id", "=", f.messageOf(SHOP_IOS).id)
      .execute();
    expect((await problemsOf(body()))[0]).toEqual({
      path: "messageId",
      message: expect.stringContaining("inactive in SFMC"),
    });
    await test()
      .db.kysely.updateTable("sfmc_messages")
      .set({ status: "active", removed_at: null })
      .execute();
    expect(
      await problemsOf(body({ schedule: { type: "once", date: "2026-12-01" }, sendTime: "08:59" })),
    ).toEqual([
      { path: "schedule.date", message: "2026-12-01 08:59 (Europe/London) is already past" },
    ]);
    expect(await problemsOf(body({ timeZone: "Mars/Olympus" }))).toEqual([
      { path: "timeZone", message: '"Mars/Olympus" is not a known IANA time zone' },
    ]);
    expect(await problemsOf(body({ targetGroupId: 999 }))).toEqual([
      { path: "targetGroupId", message: "no target group #999" },
    ]);
    expect(
      await problemsOf(body({ controlGroupPercent: 95, businessUnit: "999", sendTime: "25:00" })),
    ).toEqual(
      expect.arrayContaining([
        { path: "controlGroupPercent", message: "must be between 0 and 90" },
        { path: "sendTime", message: "must be a time of day, HH:MM (24-hour)" },
      ]),
    );
    await createCampaign(f.t.app, cliActor(), body());
    expect(await problemsOf(body({ name: "WINBACK de" }))).toEqual([
      { path: "name", message: expect.stringContaining('is already named "WINBACK de"') },
    ]);
    // Nothing of the refused ones was kept.
    expect((await listCampaigns(f.t.app)).length).toBe(1);
    expect((await listAudit(test().db.kysely, { entity: "campaign" })).length).toBe(1);
  });

  it("answers the API's refusals with 422 and each problem's path", async () => {
    await f.t.addUser("ann@example.com", "marketer");
    await f.t.addUser("vic@example.com", "viewer");
    const ann = await f.t.signIn("ann@example.com");
    const vic = await f.t.signIn("vic@example.com");
    const post = (who: typeof ann, payload: object) =>
      f.t.server.http.inject({
        method: "POST",
        url: "/api/campaigns",
        headers: f.t.as(who),
        payload,
      });
    expect((await post(vic, body())).statusCode).toBe(403);
    const refused = await post(ann, body({ timeZone: "Nowhere/Land", targetGroupId: 404 }));
    expect(refused.statusCode).toBe(422);
    expect(refused.json().errors).toEqual([
      { path: "timeZone", message: '"Nowhere/Land" is not a known IANA time zone' },
      { path: "targetGroupId", message: "no target group #404" },
    ]);
    const created = await post(ann, body());
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({
      id: expect.any(Number),
      name: "Winback DE",
      warnings: [],
    });
    const list = await f.t.server.http.inject({ url: "/api/campaigns", headers: f.t.as(vic) });
    expect(list.json()).toHaveLength(1);
    const audit = await listAudit(test().db.kysely, { entity: "campaign" });
    expect(audit[0]?.actor).toBe("user:ann@example.com");
  });

  it("pauses, resumes, archives and duplicates; archiving frees the name", async () => {
    const { campaign } = await createCampaign(
      f.t.app,
      cliActor(),
      body({ schedule: { type: "daily", start: "2026-12-02" } }),
    );
    expect((await changeCampaignStatus(f.t.app, cliActor(), campaign.id, "pause")).status).toBe(
      "paused",
    );
    await expect(changeCampaignStatus(f.t.app, cliActor(), campaign.id, "pause")).rejects.toThrow(
      "cannot be paused",
    );
    expect((await changeCampaignStatus(f.t.app, cliActor(), campaign.id, "resume")).status).toBe(
      "scheduled",
    );
    const copy = await duplicateCampaign(f.t.app, cliActor(), campaign.id);
    expect(copy).toMatchObject({
      name: "Winback DE (copy)",
      status: "draft",
      controlGroupPercent: 10,
    });
    expect((await duplicateCampaign(f.t.app, cliActor(), campaign.id)).name).toBe(
      "Winback DE (copy 2)",
    );
    await changeCampaignStatus(f.t.app, cliActor(), campaign.id, "archive");
    await expect(changeCampaignStatus(f.t.app, cliActor(), campaign.id, "resume")).rejects.toThrow(
      "cannot be resumed",
    );
    expect((await createCampaign(f.t.app, cliActor(), body())).campaign.name).toBe("Winback DE");
    await f.t.addUser("ann@example.com", "marketer");
    const ann = await f.t.signIn("ann@example.com");
    const remove = (id: number) =>
      f.t.server.http.inject({
        method: "DELETE",
        url: `/api/campaigns/${id}`,
        headers: f.t.as(ann),
      });
    expect((await remove(campaign.id)).statusCode).toBe(409);
    expect((await remove(copy.id)).statusCode).toBe(204);
    expect((await remove(copy.id)).statusCode).toBe(404);
  });

  it("changes later occurrences only, and keeps the control share once the first occurrence has passed", async () => {
    const { campaign } = await createCampaign(
      f.t.app,
      cliActor(),
      body({ schedule: { type: "daily", start: "2026-12-02" } }),
    );
    const updated = await updateCampaign(
      f.t.app,
      cliActor(),
      campaign.id,
      body({
        schedule: { type: "daily", start: "2026-12-02" },
        sendTime: "11:30",
        controlGroupPercent: 20,
      }),
    );
    expect(updated.campaign).toMatchObject({
      sendTime: "11:30",
      controlGroupPercent: 20,
      status: "scheduled",
    });
    f.t.clock.set("2026-12-02T12:00:00Z");
    await expect(
      updateCampaign(
        f.t.app,
        cliActor(),
        campaign.id,
        body({ schedule: { type: "daily", start: "2026-12-02" }, controlGroupPercent: 30 }),
      ),
    ).rejects.toThrow(/controlGroupPercent: cannot change after the campaign's first occurrence/);
    expect(
      (
        await updateCampaign(
          f.t.app,
          cliActor(),
          campaign.id,
          body({
            schedule: { type: "daily", start: "2026-12-02" },
            controlGroupPercent: 20,
            priority: 3,
          }),
        )
      ).campaign.priority,
    ).toBe(3);
  });
});
