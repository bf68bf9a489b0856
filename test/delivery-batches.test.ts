// Unknown batches resolved by the operator: the CLI lists them with their keys and re-sends one
// (a new planned batch the next run hands over, the original abandoned with a note, the
// occurrence delivered once the re-send is sent); the API resolves others as sent (with the
// tokenId found in SFMC) or abandoned; only an unknown batch can be resolved. Runs through the
// API: started in the background (202 with the run id), refused while another run holds the lock.
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, beforeEach, expect, it } from "vitest";
import { DEMO_CLIENT } from "../emulator/demo-tenant.ts";
import { injectFetch } from "../emulator/inject-fetch.ts";
import { call, useEmulator } from "../emulator/test-helpers.ts";
import { cliActor, listAudit } from "../src/audit/audit.ts";
import { createCampaign } from "../src/campaigns/campaigns.ts";
import { EXIT_CODES } from "../src/cli/main.ts";
import type { NightjarConfig } from "../src/config/schema.ts";
import { runNight } from "../src/delivery/nightly-run.ts";
import { takeRunLock } from "../src/delivery/run-lock.ts";
import { formatSendTime } from "../src/time/sfmc-time.ts";
import type { CampaignFixture } from "./helpers/campaigns.ts";
import { cli, onlyJson } from "./helpers/cli.ts";
import { describeEachEngine } from "./helpers/engines.ts";
import { tempFolder } from "./helpers/files.ts";
import { cliConfig, emulatedSends, nightFixture, type sharedClock } from "./helpers/night.ts";

const emulator = useEmulator();
const folder = tempFolder();
const budget = (c: NightjarConfig) => {
  for (const account of c.sfmc.accounts)
    account.sendBudget = { recipients: 25_000, perMinutes: 30, reservePercent: 0 };
};

type Batch = {
  id: number;
  state: string;
  size: number;
  sendAt: string;
  tokenId: string | null;
  error: string | null;
  resendOf: number | null;
  runDate: string;
  contactKeys: string[] | null;
};

