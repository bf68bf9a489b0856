import { describe, expect, it } from "vitest";
import { decodeMessageId, encodeMessageId } from "./ids.ts";
import { call, DEMO_MESSAGES, DOC_URL, token, useEmulator } from "./test-helpers.ts";

const emulator = useEmulator();
const SHOP_IOS = "6f1c3a52-1000-4a6e-9b3d-0000000000a1";
const OUTLET_IOS = "6f1c3a52-2000-4a6e-9b3d-0000000000b1";

interface MessageList {
  count: number;
  page: number;
  pageSize: number;
  links: Record<string, unknown>;
  items: Record<string, unknown>[];
}

const outbound = (fields: Record<string, unknown> = {}) => ({
  messageType: 1,
  contentType: 1,
  name: "NJA_Created",
  application: { id: SHOP_IOS },
  alert: "Hello",
  sendInitiator: 1,
  status: 2,
  ...fields,
});

describe("message ids", () => {
  it("are base64url without padding of n:114:0", () => {
    expect(encodeMessageId(164)).toBe("MTY0OjExNDow");
    expect(encodeMessageId(1)).toBe("MToxMTQ6MA");
    expect(decodeMessageId("MTY0OjExNDow")).toBe(164);
    expect(decodeMessageId("MToxMTQ6MA==")).toBeNull();
    expect(decodeMessageId(Buffer.from("1:65:0").toString("base64url"))).toBeNull();
    expect(decodeMessageId("not an id")).toBeNull();
  });
});

describe("GET /push/v1/message", () => {
  it("lists the BU's messages with count, page, pageSize, links and statusid items", async () => {
    const answer = await call(emulator(), "GET", "push/v1/message", {
      token: await token(emulator()),
    });
    expect(answer.status).toBe(200);
    const list = answer.body as MessageList;
    expect(list).toMatchObject({ count: 7, page: 1, pageSize: 50, links: {} });
    expect(list.items.map((m) => m.name)).toEqual([
      "NJA_Welcome",
      "NJA_SummerSale",
      "NJA_WinBack",
      "NJA_NewArrivals",
      "NJA_Retired",
      "NJA_UiNewsletter",
      "Weekly_Digest",
    ]);
    expect(list.items[0]).toMatchObject({
      id: DEMO_MESSAGES.welcome,
      messageType: 1,
      contentType: 1,
      sendInitiator: 1,
      statusid: 2,
      application: { id: SHOP_IOS, name: "Demo Shop iOS" },
    });
    expect(list.items[0]).not.toHaveProperty("status");
    const other = await call(emulator(), "GET", "push/v1/message", {
      token: await token(emulator(), { accountId: 200 }),
    });
    expect((other.body as MessageList).items.map((m) => m.name)).toContain("NJB_Welcome");
    expect((other.body as MessageList).count).toBe(6);
  });

  it("filters with eq, neq, lt, lte, gt, gte and like, joined by and", async () => {
    const bearer = await token(emulator());
    const names = async (filter: string) => {
      const answer = await call(
        emulator(),
        "GET",
        `push/v1/message?$filter=${encodeURIComponent(filter)}`,
        { token: bearer },
      );
      expect(answer.status, filter).toBe(200);
      return (answer.body as MessageList).items.map((m) => m.name);
    };
    expect(await names("status eq '3'")).toEqual(["NJA_Retired"]);
    expect(await names("status neq '2'")).toEqual(["NJA_Retired"]);
    expect(await names("sendInitiator lt 1")).toEqual(["NJA_UiNewsletter"]);
    expect(await names("sendInitiator lte 0")).toEqual(["NJA_UiNewsletter"]);
    expect(await names("status gt 2")).toEqual(["NJA_Retired"]);
    expect((await names("status gte 2")).length).toBe(7);
    expect(await names("name like 'NJA_W%'")).toEqual(["NJA_Welcome", "NJA_WinBack"]);
    expect(await names("name like 'digest'")).toEqual(["Weekly_Digest"]);
    expect(await names("status eq '2' and sendInitiator eq 1 and name like 'NJA_%'")).toEqual([
      "NJA_Welcome",
      "NJA_SummerSale",
      "NJA_WinBack",
      "NJA_NewArrivals",
    ]);
    expect(await names("messageType eq 1 and contentType eq 1")).toHaveLength(7);
  });

  it("orders and pages", async () => {
    const bearer = await token(emulator());
    const page = await call(
      emulator(),
      "GET",
      `push/v1/message?$orderBy=${encodeURIComponent("name desc")}&$page=2&$pageSize=3`,
      { token: bearer },
    );
    const list = page.body as MessageList;
    expect(list).toMatchObject({ count: 7, page: 2, pageSize: 3 });
    expect(list.items.map((m) => m.name)).toEqual([
      "NJA_UiNewsletter",
      "NJA_SummerSale",
      "NJA_Retired",
    ]);
    // Ids sort by the number inside them: 14:114:0 after 7:114:0, though "MTQ…" < "Nzo…".
    await call(emulator(), "POST", "push/v1/message", { token: bearer, body: outbound() });
    const byId = await call(emulator(), "GET", "push/v1/message?$orderBy=id%20desc&$pageSize=2", {
      token: bearer,
    });
    expect((byId.body as MessageList).items.map((m) => m.name)).toEqual([
      "NJA_Created",
      "Weekly_Digest",
    ]);
  });

  it("answers a filter it cannot read with 400 errors", async () => {
    const answer = await call(emulator(), "GET", "push/v1/message?$filter=status%20is%202", {
      token: await token(emulator()),
    });
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({ errors: ["$filter status is 2 is not valid."] });
  });

  it("shows status in list items when configured", async () => {
    await call(emulator(), "PATCH", "_emulator/behaviour", { body: { listStatusField: "both" } });
    const answer = await call(emulator(), "GET", "push/v1/message", {
      token: await token(emulator()),
    });
    expect((answer.body as MessageList).items[0]).toMatchObject({ status: 2, statusid: 2 });
  });
});

