import type { FastifyInstance, FastifyRequest } from "fastify";
import type { Behaviour } from "./behaviour.ts";
import { fillTemplate, notFound, type SfmcReply, validationErrors } from "./errors.ts";
import { answer, tokenOf } from "./http.ts";
import { decodeMessageId, encodeMessageId } from "./ids.ts";
import { canonicalMessageBody, issueTexts, PushMessageDefinition } from "./message-schema.ts";
import { comparator, matches, parseFilter, parseOrderBy, QueryError } from "./query.ts";
import type { EmulatorStore } from "./store.ts";
import type { App, BusinessUnit, PushMessage } from "./tenant.ts";

const iso = (ms: number) => new Date(ms).toISOString();

/** A message as SFMC shows it; list items carry `statusid` (doc example) unless told otherwise. */
export function messageView(
  bu: BusinessUnit,
  message: PushMessage,
  listItem: boolean,
  behaviour: Behaviour,
): Record<string, unknown> {
  const { status, application, ...fields } = message.definition;
  const app = bu.apps.get(application.id);
  const view: Record<string, unknown> = {
    id: message.id,
    ...fields,
    application: { ...application, name: app?.name ?? application.name },
  };
  const field = listItem ? behaviour.listStatusField : "status";
  if (field === "status" || field === "both") view.status = status;
  if (field === "statusid" || field === "both") view.statusid = status;
  view.createdDate = iso(message.createdDate);
  view.lastUpdated = iso(message.lastUpdated);
  return view;
}

/** An app as `GET /push/v1/application/{id}` shows it. */
export function applicationView(app: App): Record<string, unknown> {
  return {
    id: app.id,
    name: app.name,
    description: app.description,
    createdDate: iso(app.createdDate),
    modifiedDate: iso(app.modifiedDate),
    keys: app.keys,
    apnsEnabled: app.apnsEnabled,
    apnsCertificateExpiration: app.apnsEnabled ? iso(app.createdDate + 365 * 86_400_000) : null,
    gcmEnabled: app.gcmEnabled,
  };
}

/** Fields `$filter` and `$orderBy` may name (lower case), and how each is read. */
const QUERY_FIELDS: Record<string, (m: PushMessage) => string | number | undefined> = {
  id: (m) => m.id,
  name: (m) => m.definition.name,
  messagetype: (m) => m.definition.messageType,
  contenttype: (m) => m.definition.contentType,
  status: (m) => m.definition.status,
  statusid: (m) => m.definition.status,
  sendinitiator: (m) => m.definition.sendInitiator,
  applicationid: (m) => m.definition.application.id,
  "application.id": (m) => m.definition.application.id,
  alert: (m) => m.definition.alert,
  title: (m) => m.definition.title,
  createddate: (m) => iso(m.createdDate),
  lastupdated: (m) => iso(m.lastUpdated),
};

function queryField(message: PushMessage, name: string): string | number | undefined {
  const read = QUERY_FIELDS[name.toLowerCase()];
  if (!read) throw new QueryError(`${name} is not a field that can be filtered or sorted on.`);
  return read(message);
}

/** Ids sort by the number inside them (`2:114:0` before `10:114:0`). */
function orderField(message: PushMessage, name: string): string | number | undefined {
  return name.toLowerCase() === "id"
    ? (decodeMessageId(message.id) ?? 0)
    : queryField(message, name);
}

function positiveInt(value: unknown, fallback: number, name: string): number {
  if (value === undefined || value === "") return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new QueryError(`${name} must be a positive integer.`);
  return n;
}

/** `GET /push/v1/message`: the BU's messages, filtered, ordered and paged. */
export function listMessages(
  store: EmulatorStore,
  bu: BusinessUnit,
  query: Record<string, unknown>,
): SfmcReply {
  try {
    const page = positiveInt(query.$page, 1, "$page");
    const pageSize = positiveInt(query.$pageSize, 50, "$pageSize");
    const clauses = typeof query.$filter === "string" ? parseFilter(query.$filter) : [];
    // Without $orderBy, messages come in the order they were created.
    const order = typeof query.$orderBy === "string" ? parseOrderBy(query.$orderBy) : [];
    for (const { field } of [...clauses, ...order]) {
      if (!QUERY_FIELDS[field.toLowerCase()])
        throw new QueryError(`${field} is not a field that can be filtered or sorted on.`);
    }
    const all = [...bu.messages.values()]
      .filter((m) => matches((name) => queryField(m, name), clauses))
      .sort(comparator(orderField, order));
    const items = all
      .slice((page - 1) * pageSize, page * pageSize)
      .map((m) => messageView(bu, m, true, store.behaviour));
    return { status: 200, body: { count: all.length, page, pageSize, links: {}, items } };
  } catch (error) {
    if (error instanceof QueryError) return validationErrors([error.message]);
    throw error;
  }
}