/** Polls `check` (real time) until it holds. */
async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 2000; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describeEachEngine("unknown batches and runs from the CLI and the API", (test) => {
  let f: CampaignFixture & { clock: ReturnType<typeof sharedClock> };
  let campaignId: number;
  beforeEach(async () => {
    await call(emulator(), "PATCH", "_emulator/behaviour", {
      body: { budget: { recipients: 25_000, perMinutes: 30 } },
    });
    f = await nightFixture(test().db, emulator(), { now: "2026-12-02T02:00:00Z", config: budget });
    await writeFile(
      path.join(folder.dir(), "nightjar.config.json"),
      JSON.stringify(cliConfig(budget)),
    );
    await f.customers(12_000);
    const everyone = await f.everyone();
    campaignId = (
      await createCampaign(
        f.t.app,
        cliActor(),
        f.campaignBody(everyone, { name: "Big", controlGroupPercent: 10 }),
      )
    ).campaign.id;
  });
  afterEach(async () => {
    await f.t.close();
  });
  const run = (args: string[]) =>
    cli(folder.dir(), args, {
      db: test().db,
      clock: f.clock,
      fetch: injectFetch(emulator().app),
      env: { SFMC_CLIENT_SECRET: DEMO_CLIENT.clientSecret },
    });
  const occurrenceState = async () =>
    (
      await test()
        .db.kysely.selectFrom("campaign_occurrences")
        .select("state")
        .executeTakeFirstOrThrow()
    ).state;

  it("lists an unknown batch with its keys and re-sends it in a new batch that the next run hands over", async () => {
    // SFMC takes the first send, then the connection is cut before its answer.
    await call(emulator(), "POST", "_emulator/faults", {
      body: { kind: "dropConnection", route: "send", times: 1 },
    });
    const night = await runNight(f.t.app, {
      date: "2026-12-02",
      trigger: "cli",
      actor: cliActor(),
    });
    expect(night.unknownBatches).toBe(1);
    const sendsBefore = (await emulatedSends(emulator())).length;
    const listed = onlyJson(
      await run(["batches", "list", "--state", "unknown", "--json"]),
    ) as Batch[];
    expect(listed).toHaveLength(1);
    const unknown = listed[0] as Batch;
    expect(unknown.contactKeys).toHaveLength(unknown.size);
    expect((await run(["batches", "list"])).stdout).toMatch(
      new RegExp(
        `#${unknown.id}  campaign #${campaignId} Big  2026-12-02  ${unknown.size.toLocaleString("en-US")} keys  \\[unknown\\]`,
      ),
    );
    // Keys only for unknown batches.
    const sent = onlyJson(await run(["batches", "list", "--state", "sent", "--json"])) as Batch[];
    expect(sent).toHaveLength(2);
    expect(sent.every((b) => b.contactKeys === null && b.tokenId !== null)).toBe(true);

    f.clock.set("2026-12-02T02:10:20Z");
    const resolved = await run(["batches", "resolve", String(unknown.id), "--resend"]);
    expect(resolved.code, resolved.stderr).toBe(0);
    const resendId = Number(/re-sent as batch #(\d+)/.exec(resolved.stdout)?.[1]);
    expect(resendId).toBeGreaterThan(unknown.id);
    expect(resolved.stdout).toContain("nightjar run --date 2026-12-02");
    const all = onlyJson(
      await run(["batches", "list", "--date", "2026-12-02", "--json"]),
    ) as (Batch & {
      seq: number;
    })[];
    const original = all.find((b) => b.id === unknown.id);
    const resend = all.find((b) => b.id === resendId);
    expect(original).toMatchObject({ state: "abandoned", contactKeys: null });
    expect(original?.error).toMatch(new RegExp(`^re-sent as batch #${resendId} \\(was unknown: `));
    // At the batch's own send time, still ahead: a re-send made at night does not push at night.
    expect(unknown.sendAt).toBe("2026-12-02T10:00:00.000Z");
    expect(resend).toMatchObject({
      state: "planned",
      resendOf: unknown.id,
      seq: 3, // after the occurrence's batches 0, 1 and 2
      size: unknown.size,
      sendAt: unknown.sendAt,
    });
    // An open re-send keeps the occurrence from settling.
    expect(await occurrenceState()).toBe("delivered_with_problems");
    const again = await run(["batches", "resolve", String(unknown.id), "--abandon"]);
    expect(again.code).toBe(EXIT_CODES.conflict);
    expect(again.stderr).toContain(`batch #${unknown.id} is abandoned: only an unknown batch`);
    expect((await run(["batches", "resolve", String(unknown.id)])).code).toBe(EXIT_CODES.usage);

    const next = await runNight(f.t.app, { date: "2026-12-02", trigger: "cli", actor: cliActor() });
    expect(next.status).toBe("completed");
    const sends = await emulatedSends(emulator());
    expect(sends).toHaveLength(sendsBefore + 1);
    expect(sends.at(-1)?.subscriberKeys).toEqual(unknown.contactKeys);
    expect(sends.at(-1)?.sendTime).toBe(formatSendTime(new Date(unknown.sendAt)));
    // The abandoned original is superseded by its re-send: no problem left.
    expect(await occurrenceState()).toBe("delivered");
    const audit = await listAudit(test().db.kysely, { entity: "send_batch" });
    expect(audit.map((a) => [a.action, a.entityId])).toEqual([["resend", String(unknown.id)]]);
  });

  it("runs the night from the API in the background, and resolves unknown batches as sent or abandoned", async () => {
    await f.t.addUser("ada@example.com", "admin");
    await f.t.addUser("mia@example.com", "marketer");
    await f.t.addUser("vic@example.com", "viewer");
    const ada = await f.t.signIn("ada@example.com");
    const mia = await f.t.signIn("mia@example.com");
    const vic = await f.t.signIn("vic@example.com");
    const http = f.t.server.http;
    for (const who of [vic, mia])
      expect(
        (
          await http.inject({
            method: "POST",
            url: "/api/runs",
            headers: f.t.as(who),
            payload: { date: "2026-12-02" },
          })
        ).statusCode,
      ).toBe(403);
    await call(emulator(), "POST", "_emulator/faults", {
      body: { kind: "dropConnection", route: "send", times: 2 },
    });
    // Another run holds the lock: refused, and no run row is made.
    const lock = await takeRunLock(f.t.app, "nightjar run");
    const busy = await http.inject({
      method: "POST",
      url: "/api/runs",
      headers: f.t.as(ada),
      payload: { date: "2026-12-02" },
    });
    await lock.release();
    expect(busy.statusCode).toBe(409);
    expect(busy.json().detail).toContain("another nightly run holds the run lock");
    const started = await http.inject({
      method: "POST",
      url: "/api/runs",
      headers: f.t.as(ada),
      payload: { date: "2026-12-02" },
    });
    expect(started.statusCode, started.body).toBe(202);
    const { runId } = started.json() as { runId: number };
    expect(started.json()).toEqual({ runId, date: "2026-12-02", resumed: false });
    const report = async () =>
      (await http.inject({ url: `/api/runs/${runId}`, headers: f.t.as(vic) })).json();
    await until(async () => (await report()).status !== "running", "the run to end");
    expect(await report()).toMatchObject({
      status: "completed",
      trigger: "api",
      unknownBatches: 2,
    });
    const runs = (await http.inject({ url: "/api/runs", headers: f.t.as(vic) })).json();
    expect(runs).toEqual([
      expect.objectContaining({
        id: runId,
        date: "2026-12-02",
        status: "completed",
        trigger: "api",
        startedBy: "user:ada@example.com",
        error: null,
      }),
    ]);
    expect((await http.inject({ url: "/api/runs/999", headers: f.t.as(vic) })).statusCode).toBe(
      404,
    );

    const unknown = (
      await http.inject({ url: "/api/batches?state=unknown", headers: f.t.as(vic) })
    ).json() as Batch[];
    expect(unknown).toHaveLength(2);
    const [first, second] = unknown as [Batch, Batch];
    const resolve = (id: number, who: typeof ada, payload: Record<string, unknown>) =>
      http.inject({
        method: "POST",
        url: `/api/batches/${id}/resolve`,
        headers: f.t.as(who),
        payload,
      });
    expect((await resolve(first.id, mia, { action: "abandon" })).statusCode).toBe(403);
    const refused = await resolve(first.id, ada, { action: "abandon", tokenId: "x" });
    expect(refused.statusCode).toBe(400);
    // The send SFMC did take (the cut connection hid its answer) is found there by its keys.
    const taken = (await emulatedSends(emulator())).find(
      (s) => s.subscriberKeys[0] === first.contactKeys?.[0],
    );
    expect(taken).toBeDefined();
    const asSent = await resolve(first.id, ada, { action: "sent", tokenId: taken?.tokenId });
    expect(asSent.statusCode, asSent.body).toBe(200);
    expect(asSent.json()).toMatchObject({
      batch: {
        id: first.id,
        state: "sent",
        tokenId: taken?.tokenId,
        resolvedBy: "user:ada@example.com",
      },
      resend: null,
    });
    expect(await occurrenceState()).toBe("delivered_with_problems");
    const abandoned = await resolve(second.id, ada, { action: "abandon" });
    expect(abandoned.json()).toMatchObject({ batch: { state: "abandoned" }, resend: null });
    expect((await resolve(second.id, ada, { action: "sent" })).statusCode).toBe(409);
    expect((await resolve(999_999, ada, { action: "sent" })).statusCode).toBe(404);
    // Abandoned without a re-send: a problem of the occurrence.
    expect(await occurrenceState()).toBe("delivered_with_problems");
    const audit = await listAudit(test().db.kysely, { entity: "send_batch" });
    expect(audit.map((a) => a.action).sort()).toEqual(["abandon", "resolve-sent"]);
  });
});