describe("message CRUD", () => {
  it("creates (201), reads (one-element array), updates (PUT, 200) and deletes (202)", async () => {
    const bearer = await token(emulator());
    const created = await call(emulator(), "POST", "push/v1/message", {
      token: bearer,
      body: outbound(),
    });
    expect(created.status).toBe(201);
    const id = (created.body as { id: string }).id;
    expect(decodeMessageId(id)).toBe(14);
    expect(created.body).toMatchObject({ id, name: "NJA_Created", status: 2, alert: "Hello" });

    const read = await call(emulator(), "GET", `push/v1/message/${id}`, { token: bearer });
    expect(read.status).toBe(200);
    expect(read.body).toEqual([created.body]);

    const updated = await call(emulator(), "PUT", `push/v1/message/${id}`, {
      token: bearer,
      body: outbound({ alert: "Hello again", status: 3 }),
    });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ id, alert: "Hello again", status: 3 });

    const deleted = await call(emulator(), "DELETE", `push/v1/message/${id}`, { token: bearer });
    expect(deleted.status).toBe(202);
    expect(deleted.text).toBe("");
    const gone = await call(emulator(), "GET", `push/v1/message/${id}`, { token: bearer });
    expect(gone).toMatchObject({ status: 404, body: { errorcode: 30003, documentation: DOC_URL } });
  });

  it("binds field names in any case and keeps fields it does not check", async () => {
    const answer = await call(emulator(), "POST", "push/v1/message", {
      token: await token(emulator()),
      body: {
        MessageType: 1,
        ContentType: 1,
        Name: "NJA_Pascal",
        Application: { Id: SHOP_IOS },
        Alert: "Hi",
        OpenDirect: "shop://home",
        messageLimit: 1000,
      },
    });
    expect(answer.status).toBe(201);
    expect(answer.body).toMatchObject({
      name: "NJA_Pascal",
      application: { id: SHOP_IOS },
      openDirect: "shop://home",
      messageLimit: 1000,
      sendInitiator: 1,
      status: 2,
    });
  });

  it("refuses a body without the required fields, and an app of another BU, with 400 errors", async () => {
    const bearer = await token(emulator());
    const missing = await call(emulator(), "POST", "push/v1/message", {
      token: bearer,
      body: { alert: "no name" },
    });
    expect(missing.status).toBe(400);
    const errors = (missing.body as { errors: string[] }).errors;
    expect(errors.some((e) => e.startsWith("name:"))).toBe(true);
    expect(errors.some((e) => e.startsWith("messageType:"))).toBe(true);
    const tooLong = await call(emulator(), "POST", "push/v1/message", {
      token: bearer,
      body: outbound({ name: "N".repeat(101), openDirect: "x".repeat(16) }),
    });
    expect((tooLong.body as { errors: string[] }).errors).toHaveLength(2);
    const foreign = await call(emulator(), "POST", "push/v1/message", {
      token: bearer,
      body: outbound({ application: { id: OUTLET_IOS } }),
    });
    expect(foreign).toMatchObject({
      status: 400,
      body: { errors: [`Application ${OUTLET_IOS} is not valid for the client.`] },
    });
    // PUT needs every required field again.
    const partial = await call(emulator(), "PUT", `push/v1/message/${DEMO_MESSAGES.welcome}`, {
      token: bearer,
      body: { alert: "only the alert" },
    });
    expect(partial.status).toBe(400);
  });

  it("answers a malformed id with 400 and a message of another BU with 404", async () => {
    const bearer = await token(emulator());
    const malformed = await call(emulator(), "GET", "push/v1/message/abc", { token: bearer });
    expect(malformed).toMatchObject({
      status: 400,
      body: { errors: ["Message id abc is not valid."] },
    });
    const foreign = await call(
      emulator(),
      "GET",
      `push/v1/message/${DEMO_MESSAGES.outletWelcome}`,
      {
        token: bearer,
      },
    );
    expect(foreign.status).toBe(404);
  });

  it("answers the bare object for a single message when configured", async () => {
    await call(emulator(), "PATCH", "_emulator/behaviour", {
      body: { singleMessageAsArray: false },
    });
    const answer = await call(emulator(), "GET", `push/v1/message/${DEMO_MESSAGES.welcome}`, {
      token: await token(emulator()),
    });
    expect(answer.body).toMatchObject({ id: DEMO_MESSAGES.welcome, name: "NJA_Welcome" });
  });
});

