import { describe, expect, it } from "vitest";
import { SendBudgets } from "./budget.ts";
import {
  advance,
  call,
  DEMO_MESSAGES,
  DOC_URL,
  demoKeys,
  token,
  useEmulator,
} from "./test-helpers.ts";

const emulator = useEmulator();
const MINUTE = 60_000;

describe("SendBudgets", () => {
  const limit = { recipients: 100, perMinutes: 30 };

  it("places a send at its due time while the rolling window has room", () => {
    const budgets = new SendBudgets();
    budgets.record("c", 0, 60);
    expect(budgets.earliestFit("c", 10 * MINUTE, 40, limit)).toBe(10 * MINUTE);
  });

  it("delays a send until earlier sends leave the window", () => {
    const budgets = new SendBudgets();
    budgets.record("c", 0, 60);
    budgets.record("c", 10 * MINUTE, 40);
    expect(budgets.earliestFit("c", 11 * MINUTE, 50, limit)).toBe(30 * MINUTE);
    expect(budgets.earliestFit("c", 11 * MINUTE, 70, limit)).toBe(40 * MINUTE);
    // Another client has its own budget.
    expect(budgets.earliestFit("d", 11 * MINUTE, 100, limit)).toBe(11 * MINUTE);
  });

  it("keeps a send scheduled for later within its window too", () => {
    const budgets = new SendBudgets();
    budgets.record("c", 20 * MINUTE, 80);
    // Now at 0 there is room in (−30, 0], but a send at 0 shares (−10, 20] with the later one.
    expect(budgets.earliestFit("c", 0, 30, limit)).toBe(50 * MINUTE);
    expect(budgets.earliestFit("c", 0, 20, limit)).toBe(0);
  });

  it("lets a send larger than the budget out into an empty window only", () => {
    const budgets = new SendBudgets();
    budgets.record("c", 0, 10);
    expect(budgets.earliestFit("c", MINUTE, 500, limit)).toBe(30 * MINUTE);
  });
});

interface SendView {
  status: string;
  requestedAt: string;
  executeAt: string;
  latenessSeconds: number;
  budgetDelaySeconds: number;
}

describe("the send-rate budget over HTTP", () => {
  const sendPath = `push/v1/messageContact/${DEMO_MESSAGES.welcome}/send`;

  it("queues past 250,000 recipients per 30 minutes by default, and executes late", async () => {
    await call(emulator(), "PATCH", "_emulator/behaviour", { body: { deliveryNewSeconds: 0 } });
    let bearer = "";
    const keys = demoKeys(0, 5000);
    for (let i = 0; i < 50; i += 1) {
      // Tokens live 20 emulated minutes; this loop spans 25.
      bearer = await token(emulator());
      const answer = await call(emulator(), "POST", sendPath, {
        token: bearer,
        body: { SubscriberKeys: keys },
      });
      expect(answer.status).toBe(202);
      await advance(emulator(), 30);
    }
    // 50 × 5000 = 250,000 recipients in the last 25 minutes: the 51st send must wait.
    const late = await call(emulator(), "POST", sendPath, {
      token: bearer,
      body: { SubscriberKeys: keys },
    });
    expect(late.status).toBe(202);
    const { tokenId } = late.body as { tokenId: string };
    const view = (await call(emulator(), "GET", `_emulator/sends/${tokenId}`)).body as SendView;
    // The first send left the window 30 minutes after it went out (at 08:00).
    expect(view).toMatchObject({
      status: "Queuing",
      requestedAt: "2026-06-01T08:25:00.000Z",
      executeAt: "2026-06-01T08:30:00.000Z",
      latenessSeconds: 300,
      budgetDelaySeconds: 300,
    });
    const deliveries = `push/v1/messageContact/${DEMO_MESSAGES.welcome}/deliveries/${tokenId}`;
    const status = async () =>
      ((await call(emulator(), "GET", deliveries, { token: bearer })).body as { status: string })
        .status;
    expect(await status()).toBe("Queuing");
    await advance(emulator(), 299);
    expect(await status()).toBe("Queuing");
    await advance(emulator(), 1);
    expect(await status()).toBe("Started");
    const budget = await call(emulator(), "GET", "_emulator/budget");
    expect(budget.body).toMatchObject({
      mode: "queue",
      clients: [{ clientId: "demo-client", recipients: 250_000, perMinutes: 30 }],
    });
  });

  it("answers 429 errorcode 50100 with Retry-After past the budget in reject mode", async () => {
    await call(emulator(), "PATCH", "_emulator/behaviour", {
      body: { deliveryNewSeconds: 0, budget: { mode: "reject", recipients: 10_000 } },
    });
    const bearer = await token(emulator());
    const keys = demoKeys(0, 5000);
    for (let i = 0; i < 2; i += 1) {
      const ok = await call(emulator(), "POST", sendPath, {
        token: bearer,
        body: { SubscriberKeys: keys },
      });
      expect(ok.status).toBe(202);
    }
    await advance(emulator(), 600);
    const refused = await call(emulator(), "POST", sendPath, {
      token: bearer,
      body: { SubscriberKeys: keys },
    });
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toBe("1200");
    expect(refused.body).toEqual({
      message: "Rate limit exceeded",
      errorcode: 50100,
      retryAfter: 1200,
      documentation: DOC_URL,
    });
    const sends = await call(emulator(), "GET", "_emulator/sends?keys=false");
    expect((sends.body as { count: number }).count).toBe(2);
    await advance(emulator(), 1200);
    const fresh = await token(emulator());
    expect(
      (await call(emulator(), "POST", sendPath, { token: fresh, body: { SubscriberKeys: keys } }))
        .status,
    ).toBe(202);
  });

  it("counts a scheduled send in the window of its SendTime, and uses a client's own budget", async () => {
    await call(emulator(), "POST", "_emulator/seed", {
      body: {
        clients: [
          {
            clientId: "small-client",
            clientSecret: "small-secret",
            homeMid: 100,
            sendBudget: { recipients: 3, perMinutes: 60 },
          },
        ],
      },
    });
    const bearer = await token(emulator(), { clientId: "small-client", secret: "small-secret" });
    // 02:00 CST is 08:00 UTC, the emulated now; 03:00 CST is an hour ahead.
    const first = await call(emulator(), "POST", sendPath, {
      token: bearer,
      body: { SubscriberKeys: demoKeys(0, 3), SendTime: "2026-06-01 03:00" },
    });
    const second = await call(emulator(), "POST", sendPath, {
      token: bearer,
      body: { SubscriberKeys: demoKeys(0, 1) },
    });
    const third = await call(emulator(), "POST", sendPath, {
      token: bearer,
      body: { SubscriberKeys: demoKeys(0, 1), SendTime: "2026-06-01 03:30" },
    });
    const view = async (answer: { body: unknown }) =>
      (
        await call(
          emulator(),
          "GET",
          `_emulator/sends/${(answer.body as { tokenId: string }).tokenId}`,
        )
      ).body as SendView;
    expect((await view(first)).executeAt).toBe("2026-06-01T09:00:00.000Z");
    // Now + 5 s pick-up: its hour overlaps the scheduled send's, which fills the budget.
    expect((await view(second)).executeAt).toBe("2026-06-01T10:00:00.000Z");
    expect((await view(third)).executeAt).toBe("2026-06-01T10:00:00.000Z");
  });
});
