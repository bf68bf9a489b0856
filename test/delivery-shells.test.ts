// Test sends (now, to the configured test contacts, recorded apart from any occurrence), the
// recipient export of an occurrence (streamed to CSV; refused once retention deleted the list),
// and pausing a campaign whose batches SFMC already has: the CLI and the API say they still go out.
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { parse } from "csv-parse/sync";
import { afterEach, beforeEach, expect, it } from "vitest";
import { DEMO_CLIENT } from "../emulator/demo-tenant.ts";
import { injectFetch } from "../emulator/inject-fetch.ts";
import { useEmulator } from "../emulator/test-helpers.ts";
import { cliActor, listAudit } from "../src/audit/audit.ts";
import { createCampaign } from "../src/campaigns/campaigns.ts";
import { EXIT_CODES } from "../src/cli/main.ts";
import type { NightjarConfig } from "../src/config/schema.ts";
import { runNight } from "../src/delivery/nightly-run.ts";
import type { CampaignFixture } from "./helpers/campaigns.ts";
import { cli, onlyJson } from "./helpers/cli.ts";
import { describeEachEngine } from "./helpers/engines.ts";
import { tempFolder } from "./helpers/files.ts";
import { cliConfig, emulatedSends, nightFixture, type sharedClock } from "./helpers/night.ts";

const emulator = useEmulator();
const folder = tempFolder();
const TEST_CONTACTS = ["C000001", "C000002"];

