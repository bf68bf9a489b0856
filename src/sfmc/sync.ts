/**
 * Message sync: the push messages Nightjar may send are the API-triggered, outbound alert messages
 * of the configured apps whose name starts with their business unit's template prefix. They are read
 * from SFMC per business unit and stored in `sfmc_messages` in one transaction.
 */

import type { Updateable } from "kysely";
import type { App } from "../app.ts";
import { type Actor, recordChange } from "../audit/audit.ts";
import type { SfmcAccount, SfmcApp } from "../config/schema.ts";
import type { Db } from "../db/connect.ts";
import type { Database } from "../db/tables.ts";
import { inTransaction } from "../db/transaction.ts";
import { NightjarError } from "../errors.ts";
import type { SfmcClient } from "./client.ts";
import { ACTIVE, ALERT, API_TRIGGERED, OUTBOUND, type PushMessage } from "./schemas.ts";

/** A message of a configured app that passes every check but, perhaps, the status. */
export interface FoundMessage {
  /** The business unit's MID. */
  businessUnit: string;
  id: string;
  name: string;
  appId: string;
  /** `status` 2 (Active) in SFMC. */
  active: boolean;
}

/** Something in the config that the sync could not follow (it went on with the rest). */
export interface SyncProblem {
  businessUnit: string;
  appId: string;
  message: string;
}

/** What one account's business units hold for Nightjar. */
export interface AccountMessages {
  account: string;
  messages: FoundMessage[];
  problems: SyncProblem[];
}

/** The sync's changes to the usable messages. */
export interface SyncCounts {
  /** Became usable: new, or active again. */
  added: number;
  /** Still usable, with a new name or app. */
  updated: number;
  /** No longer usable: gone from SFMC, no longer active or no longer qualifying. */
  removed: number;
  /** Usable and unchanged. */
  kept: number;
}

/** The server-side filter; only a first cut, since every field is checked here again. */
export const MESSAGE_FILTER = "messageType eq '1'";

/**
 * Why a listed message is not one Nightjar may send (whatever its status); null when it is one.
 * Checks each field itself, whatever `$filter` the server applied.
 */
export function notSendable(message: PushMessage, templatePrefix: string): string | null {
  if (message.messageType !== OUTBOUND) return `messageType ${message.messageType} is not outbound`;
  if (message.contentType !== ALERT) return `contentType ${message.contentType} is not an alert`;
  if (message.sendInitiator !== API_TRIGGERED)
    return `sendInitiator ${message.sendInitiator ?? "(none)"} is not API`;
  if (!message.name.startsWith(templatePrefix))
    return `the name does not start with ${templatePrefix}`;
  return null;
}

/**
 * For each business unit of the account with configured apps: checks that each app is one of the
 * BU's apps, lists the BU's messages and keeps those of its apps that pass `notSendable`. An app
 * that SFMC does not know in its BU is reported as a problem, and the others are still read.
 * Changes nothing; `storeMessages` stores the result.
 */
export async function readAccountMessages(
  client: SfmcClient,
  account: SfmcAccount,
  apps: readonly SfmcApp[],
): Promise<AccountMessages> {
  const messages: FoundMessage[] = [];
  const problems: SyncProblem[] = [];
  for (const bu of account.businessUnits) {
    const buApps = apps.filter((app) => app.businessUnit === bu.mid);
    if (buApps.length === 0) continue;
    const known = await Promise.all(
      buApps.map(async (app) => ({ app, found: await client.getApplication(bu.mid, app.id) })),
    );
    for (const { app, found } of known)
      if (!found)
        problems.push({
          businessUnit: bu.mid,
          appId: app.id,
          message: `app ${app.id} (${app.name}) is not an app of business unit ${bu.mid} (${bu.name}) in SFMC; its messages were not imported (run \`nightjar sfmc check\`)`,
        });
    const appIds = new Set(known.filter(({ found }) => found).map(({ app }) => app.id));
    if (appIds.size === 0) continue;
    const listed = await client.listAllMessages(bu.mid, {
      filter: MESSAGE_FILTER,
      orderBy: "id asc",
    });
    for (const message of listed) {
      if (!appIds.has(message.application.id)) continue;
      if (notSendable(message, bu.templatePrefix) !== null) continue;
      messages.push({
        businessUnit: bu.mid,
        id: message.id,
        name: message.name,
        appId: message.application.id,
        active: message.status === ACTIVE,
      });
    }
  }
  return { account: account.name, messages, problems };
}

const keyOf = (businessUnit: string, id: string) => `${businessUnit}\u0000${id}`;

/** What a sync did: the accounts read, the changes to the usable messages, what it skipped. */
export interface SyncResult {
  accounts: number;
  messages: SyncCounts;
  problems: SyncProblem[];
}

/**
 * Use case: reads the push messages of every configured account (all of them before anything is
 * stored, so a failure changes nothing), then stores them in one transaction.
 */
