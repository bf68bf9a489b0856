import { readFile } from "node:fs/promises";
import { z } from "zod";
import { BehaviourPatch } from "./behaviour.ts";
import { SeedError } from "./errors.ts";
import { decodeMessageId, encodeMessageId, isGuid } from "./ids.ts";
import { PushMessageDefinition } from "./message-schema.ts";
import type { Tenant } from "./tenant.ts";

const Mid = z.union([
  z.number().int().positive(),
  z.string().regex(/^\d+$/, "must be a MID (digits)").transform(Number),
]);
const Guid = z.string().refine(isGuid, "must be a GUID");
const Epoch = z.union([z.number(), z.iso.datetime({ offset: true }).transform(Date.parse)]);

/** Every scope a client gets when the seed lists none. */
export const DEFAULT_SCOPES = ["push_read", "push_write", "push_send"];

/** An installed package's API integration. */
export const ClientSeed = z
  .object({
    clientId: z.string().min(1),
    clientSecret: z.string().min(1),
    homeMid: Mid,
    /** MIDs the package may use besides its home MID. */
    mids: z.array(Mid).default([]),
    scopes: z.array(z.string().min(1)).default(DEFAULT_SCOPES),
    sendBudget: z
      .object({ recipients: z.number().int().positive(), perMinutes: z.number().positive() })
      .strict()
      .optional(),
    userId: z.number().int().positive().optional(),
  })
  .strict();
export type ClientSeed = z.infer<typeof ClientSeed>;

/** A MobilePush app of a BU. */
export const AppSeed = z
  .object({
    id: Guid,
    name: z.string().min(1),
    description: z.string().default(""),
    keys: z
      .array(z.object({ key: z.string().min(1), description: z.string().default("") }).strict())
      .default([]),
    apnsEnabled: z.boolean().default(true),
    gcmEnabled: z.boolean().default(true),
    createdDate: Epoch.optional(),
  })
  .strict();

/** A push message: the fields `POST /push/v1/message` takes, optionally with its id and dates. */
export const MessageSeed = PushMessageDefinition.extend({
  id: z
    .string()
    .refine((id) => decodeMessageId(id) !== null, "must be base64url of n:114:0")
    .optional(),
  createdDate: Epoch.optional(),
  lastUpdated: Epoch.optional(),
});

/** One contact's registration for one app. */
export const ContactSeed = z
  .object({
    contactKey: z.string().min(1),
    appId: Guid,
    optedIn: z.boolean().default(true),
    tags: z.array(z.string()).default([]),
    deviceTokens: z.array(z.string().min(1)).default([]),
  })
  .strict();

/** Many registrations: keys `prefix` + `from`…`to` padded to `digits`, dealt round-robin to `appIds`. */
export const ContactRangeSeed = z
  .object({
    prefix: z.string().default(""),
    digits: z.number().int().min(1).max(15),
    from: z.number().int().min(0),
    to: z.number().int().min(0),
    appIds: z.array(Guid).min(1),
    optedIn: z.boolean().default(true),
    tags: z.array(z.string()).default([]),
  })
  .strict()
  .refine((range) => range.from <= range.to, "from must not be past to")
  .refine((range) => String(range.to).length <= range.digits, "to has more digits than digits");

/** A BU (MID) with its apps, messages, contacts and tags; merged into an existing BU of that MID. */
export const BusinessUnitSeed = z
  .object({
    mid: Mid,
    name: z.string().min(1).optional(),
    apps: z.array(AppSeed).default([]),
    messages: z.array(MessageSeed).default([]),
    contacts: z.array(ContactSeed).default([]),
    contactRanges: z.array(ContactRangeSeed).default([]),
    tags: z.array(z.string().min(1)).default([]),
  })
  .strict();

/** A seed file (`--seed FILE`, `POST /_emulator/seed`, `startEmulator({ seed })`). */
export const SeedFile = z
  .object({
    enterpriseId: Mid.optional(),
    clients: z.array(ClientSeed).default([]),
    businessUnits: z.array(BusinessUnitSeed).default([]),
    behaviour: BehaviourPatch.optional(),
  })
  .strict();
export type SeedFile = z.infer<typeof SeedFile>;
/** A seed before defaults are applied, as a test or a file writes it. */
export type SeedInput = z.input<typeof SeedFile>;

/** The summary `applySeed` gives back, notably the ids it gave new messages. */
export interface SeedResult {
  clients: string[];
  businessUnits: number[];
  messages: { mid: number; name: string; id: string }[];
}

