// A process beside the test's, on one embedded database folder (run with `--import tsx`):
// `host FOLDER` opens the folder, migrates and shares it, as `nightjar serve` will, and runs the
// queries its parent sends (also in a loop, counting failures); `remote FOLDER` opens the folder
// through that share, inserts a row into `share_probe` inside a transaction and then waits there forever, for
// its parent to kill it.
import { sql } from "kysely";
import { migrate } from "../../src/db/migrate.ts";
import { openPGlite } from "../../src/db/pglite.ts";
import { shareDatabase } from "../../src/db/share.ts";

/** What the parent asks the host. */
export type HostAsk =
  | { t: "query"; sql: string }
  | { t: "startLoop" }
  | { t: "stopLoop" }
  | { t: "ownerAlive"; owner: number }
  | { t: "close" };

/** A question of the parent's, numbered for its answer. */
export type HostRequest = { id: number } & HostAsk;

/** The host's answer: a value, or an error's message and code. */
export interface HostReply {
  id: number;
  value?: unknown;
  error?: { message: string; code?: string };
}

/** What the query loop did: how many queries, and the failures' messages. */
export interface LoopReport {
  queries: number;
  failures: string[];
}

const [mode, folder] = process.argv.slice(2) as [string, string];

if (mode === "remote") {
  const db = await openPGlite(folder);
  await db.kysely.transaction().execute(async (trx) => {
    await sql`insert into share_probe (id, note) values (999, 'killed')`.execute(trx);
    process.send?.("inside");
    await new Promise(() => {});
  });
} else {
  const db = await openPGlite(folder, { command: "nightjar serve" });
  await migrate(db);
  const share = await shareDatabase(db, folder);
  let loop: { report: LoopReport; running: boolean; done: Promise<void> } | undefined;
  const runLoop = async (report: LoopReport, running: () => boolean) => {
    while (running()) {
      try {
        await sql`select count(*) as n from customers`.execute(db.kysely);
        report.queries++;
      } catch (error) {
        report.failures.push((error as Error).message);
      }
      // Between queries, let the share's sockets in.
      await new Promise((resolve) => setImmediate(resolve));
    }
  };
  const answer = async (request: HostRequest): Promise<unknown> => {
    switch (request.t) {
      case "query":
        return (await sql.raw(request.sql).execute(db.kysely)).rows;
      case "startLoop": {
        const report: LoopReport = { queries: 0, failures: [] };
        const state = { report, running: true, done: Promise.resolve() };
        state.done = runLoop(report, () => state.running);
        loop = state;
        return null;
      }
      case "stopLoop": {
        if (!loop) return null;
        loop.running = false;
        await loop.done;
        return loop.report;
      }
      case "ownerAlive":
        return db.ownerAlive(request.owner);
      case "close":
        await share.close();
        await db.close();
        setImmediate(() => process.exit(0));
        return null;
    }
  };
  process.on("message", async (request: HostRequest) => {
    let reply: HostReply;
    try {
      reply = { id: request.id, value: await answer(request) };
    } catch (error) {
      const { message, code } = error as { message: string; code?: string };
      reply = { id: request.id, error: { message, ...(code ? { code } : {}) } };
    }
    process.send?.(reply);
  });
  process.send?.("ready");
}