/** Validates a create/update body; the definition, or the 400 to answer. */
function readDefinition(
  store: EmulatorStore,
  bu: BusinessUnit,
  body: unknown,
): { definition: PushMessageDefinition } | { refused: SfmcReply } {
  const parsed = PushMessageDefinition.safeParse(
    canonicalMessageBody(body, store.behaviour.caseInsensitiveFields),
  );
  if (!parsed.success) return { refused: validationErrors(issueTexts(parsed.error)) };
  const appId = parsed.data.application.id;
  if (!bu.apps.has(appId))
    return {
      refused: validationErrors([
        fillTemplate("Application {0} is not valid for the client.", appId),
      ]),
    };
  return { definition: parsed.data };
}

/** The message `id` of the token's BU, or the answer for a malformed or unknown id. */
function findMessage(
  bu: BusinessUnit,
  id: string,
): { message: PushMessage } | { refused: SfmcReply } {
  if (decodeMessageId(id) === null)
    return { refused: validationErrors([fillTemplate("Message id {0} is not valid.", id)]) };
  const message = bu.messages.get(id);
  return message ? { message } : { refused: notFound() };
}

/** The message CRUD routes and the application routes. */
export function registerMessageRoutes(app: FastifyInstance, store: EmulatorStore): void {
  const buOf = (request: FastifyRequest) => store.tenant.businessUnit(tokenOf(request).mid);

  app.post(
    "/push/v1/message",
    { config: { route: "message.create", auth: { scope: "push_send" } } },
    async (request, reply) => {
      const bu = buOf(request);
      const read = readDefinition(store, bu, request.body);
      if ("refused" in read) return answer(reply, read.refused);
      const now = store.clock.now();
      const message = {
        id: encodeMessageId(store.tenant.nextMessageNumber++),
        definition: read.definition,
        createdDate: now,
        lastUpdated: now,
      };
      bu.messages.set(message.id, message);
      return answer(reply, { status: 201, body: messageView(bu, message, false, store.behaviour) });
    },
  );

  app.get(
    "/push/v1/message",
    { config: { route: "message.list", auth: { scope: "push_read" } } },
    async (request, reply) =>
      answer(reply, listMessages(store, buOf(request), request.query as Record<string, unknown>)),
  );

  app.get<{ Params: { id: string } }>(
    "/push/v1/message/:id",
    { config: { route: "message.get", auth: { scope: "push_read" } } },
    async (request, reply) => {
      const bu = buOf(request);
      const found = findMessage(bu, request.params.id);
      if ("refused" in found) return answer(reply, found.refused);
      const view = messageView(bu, found.message, false, store.behaviour);
      return answer(reply, {
        status: 200,
        body: store.behaviour.singleMessageAsArray ? [view] : view,
      });
    },
  );

  app.put<{ Params: { id: string } }>(
    "/push/v1/message/:id",
    { config: { route: "message.update", auth: { scope: "push_send" } } },
    async (request, reply) => {
      const bu = buOf(request);
      const found = findMessage(bu, request.params.id);
      if ("refused" in found) return answer(reply, found.refused);
      const read = readDefinition(store, bu, request.body);
      if ("refused" in read) return answer(reply, read.refused);
      found.message.definition = read.definition;
      found.message.lastUpdated = store.clock.now();
      return answer(reply, {
        status: 200,
        body: messageView(bu, found.message, false, store.behaviour),
      });
    },
  );

  app.delete<{ Params: { id: string } }>(
    "/push/v1/message/:id",
    { config: { route: "message.delete", auth: { scope: "push_write" } } },
    async (request, reply) => {
      const bu = buOf(request);
      const found = findMessage(bu, request.params.id);
      if ("refused" in found) return answer(reply, found.refused);
      bu.messages.delete(found.message.id);
      return answer(reply, { status: 202, body: undefined });
    },
  );

  app.get<{ Params: { id: string } }>(
    "/push/v1/application/:id",
    { config: { route: "application.get", auth: { scope: "push_read" } } },
    async (request, reply) => {
      const found = buOf(request).apps.get(request.params.id);
      return answer(reply, found ? { status: 200, body: [applicationView(found)] } : notFound());
    },
  );

  app.get(
    "/push/v1/application",
    { config: { route: "application.list", auth: { scope: "push_read" } } },
    async (request, reply) => {
      // The list route has no reference page; it can be switched off to check a client without it.
      if (!store.behaviour.applicationList) return reply.callNotFound();
      const apps = [...buOf(request).apps.values()].map(applicationView);
      return answer(reply, { status: 200, body: apps });
    },
  );
}
