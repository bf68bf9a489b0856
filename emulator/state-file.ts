import { randomUUID } from "node:crypto";
import { open, readFile, rename, rm } from "node:fs/promises";
import { z } from "zod";
import { Behaviour } from "./behaviour.ts";
import { SeedError } from "./errors.ts";
import { applySeed, SeedFile, type SeedInput } from "./seed.ts";
import { SendRecord } from "./send-record.ts";
import type { EmulatorStore } from "./store.ts";
import type { Tenant } from "./tenant.ts";

/** The `--state FILE`: everything the emulator holds except the fault rules. */
export const StateFile = z
  .object({
    version: z.literal(1),
    savedAt: z.string(),
    clock: z
      .object({
        mode: z.enum(["real", "frozen"]),
        offsetMs: z.number(),
        frozenAt: z.number().nullable(),
      })
      .strict(),
    behaviour: Behaviour,
    tenant: SeedFile,
    nextMessageNumber: z.number().int().positive(),
    tokens: z.array(
      z
        .object({
          token: z.string(),
          clientId: z.string(),
          mid: z.number().int(),
          scopes: z.array(z.string()),
          issuedAt: z.number(),
          expiresAt: z.number(),
        })
        .strict(),
    ),
    sends: z.array(SendRecord),
  })
  .strict();
export type StateFile = z.infer<typeof StateFile>;

/** The tenant written as a seed (message ids, dates and contacts included). */
export function tenantToSeed(tenant: Tenant): SeedInput {
  return {
    enterpriseId: tenant.enterpriseId || undefined,
    clients: [...tenant.clients.values()].map((client) => ({
      clientId: client.clientId,
      clientSecret: client.clientSecret,
      homeMid: client.homeMid,
      mids: client.mids,
      scopes: client.scopes,
      sendBudget: client.sendBudget ?? undefined,
      userId: client.userId,
    })),
    businessUnits: [...tenant.businessUnits.values()].map((bu) => ({
      mid: bu.mid,
      name: bu.name,
      apps: [...bu.apps.values()].map(({ modifiedDate: _modified, ...app }) => app),
      messages: [...bu.messages.values()].map((message) => ({
        ...message.definition,
        id: message.id,
        createdDate: message.createdDate,
        lastUpdated: message.lastUpdated,
      })),
      contacts: [...bu.contacts.explicit].flatMap(([appId, registrations]) =>
        [...registrations].map(([contactKey, registration]) => ({
          contactKey,
          appId,
          ...registration,
        })),
      ),
      contactRanges: bu.contacts.ranges,
      tags: [...bu.tags],
    })),
  };
}

/** The store as a state file. */
export function snapshotState(store: EmulatorStore): StateFile {
  return StateFile.parse({
    version: 1,
    savedAt: new Date(store.clock.now()).toISOString(),
    clock: store.clock.state(),
    behaviour: store.behaviour,
    tenant: tenantToSeed(store.tenant),
    nextMessageNumber: store.tenant.nextMessageNumber,
    tokens: [...store.tokens.values()],
    sends: [...store.sends.values()],
  });
}

/**
 * Replaces everything the store holds (faults aside) with the state file's content; a clock outside
 * 1970–9999 throws a ClockRangeError first, changing nothing.
 */
export function restoreState(store: EmulatorStore, state: StateFile): void {
  store.clock.restore(state.clock);
  store.clear();
  store.behaviour = state.behaviour;
  applySeed(store.tenant, state.tenant, store.clock.now());
  store.tenant.nextMessageNumber = Math.max(
    store.tenant.nextMessageNumber,
    state.nextMessageNumber,
  );
  for (const token of state.tokens) store.tokens.set(token.token, token);
  for (const send of state.sends) store.addSend(send);
}

/** Reads a state file; null when there is none yet. */
export async function readStateFile(file: string): Promise<StateFile | null> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw new SeedError(`cannot read the state file ${file}: ${(cause as Error).message}`, {
      cause,
    });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new SeedError(`the state file ${file} is not JSON: ${(cause as Error).message}`, {
      cause,
    });
  }
  const parsed = StateFile.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .slice(0, 5)
      .map((issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`);
    throw new SeedError(`the state file ${file} is not valid: ${problems.join("; ")}`);
  }
  return parsed.data;
}

/**
 * Writes the store to `file`, mode 0600 (it holds client secrets), through a temporary file so that
 * a crash leaves the old one whole; the rename replaces an existing file, whatever its mode.
 */
export async function writeStateFile(file: string, store: EmulatorStore): Promise<void> {
  const text = `${JSON.stringify(snapshotState(store))}\n`;
  // A fresh name, created exclusively (`wx`): never a leftover that others may hold open, and two
  // saves at once (the save route, close) do not write into one file.
  const temporary = `${file}.${process.pid}.${randomUUID()}.tmp`;
  try {
    const handle = await open(temporary, "wx", 0o600);
    try {
      // The umask applies to open's mode; set it exactly, before a byte of the secret is in.
      await handle.chmod(0o600);
      await handle.writeFile(text);
    } finally {
      await handle.close();
    }
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}