/** Parses a seed (from a file or an admin body), naming the first problems by path. */
export function parseSeed(input: unknown, source = "seed"): SeedFile {
  const parsed = SeedFile.safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .slice(0, 5)
      .map((issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`);
    throw new SeedError(`${source} is not valid: ${problems.join("; ")}`);
  }
  return parsed.data;
}

/** Reads and parses a seed file. */
export async function readSeedFile(file: string): Promise<SeedFile> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (cause) {
    throw new SeedError(`cannot read the seed file ${file}: ${(cause as Error).message}`, {
      cause,
    });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new SeedError(`the seed file ${file} is not JSON: ${(cause as Error).message}`, {
      cause,
    });
  }
  return parseSeed(json, `the seed file ${file}`);
}

/**
 * Adds (or replaces, by id) the seed's clients, BUs, apps, messages, contacts and tags in
 * `tenant`; throws SeedError, changing nothing, when the seed refers to something that is missing.
 */
export function applySeed(tenant: Tenant, seed: SeedFile, now: number): SeedResult {
  checkReferences(tenant, seed);
  const result: SeedResult = { clients: [], businessUnits: [], messages: [] };
  if (seed.enterpriseId !== undefined) tenant.enterpriseId = seed.enterpriseId;
  for (const unit of seed.businessUnits) {
    const bu = tenant.businessUnit(unit.mid, unit.name);
    result.businessUnits.push(bu.mid);
    for (const app of unit.apps) {
      bu.apps.set(app.id, {
        id: app.id,
        name: app.name,
        description: app.description,
        keys: app.keys,
        apnsEnabled: app.apnsEnabled,
        gcmEnabled: app.gcmEnabled,
        createdDate: app.createdDate ?? now,
        modifiedDate: app.createdDate ?? now,
      });
    }
    for (const tag of unit.tags) bu.tags.add(tag);
    for (const { id, createdDate, lastUpdated, ...definition } of unit.messages) {
      const messageId = id ?? encodeMessageId(tenant.nextMessageNumber);
      tenant.nextMessageNumber = Math.max(
        tenant.nextMessageNumber,
        (decodeMessageId(messageId) ?? 0) + 1,
      );
      bu.messages.set(messageId, {
        id: messageId,
        definition,
        createdDate: createdDate ?? now,
        lastUpdated: lastUpdated ?? createdDate ?? now,
      });
      result.messages.push({ mid: bu.mid, name: definition.name, id: messageId });
    }
    for (const contact of unit.contacts) {
      bu.contacts.register(contact.appId, contact.contactKey, {
        optedIn: contact.optedIn,
        tags: contact.tags,
        deviceTokens: contact.deviceTokens,
      });
      for (const tag of contact.tags) bu.tags.add(tag);
    }
    bu.contacts.ranges.push(...unit.contactRanges);
  }
  for (const client of seed.clients) {
    tenant.clients.set(client.clientId, {
      clientId: client.clientId,
      clientSecret: client.clientSecret,
      homeMid: client.homeMid,
      mids: [...new Set([client.homeMid, ...client.mids])],
      scopes: client.scopes,
      sendBudget: client.sendBudget ?? null,
      userId: client.userId ?? 700_000 + tenant.clients.size + 1,
    });
    result.clients.push(client.clientId);
  }
  if (!tenant.enterpriseId) {
    const first = seed.clients[0]?.homeMid ?? seed.businessUnits[0]?.mid;
    if (first !== undefined) tenant.enterpriseId = first;
  }
  return result;
}

/** Every MID, app and message id the seed refers to must exist (in the seed or the tenant). */
function checkReferences(tenant: Tenant, seed: SeedFile): void {
  const mids = new Set([...tenant.businessUnits.keys(), ...seed.businessUnits.map((u) => u.mid)]);
  const problems: string[] = [];
  const appMid = new Map<string, number>();
  for (const bu of tenant.businessUnits.values())
    for (const id of bu.apps.keys()) appMid.set(id, bu.mid);
  for (const unit of seed.businessUnits)
    for (const app of unit.apps) {
      const owner = appMid.get(app.id);
      if (owner !== undefined && owner !== unit.mid)
        problems.push(`app ${app.id} already belongs to MID ${owner}`);
      appMid.set(app.id, unit.mid);
    }
  const messageMid = new Map<string, number>();
  for (const bu of tenant.businessUnits.values())
    for (const id of bu.messages.keys()) messageMid.set(id, bu.mid);
  seed.businessUnits.forEach((unit, u) => {
    const where = `businessUnits.${u}`;
    unit.messages.forEach((message, m) => {
      if (appMid.get(message.application.id) !== unit.mid)
        problems.push(
          `${where}.messages.${m}: app ${message.application.id} is not in MID ${unit.mid}`,
        );
      if (message.id !== undefined) {
        const owner = messageMid.get(message.id);
        if (owner !== undefined && owner !== unit.mid)
          problems.push(`${where}.messages.${m}: message ${message.id} belongs to MID ${owner}`);
        messageMid.set(message.id, unit.mid);
      }
    });
    unit.contacts.forEach((contact, c) => {
      if (appMid.get(contact.appId) !== unit.mid)
        problems.push(`${where}.contacts.${c}: app ${contact.appId} is not in MID ${unit.mid}`);
    });
    unit.contactRanges.forEach((range, r) => {
      for (const appId of range.appIds)
        if (appMid.get(appId) !== unit.mid)
          problems.push(`${where}.contactRanges.${r}: app ${appId} is not in MID ${unit.mid}`);
    });
  });
  seed.clients.forEach((client, c) => {
    for (const mid of [client.homeMid, ...client.mids])
      if (!mids.has(mid)) problems.push(`clients.${c}: MID ${mid} is not a business unit`);
  });
  if (problems.length > 0)
    throw new SeedError(`the seed is not consistent: ${problems.slice(0, 5).join("; ")}`);
}
