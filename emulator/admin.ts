import type { FastifyInstance, FastifyReply } from "fastify";
import { z } from "zod";
import { applyBehaviour, type Behaviour, BehaviourPatch } from "./behaviour.ts";
import { clockRangeProblem, formatCst } from "./clock.ts";
import { ClockRangeError, SeedError } from "./errors.ts";
import { FaultRule } from "./faults.ts";
import { applySeed, parseSeed, type SeedFile } from "./seed.ts";
import { sendView } from "./send-record.ts";
import { snapshotState } from "./state-file.ts";
import type { EmulatorStore } from "./store.ts";

/** `POST /_emulator/clock`: move emulated time, set it, or change the clock's mode. */
export const ClockCommand = z
  .object({
    advanceMs: z.number().optional(),
    advanceSeconds: z.number().optional(),
    advanceMinutes: z.number().optional(),
    advanceDays: z.number().optional(),
    /** An ISO date-time with an offset: the new emulated time. */
    set: z.iso.datetime({ offset: true }).optional(),
    /** `frozen` stops the clock, `real` lets it run, `reset` goes back to wall time. */
    mode: z.enum(["real", "frozen", "reset"]).optional(),
  })
  .strict();

/** `POST /_emulator/reset`: back to the start-up tenant and behaviour, or to the given seed. */
export const ResetCommand = z
  .object({ seed: z.unknown().optional(), keepClock: z.boolean().default(false) })
  .strict();

/** `POST /_emulator/tokens/expire`: expire tokens now (one client's, or all). */
export const ExpireCommand = z.object({ clientId: z.string().optional() }).strict();

/** `GET /_emulator/sends` query: narrow the list. */
export const SendsQuery = z
  .object({
    mid: z.coerce.number().int().optional(),
    messageId: z.string().optional(),
    clientId: z.string().optional(),
    /** Leave out the keys (large sends make large answers). */
    keys: z.enum(["true", "false"]).default("true"),
  })
  .strict();

/** What the admin API needs besides the store. */
export interface AdminContext {
  /** The seed the emulator started with (the demo tenant without `--seed`). */
  startupSeed: () => SeedFile;
  /** The behaviour the emulator started with (defaults, seed, options). */
  startupBehaviour: () => Behaviour;
  /** Writes the state file, when there is one; returns its path or null. */
  save: () => Promise<string | null>;
  url: () => string;
}

function refuse(reply: FastifyReply, status: number, message: string) {
  return reply.code(status).send({ error: message });
}

function parseBody<T extends z.ZodType>(schema: T, body: unknown): z.infer<T> | string {
  const parsed = schema.safeParse(body ?? {});
  if (parsed.success) return parsed.data;
  return parsed.error.issues
    .map((issue) => `${issue.path.join(".") || "(body)"}: ${issue.message}`)
    .join("; ");
}

/** The tenant in short: clients, BUs with their apps and message counts. */
function summary(store: EmulatorStore, context: AdminContext) {
  return {
    url: context.url(),
    enterpriseId: store.tenant.enterpriseId,
    clients: [...store.tenant.clients.values()].map((c) => ({
      clientId: c.clientId,
      homeMid: c.homeMid,
      mids: c.mids,
      scopes: c.scopes,
      sendBudget: c.sendBudget ?? store.behaviour.budget,
    })),
    businessUnits: [...store.tenant.businessUnits.values()].map((bu) => ({
      mid: bu.mid,
      name: bu.name,
      apps: [...bu.apps.values()].map(({ id, name }) => ({ id, name })),
      messages: [...bu.messages.values()].map((m) => ({
        id: m.id,
        name: m.definition.name,
        status: m.definition.status,
        sendInitiator: m.definition.sendInitiator,
        applicationId: m.definition.application.id,
      })),
      contacts: bu.contacts.size(),
      tags: [...bu.tags],
    })),
    sends: store.sends.size,
    faults: store.faults.list().length,
    clock: clockView(store),
  };
}

function clockView(store: EmulatorStore) {
  const now = store.clock.now();
  return { now: new Date(now).toISOString(), nowCst: formatCst(now), ...store.clock.state() };
}