describeEachEngine("test sends, recipient exports and pauses", (test) => {
  let f: CampaignFixture & { clock: ReturnType<typeof sharedClock> };
  let campaignId: number;
  const start = async (change: (c: NightjarConfig) => void) => {
    f = await nightFixture(test().db, emulator(), { now: "2026-12-02T02:00:00Z", config: change });
    await writeFile(
      path.join(folder.dir(), "nightjar.config.json"),
      JSON.stringify(cliConfig(change)),
    );
    await f.customers(6_000);
    const everyone = await f.everyone();
    campaignId = (
      await createCampaign(
        f.t.app,
        cliActor(),
        f.campaignBody(everyone, {
          name: "Big",
          controlGroupPercent: 10,
          // Daily, so that it can still be paused once an occurrence was handed over.
          schedule: { type: "daily", start: "2026-12-02" },
        }),
      )
    ).campaign.id;
  };
  beforeEach(() => {
    f = undefined as never;
  });
  afterEach(async () => {
    await f?.t.close();
  });
  const run = (args: string[]) =>
    cli(folder.dir(), args, {
      db: test().db,
      clock: f.clock,
      fetch: injectFetch(emulator().app),
      env: { SFMC_CLIENT_SECRET: DEMO_CLIENT.clientSecret },
    });

  it("pushes a test send now to the test contacts, apart from the occurrences; refuses without test contacts", async () => {
    await start((c) => {
      c.campaigns.testContacts = TEST_CONTACTS;
    });
    const sent = await run(["campaigns", "test-send", String(campaignId), "--json"]);
    expect(sent.code, sent.stderr).toBe(0);
    const body = onlyJson(sent) as { id: number; state: string; tokenId: string };
    expect(body).toMatchObject({
      state: "sent",
      contactKeys: TEST_CONTACTS,
      sentBy: expect.any(String),
    });
    const sends = await emulatedSends(emulator());
    expect(sends).toHaveLength(1);
    expect(sends[0]).toMatchObject({
      tokenId: body.tokenId,
      subscriberKeys: TEST_CONTACTS,
      sendTime: null,
    });
    const row = await test()
      .db.kysely.selectFrom("test_sends")
      .selectAll()
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ state: "sent", token_id: body.tokenId, campaign_id: campaignId });
    const occurrences = await test()
      .db.kysely.selectFrom("campaign_occurrences")
      .select("id")
      .execute();
    expect(occurrences).toHaveLength(0);
    // The API, for marketers.
    await f.t.addUser("mia@example.com", "marketer");
    await f.t.addUser("vic@example.com", "viewer");
    const http = f.t.server.http;
    const url = `/api/campaigns/${campaignId}/test-send`;
    const asViewer = await http.inject({
      method: "POST",
      url,
      headers: f.t.as(await f.t.signIn("vic@example.com")),
    });
    expect(asViewer.statusCode).toBe(403);
    const asMarketer = await http.inject({
      method: "POST",
      url,
      headers: f.t.as(await f.t.signIn("mia@example.com")),
    });
    expect(asMarketer.statusCode, asMarketer.body).toBe(200);
    expect(asMarketer.json()).toMatchObject({ state: "sent", sentBy: "user:mia@example.com" });
    const audit = await listAudit(test().db.kysely, { entity: "campaign" });
    expect(audit.filter((a) => a.action === "test-send")).toHaveLength(2);
    // The night's selection does not know the test sends: both test contacts are in the list.
    await runNight(f.t.app, { date: "2026-12-02", trigger: "cli", actor: cliActor() });
    const listed = await test()
      .db.kysely.selectFrom("occurrence_recipients")
      .select("contact_key")
      .where("contact_key", "in", TEST_CONTACTS)
      .execute();
    expect(listed).toHaveLength(2);

    const before = (await emulatedSends(emulator())).length;
    await writeFile(path.join(folder.dir(), "nightjar.config.json"), JSON.stringify(cliConfig()));
    const none = await run(["campaigns", "test-send", String(campaignId)]);
    expect(none.code).toBe(EXIT_CODES.config);
    expect(none.stderr).toContain("campaigns.testContacts");
    expect(await emulatedSends(emulator())).toHaveLength(before);
  });

  it("exports an occurrence's list to CSV, says which batches SFMC still sends after a pause, and refuses a purged list", async () => {
    await start(() => {});
    const csv = path.join(folder.dir(), "recipients.csv");
    const early = await run(["campaigns", "recipients", String(campaignId), "--csv", csv]);
    expect(early.code).toBe(EXIT_CODES.not_found);
    expect(early.stderr).toContain("has no frozen occurrence yet");
    await runNight(f.t.app, { date: "2026-12-02", trigger: "cli", actor: cliActor() });
    const exported = await run([
      "campaigns",
      "recipients",
      String(campaignId),
      "--csv",
      csv,
      "--json",
    ]);
    expect(exported.code, exported.stderr).toBe(0);
    const occurrence = await test()
      .db.kysely.selectFrom("campaign_occurrences")
      .select(["test", "control"])
      .executeTakeFirstOrThrow();
    expect(occurrence.test + occurrence.control).toBe(6_000);
    expect(onlyJson(exported)).toMatchObject({
      localDate: "2026-12-02",
      rows: 6_000,
      ...occurrence,
    });
    const rows = parse(await readFile(csv, "utf8"), { columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(6_000);
    const list = await test()
      .db.kysely.selectFrom("occurrence_recipients")
      .select(["contact_key", "control"])
      .execute();
    const control = new Set(list.filter((r) => r.control).map((r) => r.contact_key));
    expect(new Set(rows.map((r) => r.contact_key)).size).toBe(6_000);
    for (const r of rows) {
      expect(r.group).toBe(control.has(r.contact_key as string) ? "control" : "test");
      if (r.group === "test") expect(r.batch_state).toBe("sent");
      else expect([r.batch_id, r.batch_state]).toEqual(["", ""]);
    }
    const batches = await test()
      .db.kysely.selectFrom("send_batches")
      .select(["id", "contact_keys"])
      .execute();
    const batchOf = new Map(
      batches.flatMap((b) => (b.contact_keys ?? []).map((k) => [k, String(b.id)])),
    );
    expect(
      rows
        .filter((r) => r.group === "test")
        .every((r) => batchOf.get(r.contact_key as string) === r.batch_id),
    ).toBe(true);
    expect(
      (
        await run([
          "campaigns",
          "recipients",
          String(campaignId),
          "--occurrence",
          "2026-12-03",
          "--csv",
          csv,
        ])
      ).code,
    ).toBe(EXIT_CODES.not_found);

    // Handed over for 10:00, paused at 02:00: SFMC sends them anyway.
    const paused = await run(["campaigns", "pause", String(campaignId)]);
    expect(paused.code, paused.stderr).toBe(0);
    expect(paused.stderr).toContain(
      `warning: 2 batches were (${occurrence.test} recipients) already handed over to SFMC with a SendTime still ahead (the last at 2026-12-02T10:00:00.000Z): SFMC cannot cancel a scheduled send`,
    );
    await f.t.addUser("mia@example.com", "marketer");
    const mia = await f.t.signIn("mia@example.com");
    const resumed = await f.t.server.http.inject({
      method: "POST",
      url: `/api/campaigns/${campaignId}/resume`,
      headers: f.t.as(mia),
    });
    expect(resumed.json()).toMatchObject({ status: "scheduled", warnings: [] });
    const again = await f.t.server.http.inject({
      method: "POST",
      url: `/api/campaigns/${campaignId}/pause`,
      headers: f.t.as(mia),
    });
    expect(again.statusCode).toBe(200);
    expect(again.json().warnings[0]).toContain("SFMC cannot cancel a scheduled send");
    // Once the SendTimes have passed there is nothing left to say.
    f.clock.set("2026-12-02T11:00:00Z");
    const later = await f.t.signIn("mia@example.com");
    await f.t.server.http.inject({
      method: "POST",
      url: `/api/campaigns/${campaignId}/resume`,
      headers: f.t.as(later),
    });
    const late = await f.t.server.http.inject({
      method: "POST",
      url: `/api/campaigns/${campaignId}/pause`,
      headers: f.t.as(later),
    });
    expect(late.json(), late.body).toMatchObject({ status: "paused", warnings: [] });

    await test().db.kysely.deleteFrom("occurrence_recipients").execute();
    await test()
      .db.kysely.updateTable("campaign_occurrences")
      .set({ lists_purged_at: new Date("2028-01-05T02:00:00Z") })
      .execute();
    const purged = await run(["campaigns", "recipients", String(campaignId), "--csv", csv]);
    expect(purged.code).toBe(EXIT_CODES.conflict);
    expect(purged.stderr).toContain(
      "was deleted on 2028-01-05 by retention (delivery.retentionDays = 400)",
    );
  });
});
