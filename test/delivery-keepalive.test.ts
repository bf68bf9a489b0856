// A send never goes out on a connection SFMC closed while Nightjar was busy. A long freeze on
// PGlite blocks the event loop; an idle keep-alive connection the server closed meanwhile would
// carry the first send, fail, and leave its batch unknown (it cannot be told from a send SFMC
// took). The emulator runs in a process of its own, so it closes the connection on time.
import { type ChildProcess, fork } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { sql } from "kysely";
import { afterEach, expect, it } from "vitest";
import { cliActor } from "../src/audit/audit.ts";
import { createCampaign } from "../src/campaigns/campaigns.ts";
import { TestClock } from "../src/clock.ts";
import { deliverNight } from "../src/delivery/deliver.ts";
import { freezeNight } from "../src/delivery/freeze.ts";
import { syncMessages, usableMessages } from "../src/sfmc/sync.ts";
import { createTargetGroup } from "../src/targeting/target-groups.ts";
import { SHOP_IOS } from "./helpers/campaigns.ts";
import { describeEachEngine } from "./helpers/engines.ts";
import { startTestServer, type TestServer } from "./helpers/server.ts";

const CHILD = fileURLToPath(new URL("./helpers/emulator-child.ts", import.meta.url));
const NIGHT = "2026-12-02";
const START = Date.parse(`${NIGHT}T02:00:00Z`);
/** Long enough for the HTTP client to keep the connection for reuse (it trims a second off). */
const KEEP_ALIVE_MS = 5000;

/** Blocks this process's event loop (as a long synchronous PGlite statement does). */
function blockFor(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

describeEachEngine("sends after a blocked event loop", (test) => {
  let child: ChildProcess | undefined;
  let t: TestServer | undefined;
  afterEach(async () => {
    await t?.close();
    child?.kill();
    if (child?.exitCode === null) await once(child, "exit");
  });

  it("go out on fresh connections: every batch is sent, none unknown", async () => {
    child = fork(CHILD, [String(KEEP_ALIVE_MS), String(START)], {
      execArgv: ["--import", "tsx"],
      stdio: "inherit",
    });
    const [{ url }] = (await once(child, "message")) as [{ url: string }];
    t = await startTestServer(test().db, {
      sfmc: globalThis.fetch,
      clock: new TestClock(START),
      config: (c) => {
        for (const account of c.sfmc.accounts) account.authBaseUrl = url;
      },
    });
    const app = t.app;
    await syncMessages(app, cliActor());
    await sql`
      insert into customers (contact_key, present, first_seen_on, valid_from, last_import_id, country, allow_push)
      select 'C' || lpad(g::text, 6, '0'), true, '2026-11-01', '2026-11-01', 0, 'DE', true
      from generate_series(1, 12000) g`.execute(app.db.kysely);
    const group = await createTargetGroup(app, cliActor(), {
      name: "Everyone",
      rule: { field: "contact_key", op: "starts_with", value: "C" },
    });
    const message = (await usableMessages(app)).find((m) => m.appId === SHOP_IOS);
    await createCampaign(app, cliActor(), {
      name: "Morning",
      targetGroupId: group.id,
      businessUnit: "100",
      appId: SHOP_IOS,
      messageId: message?.id,
      schedule: { type: "once", date: NIGHT },
      sendTime: "10:00",
      timeZone: "UTC",
      controlGroupPercent: 0,
    });
    await freezeNight(app, { date: NIGHT });
    // A call leaves its connection idle in the pool; the loop stands still past the server's
    // keep-alive timeout, which closes it meanwhile.
    await app.sfmc[0]?.client.getMessage("100", message?.id as string);
    blockFor(KEEP_ALIVE_MS + 2000);
    const result = await deliverNight(app, { date: NIGHT, runId: null });
    expect(result).toMatchObject({ handled: 3, sent: 3, unknown: 0, failed: 0 });
  });
});