/** The admin API under `/_emulator/` (no auth, no faults: it is the tests' side door). */
export function registerAdminRoutes(
  app: FastifyInstance,
  store: EmulatorStore,
  context: AdminContext,
): void {
  const big = { bodyLimit: 256 * 1024 * 1024 };

  app.get("/_emulator", async () => summary(store, context));

  app.post("/_emulator/reset", big, async (request, reply) => {
    const command = parseBody(ResetCommand, request.body);
    if (typeof command === "string") return refuse(reply, 400, command);
    let seed: SeedFile;
    try {
      seed = command.seed === undefined ? context.startupSeed() : parseSeed(command.seed);
    } catch (error) {
      if (error instanceof SeedError) return refuse(reply, 400, error.message);
      throw error;
    }
    store.clear();
    if (!command.keepClock) store.clock.reset();
    store.behaviour =
      command.seed === undefined
        ? context.startupBehaviour()
        : applyBehaviour(context.startupBehaviour(), seed.behaviour);
    applySeed(store.tenant, seed, store.clock.now());
    return summary(store, context);
  });

  app.post("/_emulator/seed", big, async (request, reply) => {
    try {
      const seed = parseSeed(request.body ?? {});
      const result = applySeed(store.tenant, seed, store.clock.now());
      if (seed.behaviour) store.behaviour = applyBehaviour(store.behaviour, seed.behaviour);
      return result;
    } catch (error) {
      if (error instanceof SeedError) return refuse(reply, 400, error.message);
      throw error;
    }
  });

  app.get("/_emulator/sends", async (request, reply) => {
    const query = parseBody(SendsQuery, request.query);
    if (typeof query === "string") return refuse(reply, 400, query);
    const now = store.clock.now();
    const items = [...store.sends.values()]
      .filter(
        (s) =>
          (query.mid === undefined || s.mid === query.mid) &&
          (query.messageId === undefined || s.messageId === query.messageId) &&
          (query.clientId === undefined || s.clientId === query.clientId),
      )
      .map((s) => sendView(s, now, store.behaviour))
      .map((view) =>
        query.keys === "true" ? view : { ...view, subscriberKeys: [], deviceTokens: [] },
      );
    return { count: items.length, items };
  });

  app.get<{ Params: { tokenId: string } }>("/_emulator/sends/:tokenId", async (request, reply) => {
    const send = store.sends.get(request.params.tokenId.toLowerCase());
    if (!send) return refuse(reply, 404, `no send with tokenId ${request.params.tokenId}`);
    return sendView(send, store.clock.now(), store.behaviour);
  });

  app.get("/_emulator/faults", async () => ({ rules: store.faults.list() }));

  app.post("/_emulator/faults", async (request, reply) => {
    const rule = parseBody(FaultRule, request.body);
    if (typeof rule === "string") return refuse(reply, 400, rule);
    return reply.code(201).send(store.faults.add(rule));
  });

  app.delete("/_emulator/faults", async () => {
    store.faults.clear();
    return { rules: [] };
  });

  app.delete<{ Params: { id: string } }>("/_emulator/faults/:id", async (request, reply) => {
    if (!store.faults.remove(Number(request.params.id)))
      return refuse(reply, 404, `no fault rule ${request.params.id}`);
    return { rules: store.faults.list() };
  });

  app.get("/_emulator/clock", async () => clockView(store));

  app.post("/_emulator/clock", async (request, reply) => {
    const command = parseBody(ClockCommand, request.body);
    if (typeof command === "string") return refuse(reply, 400, command);
    const at = command.set === undefined ? null : Date.parse(command.set);
    const setProblem = at === null ? null : clockRangeProblem(at);
    if (setProblem) return refuse(reply, 400, `set: ${setProblem}`);
    const steps = {
      advanceMs: 1,
      advanceSeconds: 1000,
      advanceMinutes: 60_000,
      advanceDays: 86_400_000,
    } as const;
    const given = (Object.keys(steps) as (keyof typeof steps)[]).filter(
      (field) => command[field] !== undefined,
    );
    const advance = given.reduce((sum, field) => sum + (command[field] ?? 0) * steps[field], 0);
    try {
      // All or nothing: a mode change or `set` does not stay behind when the advance is refused.
      store.clock.atomically(() => {
        if (command.mode === "reset") store.clock.reset();
        if (command.mode === "frozen") store.clock.freeze();
        if (command.mode === "real") store.clock.resume();
        if (at !== null) store.clock.set(at);
        if (advance !== 0) store.clock.advance(advance);
      });
    } catch (error) {
      if (error instanceof ClockRangeError)
        return refuse(reply, 400, `${given.join(" + ")}: ${error.message}`);
      throw error;
    }
    return clockView(store);
  });

  app.post("/_emulator/tokens/expire", async (request, reply) => {
    const command = parseBody(ExpireCommand, request.body);
    if (typeof command === "string") return refuse(reply, 400, command);
    return { expired: store.expireTokens(command.clientId) };
  });

  app.get("/_emulator/behaviour", async () => store.behaviour);

  app.patch("/_emulator/behaviour", async (request, reply) => {
    const patch = parseBody(BehaviourPatch, request.body);
    if (typeof patch === "string") return refuse(reply, 400, patch);
    store.behaviour = applyBehaviour(store.behaviour, patch);
    return store.behaviour;
  });

  app.get("/_emulator/budget", async () => {
    const now = store.clock.now();
    return {
      mode: store.behaviour.budget.mode,
      clients: [...store.tenant.clients.values()].map((client) => {
        const limit = client.sendBudget ?? store.behaviour.budget;
        return {
          clientId: client.clientId,
          recipients: limit.recipients,
          perMinutes: limit.perMinutes,
          usedInWindow: store.budgets.usedAt(client.clientId, now, limit),
          scheduledLater: store.budgets.pendingAfter(client.clientId, now),
        };
      }),
    };
  });

  app.get("/_emulator/state", async () => snapshotState(store));

  app.post("/_emulator/state/save", async (_request, reply) => {
    const file = await context.save();
    if (file === null) return refuse(reply, 409, "the emulator was started without a state file");
    return { file };
  });
}
