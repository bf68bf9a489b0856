// What a crash test reads of a night: the database between runs, and the emulator's record.
import { sql } from "kysely";
import type { RunningEmulator } from "../../emulator/server.ts";
import type { Db } from "../../src/db/connect.ts";
import { addToLists, type Lists } from "./crash.ts";
import { type EmulatedSend, emulatedSends } from "./night.ts";

/** One batch as the database holds it. */
export interface BatchRow {
  id: number;
  campaign_id: number;
  state: string;
  contact_keys: string[];
  token_id: string | null;
  error: string | null;
}

/** The night's state in the database. */
export interface NightState {
  runs: { id: number; status: string }[];
  occurrences: { id: number; campaign_id: number; frozen_at: Date }[];
  batches: BatchRow[];
  steps: {
    position: number;
    step: string;
    status: string;
    started_at: Date;
    finished_at: Date | null;
  }[];
  recipients: number;
}

/** Reads the night's runs, occurrences, batches and steps. */
export async function nightState(db: Db): Promise<NightState> {
  const batches = await sql<BatchRow>`
    select b.id, o.campaign_id, b.state, b.contact_keys, b.token_id, b.error
    from send_batches b join campaign_occurrences o on o.id = b.occurrence_id
    order by b.id`.execute(db);
  const recipients = await sql<{ n: number }>`
    select count(*)::integer as n from occurrence_recipients`.execute(db);
  return {
    runs: await db.selectFrom("nightly_runs").select(["id", "status"]).orderBy("id").execute(),
    occurrences: await db
      .selectFrom("campaign_occurrences")
      .select(["id", "campaign_id", "frozen_at"])
      .orderBy("id")
      .execute(),
    batches: batches.rows,
    steps: await db
      .selectFrom("nightly_run_steps")
      .select(["position", "step", "status", "started_at", "finished_at"])
      .orderBy("position")
      .execute(),
    recipients: recipients.rows[0]?.n ?? 0,
  };
}

/** The frozen test and control lists, by campaign id. */
export async function frozenLists(db: Db): Promise<Lists> {
  const rows = await sql<{ campaign_id: number; contact_key: string; control: boolean }>`
    select o.campaign_id, r.contact_key, r.control
    from occurrence_recipients r join campaign_occurrences o on o.id = r.occurrence_id`.execute(db);
  const lists: Lists = new Map();
  for (const r of rows.rows) addToLists(lists, r.campaign_id, r.contact_key, r.control);
  return lists;
}

/** What the emulator received: its sends, and how many times each key came per message. */
export interface Received {
  sends: EmulatedSend[];
  /** Message id → contact key → times received. */
  times: Map<string, Map<string, number>>;
  /** The sends whose keys are exactly `keys`, in order. */
  sendsOf(keys: readonly string[]): EmulatedSend[];
}

export async function received(emulator: RunningEmulator): Promise<Received> {
  const sends = await emulatedSends(emulator);
  const times = new Map<string, Map<string, number>>();
  for (const send of sends) {
    const byKey = times.get(send.messageId) ?? new Map<string, number>();
    times.set(send.messageId, byKey);
    for (const key of send.subscriberKeys) byKey.set(key, (byKey.get(key) ?? 0) + 1);
  }
  const identity = (keys: readonly string[]) => keys.join(",");
  return {
    sends,
    times,
    sendsOf: (keys) => sends.filter((s) => identity(s.subscriberKeys) === identity(keys)),
  };
}

/** The rules the emulator holds, with how often each hit. */
export async function faultHits(emulator: RunningEmulator): Promise<number> {
  const response = await fetch(new URL("_emulator/faults", emulator.url));
  const { rules } = (await response.json()) as { rules: { hits: number }[] };
  return rules.reduce((n, r) => n + r.hits, 0);
}
