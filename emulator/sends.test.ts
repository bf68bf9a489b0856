import { describe, expect, it } from "vitest";
import { advance, call, DEMO_MESSAGES, demoKeys, token, useEmulator } from "./test-helpers.ts";

const emulator = useEmulator();
const sendPath = (id: string) => `push/v1/messageContact/${id}/send`;
const deliveriesPath = (id: string, tokenId: string) =>
  `push/v1/messageContact/${id}/deliveries/${tokenId}`;

/** Sends to the welcome message (app a1: even demo keys) and answers status and body. */
async function send(body: unknown, messageId: string = DEMO_MESSAGES.welcome, accountId?: number) {
  return call(emulator(), "POST", sendPath(messageId), {
    token: await token(emulator(), { accountId }),
    body,
  });
}

interface SendView {
  tokenId: string;
  subscriberKeys: string[];
  sendTime: string | null;
  requestedAt: string;
  executeAt: string;
  override: boolean;
  messageText: string | null;
  title: string | null;
  count: number;
  status: string;
  latenessSeconds: number;
  fields: Record<string, unknown>;
}

async function recorded(tokenId: string): Promise<SendView> {
  return (await call(emulator(), "GET", `_emulator/sends/${tokenId}`)).body as SendView;
}

describe("POST /push/v1/messageContact/{messageId}/send", () => {
  it("accepts SubscriberKeys with 202 {tokenId} and records the send", async () => {
    const answer = await send({
      SubscriberKeys: ["C000000", "C000001", "C000002"],
      Override: true,
      MessageText: "Hi there",
      title: "Title",
      Sound: "default",
      CustomKeys: { campaign: "summer" },
      "mutable-content": 1,
    });
    expect(answer.status).toBe(202);
    const { tokenId } = answer.body as { tokenId: string };
    expect(tokenId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(answer.body).toEqual({ tokenId });
    const view = await recorded(tokenId);
    expect(view).toMatchObject({
      subscriberKeys: ["C000000", "C000001", "C000002"],
      override: true,
      messageText: "Hi there",
      title: "Title",
      sendTime: null,
      requestedAt: "2026-06-01T08:00:00.000Z",
      // C000001 is registered on the other app (odd keys).
      count: 2,
      fields: { Sound: "default", CustomKeys: { campaign: "summer" }, "mutable-content": 1 },
    });
  });

  it("answers 200 when configured", async () => {
    await call(emulator(), "PATCH", "_emulator/behaviour", { body: { sendStatus: 200 } });
    expect((await send({ SubscriberKeys: ["C000000"] })).status).toBe(200);
  });

  it("binds field names in any case (configurable)", async () => {
    const answer = await send({
      subscriberkeys: ["C000000"],
      OVERRIDE: true,
      messageText: "lower",
      sendtime: "2026-06-02 10:00",
    });
    expect(answer.status).toBe(202);
    const view = await recorded((answer.body as { tokenId: string }).tokenId);
    expect(view).toMatchObject({
      subscriberKeys: ["C000000"],
      messageText: "lower",
      sendTime: "2026-06-02 10:00",
    });
    await call(emulator(), "PATCH", "_emulator/behaviour", {
      body: { caseInsensitiveFields: false },
    });
    const strict = await send({ subscriberKeys: ["C000000"] });
    expect(strict).toMatchObject({
      status: 400,
      body: { errors: ["One or more DeviceTokens must be specified in order to send a message."] },
    });
  });

  it("reads SendTime as CST (UTC-6, no DST) and records it", async () => {
    const answer = await send({ SubscriberKeys: ["C000000"], SendTime: "2026-07-01 14:30" });
    expect(answer.status).toBe(202);
    const view = await recorded((answer.body as { tokenId: string }).tokenId);
    expect(view.sendTime).toBe("2026-07-01 14:30");
    // July: CST is still UTC-6 (SFMC ignores daylight saving time).
    expect(view.requestedAt).toBe("2026-07-01T20:30:00.000Z");
    expect(view.executeAt).toBe("2026-07-01T20:30:00.000Z");
  });

  describe("documented validation errors", () => {
    const cases: [string, unknown, string, string?][] = [
      [
        "a malformed message id",
        { SubscriberKeys: ["C000000"] },
        "Message id abc is not valid.",
        "abc",
      ],
      [
        "a message of another BU",
        { SubscriberKeys: ["C000000"] },
        `Message ${DEMO_MESSAGES.outletWelcome} is not valid for the client.`,
        DEMO_MESSAGES.outletWelcome,
      ],
      [
        "an unknown message",
        { SubscriberKeys: ["C000000"] },
        "Message OTk5OjExNDow is not valid for the client.",
        "OTk5OjExNDow",
      ],
      [
        "an inactive message",
        { SubscriberKeys: ["C000000"] },
        `The status for Message ${DEMO_MESSAGES.retired} is not set to Active.`,
        DEMO_MESSAGES.retired,
      ],
      [
        "no keys at all",
        {},
        "One or more DeviceTokens must be specified in order to send a message.",
      ],
      ["empty DeviceTokens", { DeviceTokens: [] }, "The count of DeviceTokens cannot be zero."],
      [
        "empty SubscriberKeys",
        { SubscriberKeys: [] },
        "The count of SubscriberKeys cannot be zero.",
      ],
      [
        "more than 5000 keys",
        { SubscriberKeys: demoKeys(0, 5001) },
        "The count of SubscriberKeys cannot be greater than 5000.",
      ],
      [
        "more than 5000 tokens",
        { DeviceTokens: Array.from({ length: 5001 }, (_, i) => `t${i}`) },
        "The count of DeviceTokens cannot be greater than 5000.",
      ],
      [
        "a blank override",
        { SubscriberKeys: ["C000000"], Override: true, MessageText: "  " },
        "Cannot override message text with a blank message.",
      ],
      [
        "an override without text",
        { SubscriberKeys: ["C000000"], Override: true },
        "Cannot override message text with a blank message.",
      ],
      [
        "text without Override",
        { SubscriberKeys: ["C000000"], MessageText: "Hello" },
        "MessageText is not applicable when Override is false.",
      ],
      [
        "text with Override false",
        { SubscriberKeys: ["C000000"], Override: false, MessageText: "Hello" },
        "MessageText is not applicable when Override is false.",
      ],
      [
        "a bad SendTime",
        { SubscriberKeys: ["C000000"], SendTime: "2026-07-01T14:30" },
        "2026-07-01T14:30 is not a valid send time (yyyy-MM-dd HH:mm).",
      ],
      [
        "an impossible SendTime",
        { SubscriberKeys: ["C000000"], SendTime: "2026-02-30 10:00" },
        "2026-02-30 10:00 is not a valid send time (yyyy-MM-dd HH:mm).",
      ],
    ];
    for (const [what, body, text, messageId] of cases) {
      it(`refuses ${what}`, async () => {
        const answer = await send(body, messageId);
        expect(answer.status).toBe(400);
        expect(answer.body).toEqual({ errors: [text] });
      });
    }

    it("refuses a body that is not a JSON object, and JSON it cannot parse", async () => {
      expect((await send(["C000000"])).body).toEqual({
        errors: ["The request body must be a JSON object."],
      });
      const broken = await call(emulator(), "POST", sendPath(DEMO_MESSAGES.welcome), {
        token: await token(emulator()),
        headers: { "content-type": "application/json" },
        rawBody: "{not json",
      });
      expect(broken.status).toBe(400);
      expect(broken.body).toMatchObject({ errorcode: 10004 });
    });

    it("accepts exactly 5000 keys", async () => {
      expect((await send({ SubscriberKeys: demoKeys(0, 5000) })).status).toBe(202);
    });

    it("refuses a blank message without an override", async () => {
      const bearer = await token(emulator());
      const created = await call(emulator(), "POST", "push/v1/message", {
        token: bearer,
        body: {
          messageType: 1,
          contentType: 1,
          name: "NJA_Blank",
          application: { id: "6f1c3a52-1000-4a6e-9b3d-0000000000a1" },
        },
      });
      const id = (created.body as { id: string }).id;
      const answer = await call(emulator(), "POST", sendPath(id), {
        token: bearer,
        body: { SubscriberKeys: ["C000000"] },
      });
      expect(answer.body).toEqual({
        errors: ["Message is blank and no override message was provided."],
      });
      const overridden = await call(emulator(), "POST", sendPath(id), {
        token: bearer,
        body: { SubscriberKeys: ["C000000"], Override: true, MessageText: "Now with text" },
      });
      expect(overridden.status).toBe(202);
    });

    it("lists every problem of the body at once", async () => {
      const answer = await send({ SubscriberKeys: [], MessageText: "x", SendTime: "soon" });
      expect(answer.body).toEqual({
        errors: [
          "The count of SubscriberKeys cannot be zero.",
          "MessageText is not applicable when Override is false.",
          "soon is not a valid send time (yyyy-MM-dd HH:mm).",
        ],
      });
    });

    it("refuses unknown keys when configured to", async () => {
      await call(emulator(), "PATCH", "_emulator/behaviour", { body: { unknownKeys: "reject" } });
      // C000001 is registered, but for the other app.
      const answer = await send({ SubscriberKeys: ["C000000", "C000001", "nobody"] });
      expect(answer.body).toEqual({
        errors: [
          "The following SubscriberKeys are not registered for the application: C000001, nobody.",
        ],
      });
    });
  });
});

describe("GET /push/v1/messageContact/{messageId}/deliveries/{tokenId}", () => {
  it("moves New → Started → Finished as emulated time passes, with the opted-in count", async () => {
    const bearer = await token(emulator());
    // 100 keys: 50 even (app a1, the message's app), 50 odd (app a2); plus 2 unknown keys.
    const keys = [...demoKeys(0, 100), "unknown-1", "unknown-2"];
    const answer = await call(emulator(), "POST", sendPath(DEMO_MESSAGES.welcome), {
      token: bearer,
      body: { SubscriberKeys: keys },
    });
    const { tokenId } = answer.body as { tokenId: string };
    const status = async () => {
      const delivery = await call(
        emulator(),
        "GET",
        deliveriesPath(DEMO_MESSAGES.welcome, tokenId),
        {
          token: bearer,
        },
      );
      expect(delivery.status).toBe(200);
      return delivery.body as Record<string, unknown>;
    };
    expect(await status()).toEqual({
      messageId: DEMO_MESSAGES.welcome,
      message: { id: DEMO_MESSAGES.welcome },
      count: 50,
      // 08:00 UTC is 02:00 CST; dates carry no offset.
      createDate: "2026-06-01T02:00:00.000",
      scheduledDate: "2026-06-01T02:00:00.000",
      status: "New",
      triggeredSendStatus: "Active",
    });
    await advance(emulator(), 5);
    expect((await status()).status).toBe("Started");
    await advance(emulator(), 60);
    expect((await status()).status).toBe("Finished");
  });

  it("counts opted-out contacts and tag filters out", async () => {
    const app = "6f1c3a52-1000-4a6e-9b3d-0000000000a1";
    await call(emulator(), "POST", "_emulator/seed", {
      body: {
        businessUnits: [
          {
            mid: 100,
            contacts: [
              { contactKey: "C000000", appId: app, optedIn: false },
              { contactKey: "C000002", appId: app, tags: ["vip"] },
              { contactKey: "C000004", appId: app, tags: ["vip", "churned"] },
              { contactKey: "D1", appId: app, deviceTokens: ["device-1"] },
            ],
          },
        ],
      },
    });
    const bearer = await token(emulator());
    const countOf = async (body: Record<string, unknown>) => {
      const sent = await call(emulator(), "POST", sendPath(DEMO_MESSAGES.welcome), {
        token: bearer,
        body,
      });
      const { tokenId } = sent.body as { tokenId: string };
      const delivery = await call(
        emulator(),
        "GET",
        deliveriesPath(DEMO_MESSAGES.welcome, tokenId),
        {
          token: bearer,
        },
      );
      return (delivery.body as { count: number }).count;
    };
    const keys = ["C000000", "C000002", "C000004", "C000006", "C000006"];
    expect(await countOf({ SubscriberKeys: keys })).toBe(3);
    expect(await countOf({ SubscriberKeys: keys, InclusionTags: ["vip"] })).toBe(2);
    expect(
      await countOf({ SubscriberKeys: keys, InclusionTags: ["vip"], ExclusionTags: ["churned"] }),
    ).toBe(1);
    expect(await countOf({ DeviceTokens: ["device-1", "device-2"] })).toBe(1);
  });

  it("answers foreign and unknown ids with the documented errors", async () => {
    const bearer = await token(emulator());
    const sent = await call(emulator(), "POST", sendPath(DEMO_MESSAGES.welcome), {
      token: bearer,
      body: { SubscriberKeys: ["C000000"] },
    });
    const { tokenId } = sent.body as { tokenId: string };
    const get = async (messageId: string, id: string, as = bearer) =>
      call(emulator(), "GET", deliveriesPath(messageId, id), { token: as });

    expect((await get(DEMO_MESSAGES.welcome, "not-a-guid")).body).toEqual({
      errors: ["Token id not-a-guid is not valid."],
    });
    const unknown = "0b7c1a52-1000-4a6e-9b3d-000000000000";
    expect((await get(DEMO_MESSAGES.welcome, unknown)).body).toEqual({
      errors: [`Token id ${unknown} is not valid.`],
    });
    expect(await get(DEMO_MESSAGES.summerSale, tokenId)).toMatchObject({
      status: 400,
      body: {
        errors: [`TokenId ${tokenId} is not valid for MessageId ${DEMO_MESSAGES.summerSale}.`],
      },
    });
    expect((await get("abc", tokenId)).body).toEqual({ errors: ["Message id abc is not valid."] });

    // A send made in MID 200 is foreign to a token of MID 100.
    const other = await token(emulator(), { accountId: 200 });
    const foreignSend = await call(emulator(), "POST", sendPath(DEMO_MESSAGES.outletWelcome), {
      token: other,
      body: { SubscriberKeys: ["C000000"] },
    });
    const foreignToken = (foreignSend.body as { tokenId: string }).tokenId;
    expect(await get(DEMO_MESSAGES.welcome, foreignToken)).toMatchObject({
      status: 400,
      body: { errors: [`Token id ${foreignToken} is not valid for this client.`] },
    });
    expect((await get(DEMO_MESSAGES.outletWelcome, foreignToken, other)).status).toBe(200);
  });
});
