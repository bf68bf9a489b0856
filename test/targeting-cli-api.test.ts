// Target groups through the CLI and the API: saved whole or refused at the rule's path, counted
// from a file (a bare rule or {"rule": …}), previewed, their sizes filled in from the history and
// recorded by a night, deletion refused while a campaign uses them; the plan from the CLI.
import { afterEach, beforeEach, expect, it } from "vitest";
import { useEmulator } from "../emulator/test-helpers.ts";
import { cliActor, listAudit } from "../src/audit/audit.ts";
import { createCampaign } from "../src/campaigns/campaigns.ts";
import { EXIT_CODES } from "../src/cli/main.ts";
import { EXAMPLE_CONFIG } from "../src/config/example.ts";
import { recordGroupSizes } from "../src/targeting/group-sizes.ts";
import { type CampaignFixture, campaignFixture, SHOP_IOS } from "./helpers/campaigns.ts";
import { cli, onlyJson } from "./helpers/cli.ts";
import { describeEachEngine } from "./helpers/engines.ts";
import { tempFolder } from "./helpers/files.ts";

const emulator = useEmulator();
const folder = tempFolder({ config: EXAMPLE_CONFIG });

describeEachEngine("target groups from the CLI and the API", (test) => {
  let f: CampaignFixture;
  beforeEach(async () => {
    f = await campaignFixture(test().db, emulator());
    await f.customers(100);
  });
  afterEach(async () => {
    await f.t.close();
  });
  const run = (args: string[]) => cli(folder.dir(), args, { db: test().db, clock: f.t.clock });

  it("creates, counts, previews, lists and deletes through the CLI with the same JSON as the API", async () => {
    const file = await folder.file(
      "de.json",
      JSON.stringify({ name: "DE", rule: { all: [{ field: "country", op: "eq", value: "DE" }] } }),
    );
    const created = await run(["target-groups", "create", "--file", file, "--json"]);
    expect(created.code, created.stderr).toBe(0);
    const group = onlyJson(created) as { id: number; name: string };
    expect(group).toMatchObject({ id: expect.any(Number), name: "DE" });
    const bare = await folder.file(
      "bare.json",
      JSON.stringify({ field: "country", op: "eq", value: "FR" }),
    );
    expect(onlyJson(await run(["target-groups", "count", "--file", bare, "--json"]))).toEqual({
      total: 50,
      reachable: 50,
    });
    const wrapped = await folder.file(
      "wrapped.json",
      JSON.stringify({ rule: { not: { field: "country", op: "eq", value: "FR" } } }),
    );
    expect(onlyJson(await run(["target-groups", "count", "--file", wrapped, "--json"]))).toEqual({
      total: 50,
      reachable: 50,
    });
    expect(onlyJson(await run(["target-groups", "count", String(group.id), "--json"]))).toEqual({
      total: 50,
      reachable: 50,
    });
    const preview = onlyJson(
      await run(["target-groups", "preview", String(group.id), "--limit", "3", "--json"]),
    ) as { contactKey: string }[];
    expect(preview.map((c) => c.contactKey)).toEqual(["C000002", "C000004", "C000006"]);
    const bad = await folder.file(
      "bad.json",
      JSON.stringify({
        name: "Bad",
        rule: {
          all: [
            { field: "country", op: "gt", value: "DE" },
            { field: "nope", op: "eq", value: 1 },
          ],
        },
      }),
    );
    const refused = await run(["target-groups", "create", "--file", bad, "--json"]);
    expect(refused.code).toBe(EXIT_CODES.refused);
    expect(refused.stderr).toMatch(/rule\.all\[0\]\.op/);
    expect(refused.stderr).toMatch(/rule\.all\[1\]\.field/);
    const broken = await folder.file("broken.json", '{"name": "x",\n "rule": }');
    const unreadable = await run(["target-groups", "create", "--file", broken]);
    expect(unreadable.code).toBe(EXIT_CODES.refused);
    expect(unreadable.stderr).toMatch(
      /broken\.json is not valid JSON: line 2, column 10: Unexpected token '}'/,
    );
    const list = await run(["target-groups", "list"]);
    expect(list.stdout).toContain(`#${group.id}  DE`);
    // Used by a campaign: it stays.
    const campaignFile = await folder.file(
      "campaign.json",
      JSON.stringify({
        name: "Winback",
        targetGroupId: group.id,
        businessUnit: "100",
        appId: SHOP_IOS,
        messageId: f.messageOf(SHOP_IOS).id,
        schedule: { type: "once", date: "2026-12-02" },
        sendTime: "10:00",
        timeZone: "UTC",
      }),
    );
    const campaign = await run(["campaigns", "create", "--file", campaignFile, "--json"]);
    expect(campaign.code, campaign.stderr).toBe(0);
    const campaignId = (onlyJson(campaign) as { id: number }).id;
    expect((await run(["target-groups", "delete", String(group.id)])).code).toBe(
      EXIT_CODES.conflict,
    );
    const plan = onlyJson(await run(["plan", "--date", "2026-12-02", "--json"])) as {
      occurrences: { campaignId: number; test: number; control: number }[];
    };
    expect(plan.occurrences.map((o) => [o.campaignId, o.test + o.control])).toEqual([
      [campaignId, 50],
    ]);
    expect((await run(["plan", "--date", "2026-12-02"])).stdout).toContain("Winback");
    expect((await run(["campaigns", "archive", String(campaignId)])).code).toBe(0);
    expect((await run(["target-groups", "delete", String(group.id)])).code).toBe(0);
    expect((await run(["target-groups", "show", String(group.id)])).code).toBe(
      EXIT_CODES.not_found,
    );
    const audit = await listAudit(test().db.kysely, { entity: "target_group" });
    expect(audit.map((a) => a.action)).toEqual(["delete", "create"]);
  });

  it("serves target groups to viewers, changes them for marketers, with sizes from the history and the nights", async () => {
    await f.t.addUser("ann@example.com", "marketer");
    await f.t.addUser("vic@example.com", "viewer");
    const ann = await f.t.signIn("ann@example.com");
    const vic = await f.t.signIn("vic@example.com");
    const http = f.t.server.http;
    const rule = { all: [{ field: "country", op: "eq", value: "DE" }] };
    expect(
      (
        await http.inject({
          method: "POST",
          url: "/api/target-groups",
          headers: f.t.as(vic),
          payload: { name: "DE", rule },
        })
      ).statusCode,
    ).toBe(403);
    const refused = await http.inject({
      method: "POST",
      url: "/api/target-groups",
      headers: f.t.as(ann),
      payload: { name: "DE", rule: { all: [{ field: "country", op: "eq", value: 3 }] } },
    });
    expect(refused.statusCode).toBe(422);
    expect(refused.json().errors).toEqual([
      { path: "rule.all[0].value", message: expect.any(String) },
    ]);
    const created = await http.inject({
      method: "POST",
      url: "/api/target-groups",
      headers: f.t.as(ann),
      payload: { name: "DE", rule },
    });
    expect(created.statusCode).toBe(201);
    const id = created.json().id;
    const count = await http.inject({
      method: "POST",
      url: "/api/target-groups/count",
      headers: f.t.as(vic),
      payload: { rule },
    });
    expect(count.json()).toMatchObject({
      total: 50,
      reachable: 50,
      consentAttribute: "allow_push",
    });
    const injected = await http.inject({
      method: "POST",
      url: "/api/target-groups/count",
      headers: f.t.as(vic),
      payload: { rule: { field: "country); drop table customers; --", op: "eq", value: "x" } },
    });
    expect(injected.statusCode).toBe(422);
    // The customers were first seen on 2026-11-01: the backfill knows the group since then.
    const sizes = await http.inject({
      url: `/api/target-groups/${id}/sizes?days=90`,
      headers: f.t.as(vic),
    });
    const days = sizes.json().days as { date: string; total: number; source: string }[];
    expect(days.length).toBeGreaterThan(0);
    expect(days.every((d) => d.source === "computed")).toBe(true);
    expect(days.find((d) => d.date === "2026-11-15")).toMatchObject({ total: 50 });
    expect(days.find((d) => d.date === "2026-10-15")).toMatchObject({ total: 0, reachable: 0 });
    // A night records the size of the day; a later backfill keeps it.
    await recordGroupSizes(f.t.app, "2026-12-01");
    const again = await http.inject({
      method: "PUT",
      url: `/api/target-groups/${id}`,
      headers: f.t.as(ann),
      payload: { name: "DE (renamed)", rule },
    });
    expect(again.json()).toMatchObject({
      name: "DE (renamed)",
      lastSize: { date: "2026-12-01", total: 50, reachable: 50 },
    });
    const after = (
      await http.inject({ url: `/api/target-groups/${id}/sizes`, headers: f.t.as(vic) })
    ).json().days as { date: string; source: string }[];
    expect(after.find((d) => d.date === "2026-12-01")?.source).toBe("recorded");
    const campaign = await createCampaign(
      f.t.app,
      cliActor(),
      f.campaignBody(id, { name: "W", schedule: { type: "daily", start: "2026-12-02" } }),
    );
    const remove = await http.inject({
      method: "DELETE",
      url: `/api/target-groups/${id}`,
      headers: f.t.as(ann),
    });
    expect(remove.statusCode).toBe(409);
    expect(remove.json().detail).toContain(`campaign #${campaign.campaign.id}`);
  });
});