describe("applications", () => {
  it("GET /push/v1/application/{id} answers a one-element array", async () => {
    const answer = await call(emulator(), "GET", `push/v1/application/${SHOP_IOS}`, {
      token: await token(emulator()),
    });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual([
      {
        id: SHOP_IOS,
        name: "Demo Shop iOS",
        description: "",
        createdDate: "2026-01-05T09:00:00.000Z",
        modifiedDate: "2026-01-05T09:00:00.000Z",
        keys: [],
        apnsEnabled: true,
        apnsCertificateExpiration: expect.any(String),
        gcmEnabled: true,
      },
    ]);
    const foreign = await call(emulator(), "GET", `push/v1/application/${OUTLET_IOS}`, {
      token: await token(emulator()),
    });
    expect(foreign.status).toBe(404);
  });

  it("GET /push/v1/application lists the BU's apps (inferred route; can be switched off)", async () => {
    const bearer = await token(emulator(), { accountId: 200 });
    const answer = await call(emulator(), "GET", "push/v1/application", { token: bearer });
    expect((answer.body as { name: string }[]).map((a) => a.name)).toEqual([
      "Demo Outlet iOS",
      "Demo Outlet Android",
    ]);
    await call(emulator(), "PATCH", "_emulator/behaviour", { body: { applicationList: false } });
    expect((await call(emulator(), "GET", "push/v1/application", { token: bearer })).status).toBe(
      404,
    );
  });
});