export async function syncMessages(
  app: Pick<App, "db" | "config" | "clock" | "sfmc" | "lockWait">,
  actor: Actor,
): Promise<SyncResult> {
  const found: AccountMessages[] = [];
  for (const { client, account } of app.sfmc)
    found.push(await readAccountMessages(client, account, app.config.sfmc.apps));
  const settings = { locks: ["sfmcMessages"], wait: app.lockWait } as const;
  const messages = await inTransaction(app.db.kysely, settings, async (trx) => {
    const counts = await storeMessages(trx, found, app.clock.now());
    await recordChange(trx, app.clock, actor, {
      entity: "sfmc_messages",
      entityId: null,
      action: "sync",
      after: { accounts: found.length, ...counts },
    });
    return counts;
  });
  return { accounts: found.length, messages, problems: found.flatMap((a) => a.problems) };
}

/**
 * Stores what the accounts hold, in the caller's transaction (which holds the sfmcMessages lock).
 * New active messages are added; stored ones are updated, and those that stopped being usable are
 * marked `inactive` (still in SFMC) or `removed` (gone, or no longer of a configured app); rows are
 * never deleted. Messages that were never active are not stored. `now` is the sync's time.
 */
export async function storeMessages(
  trx: Db,
  accounts: readonly AccountMessages[],
  now: Date,
): Promise<SyncCounts> {
  const found = new Map<string, FoundMessage>();
  for (const account of accounts)
    for (const message of account.messages)
      found.set(keyOf(message.businessUnit, message.id), message);
  const counts: SyncCounts = { added: 0, updated: 0, removed: 0, kept: 0 };
  const stored = await trx.selectFrom("sfmc_messages").selectAll().forUpdate().execute();
  const storedKeys = new Set<string>();
  for (const row of stored) {
    const key = keyOf(row.business_unit, row.message_id);
    storedKeys.add(key);
    const set = (values: Updateable<Database["sfmc_messages"]>) =>
      trx
        .updateTable("sfmc_messages")
        .set(values)
        .where("business_unit", "=", row.business_unit)
        .where("message_id", "=", row.message_id)
        .execute();
    const current = found.get(key);
    if (!current) {
      if (row.status === "removed") continue;
      if (row.status === "active") counts.removed += 1;
      await set({ status: "removed", removed_at: row.removed_at ?? now });
      continue;
    }
    const seen = { name: current.name, app_id: current.appId, last_seen_at: now };
    if (current.active) {
      if (row.status !== "active") counts.added += 1;
      else if (row.name !== current.name || row.app_id !== current.appId) counts.updated += 1;
      else counts.kept += 1;
      await set({ ...seen, status: "active", removed_at: null });
    } else {
      if (row.status === "active") counts.removed += 1;
      await set({ ...seen, status: "inactive", removed_at: row.removed_at ?? now });
    }
  }
  const added = [...found.entries()]
    .filter(([key, message]) => message.active && !storedKeys.has(key))
    .map(([, message]) => ({
      business_unit: message.businessUnit,
      message_id: message.id,
      name: message.name,
      app_id: message.appId,
      status: "active" as const,
      first_seen_at: now,
      last_seen_at: now,
      removed_at: null,
    }));
  if (added.length > 0) await trx.insertInto("sfmc_messages").values(added).execute();
  counts.added += added.length;
  return counts;
}

/** A usable push message as `nightjar sfmc messages` lists it. */
export interface UsableMessage {
  id: string;
  name: string;
  appId: string;
  businessUnit: string;
  status: "active";
}

/** The usable (active) synced messages, of one app when `appId` is given, by BU, app and name. */
export async function listUsableMessages(
  db: Db,
  options: { appId?: string } = {},
): Promise<UsableMessage[]> {
  let query = db
    .selectFrom("sfmc_messages")
    .select(["message_id", "name", "app_id", "business_unit"])
    .where("status", "=", "active");
  if (options.appId !== undefined) query = query.where("app_id", "=", options.appId);
  const rows = await query.orderBy("business_unit").orderBy("app_id").orderBy("name").execute();
  return rows.map((row) => ({
    id: row.message_id,
    name: row.name,
    appId: row.app_id,
    businessUnit: row.business_unit,
    status: "active",
  }));
}

/** The app asked for is not one of the configured apps. */
export class UnknownAppError extends NightjarError {
  override name = "UnknownAppError";
  override readonly kind = "not_found";
}

/** Use case: the usable push messages, of one configured app when `appId` is given. */
export async function usableMessages(
  app: Pick<App, "db" | "config">,
  options: { appId?: string | undefined } = {},
): Promise<UsableMessage[]> {
  const { appId } = options;
  if (appId !== undefined && !app.config.sfmc.apps.some((a) => a.id === appId))
    throw new UnknownAppError(`app ${appId} is not one of the configured apps (sfmc.apps)`);
  return listUsableMessages(app.db.kysely, appId === undefined ? {} : { appId });
}
