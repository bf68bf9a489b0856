import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EmulatorClock } from "./clock.ts";
import { SeedError } from "./errors.ts";
import { encodeMessageId } from "./ids.ts";
import type { SeedInput } from "./seed.ts";
import { startEmulator } from "./server.ts";
import { call, DEMO_MESSAGES, token } from "./test-helpers.ts";

const APP = "0a1b2c3d-0000-4000-8000-000000000001";
const SEED: SeedInput = {
  enterpriseId: 7000,
  clients: [
    {
      clientId: "acme",
      clientSecret: "acme-secret",
      homeMid: 7001,
      scopes: ["push_read", "push_send"],
    },
  ],
  businessUnits: [
    {
      mid: 7001,
      name: "Acme",
      apps: [{ id: APP, name: "Acme App" }],
      messages: [
        {
          id: encodeMessageId(500),
          name: "ACME_Hello",
          messageType: 1,
          contentType: 1,
          application: { id: APP },
          alert: "Hello",
        },
        {
          name: "ACME_Second",
          messageType: 1,
          contentType: 1,
          application: { id: APP },
          alert: "Two",
        },
      ],
      contacts: [{ contactKey: "K1", appId: APP }],
      contactRanges: [{ prefix: "R", digits: 3, from: 0, to: 9, appIds: [APP] }],
    },
  ],
  behaviour: { sendStatus: 200 },
};

let dir = "";
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "nightjar-emulator-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("seed files", () => {
  it("replace the demo tenant: clients, BUs, apps, messages with given or new ids, contacts, behaviour", async () => {
    const file = path.join(dir, "seed.json");
    await writeFile(file, JSON.stringify(SEED));
    const emulator = await startEmulator({ port: 0, seed: file });
    try {
      await expect(token(emulator)).rejects.toThrow(/invalid_client/);
      const bearer = await token(emulator, { clientId: "acme", secret: "acme-secret" });
      const context = await call(emulator, "GET", "platform/v1/tokenContext", { token: bearer });
      expect(context.body).toMatchObject({ enterprise: { id: 7000 }, organization: { id: 7001 } });
      const list = await call(emulator, "GET", "push/v1/message", { token: bearer });
      const items = (list.body as { items: { id: string; name: string }[] }).items;
      expect(items.map((m) => [m.id, m.name])).toEqual([
        [encodeMessageId(500), "ACME_Hello"],
        [encodeMessageId(501), "ACME_Second"],
      ]);
      const sent = await call(
        emulator,
        "POST",
        `push/v1/messageContact/${encodeMessageId(500)}/send`,
        {
          token: bearer,
          body: { SubscriberKeys: ["K1", "R005", "R010", "R05"] },
        },
      );
      expect(sent.status).toBe(200);
      const record = await call(
        emulator,
        "GET",
        `_emulator/sends/${(sent.body as { tokenId: string }).tokenId}`,
      );
      expect(record.body).toMatchObject({ count: 2 });
    } finally {
      await emulator.close();
    }
  });

  it("are refused with the path of the problem", async () => {
    const bad = path.join(dir, "bad.json");
    await writeFile(bad, JSON.stringify({ clients: [{ clientId: "x" }] }));
    await expect(startEmulator({ port: 0, seed: bad })).rejects.toThrow(SeedError);
    await expect(startEmulator({ port: 0, seed: bad })).rejects.toThrow(/clients\.0\.clientSecret/);
    const inconsistent = path.join(dir, "inconsistent.json");
    await writeFile(
      inconsistent,
      JSON.stringify({
        businessUnits: [
          {
            mid: 1,
            messages: [{ name: "X", messageType: 1, contentType: 1, application: { id: APP } }],
          },
        ],
      }),
    );
    await expect(startEmulator({ port: 0, seed: inconsistent })).rejects.toThrow(
      `businessUnits.0.messages.0: app ${APP} is not in MID 1`,
    );
    await expect(startEmulator({ port: 0, seed: path.join(dir, "missing.json") })).rejects.toThrow(
      /cannot read the seed file/,
    );
  });

  it("merge through POST /_emulator/seed and replace through POST /_emulator/reset", async () => {
    const emulator = await startEmulator({ port: 0 });
    try {
      const merged = await call(emulator, "POST", "_emulator/seed", { body: SEED });
      expect(merged.body).toEqual({
        clients: ["acme"],
        businessUnits: [7001],
        messages: [
          { mid: 7001, name: "ACME_Hello", id: encodeMessageId(500) },
          { mid: 7001, name: "ACME_Second", id: encodeMessageId(501) },
        ],
      });
      // The demo client is still there, next to the new one.
      await token(emulator);
      await token(emulator, { clientId: "acme", secret: "acme-secret" });
      const reset = await call(emulator, "POST", "_emulator/reset", { body: { seed: SEED } });
      expect(reset.status).toBe(200);
      await expect(token(emulator)).rejects.toThrow(/invalid_client/);
      const bad = await call(emulator, "POST", "_emulator/seed", { body: { businessUnits: [{}] } });
      expect(bad.status).toBe(400);
      expect(bad.body).toMatchObject({ error: expect.stringContaining("businessUnits.0.mid") });
      await call(emulator, "POST", "_emulator/reset", {});
      await token(emulator);
    } finally {
      await emulator.close();
    }
  });
});

describe("state files", () => {
  it("keep tenant, tokens, sends and clock across a restart", async () => {
    const file = path.join(dir, "state.json");
    const first = await startEmulator({ port: 0, state: file });
    const bearer = await token(first);
    const created = await call(first, "POST", "push/v1/message", {
      token: bearer,
      body: {
        name: "NJA_Persisted",
        messageType: 1,
        contentType: 1,
        application: { id: "6f1c3a52-1000-4a6e-9b3d-0000000000a1" },
        alert: "Still here",
      },
    });
    const messageId = (created.body as { id: string }).id;
    const sent = await call(first, "POST", `push/v1/messageContact/${DEMO_MESSAGES.welcome}/send`, {
      token: bearer,
      body: { SubscriberKeys: ["C000000", "C000002"], SendTime: "2030-01-01 00:00" },
    });
    const { tokenId } = sent.body as { tokenId: string };
    await call(first, "POST", "_emulator/clock", { body: { advanceMinutes: 5 } });
    await first.close();
    const saved = JSON.parse(await readFile(file, "utf8"));
    expect(saved).toMatchObject({ version: 1, clock: { mode: "real" } });
    expect(JSON.stringify(saved)).toContain("NJA_Persisted");

    const second = await startEmulator({ port: 0, state: file });
    try {
      const clock = (await call(second, "GET", "_emulator/clock")).body as { offsetMs: number };
      expect(clock.offsetMs).toBe(5 * 60_000);
      // The token issued before the restart still works; the message and the send are there.
      const read = await call(second, "GET", `push/v1/message/${messageId}`, { token: bearer });
      expect(read.status).toBe(200);
      const delivery = await call(
        second,
        "GET",
        `push/v1/messageContact/${DEMO_MESSAGES.welcome}/deliveries/${tokenId}`,
        { token: bearer },
      );
      expect(delivery.body).toMatchObject({
        count: 2,
        status: "New",
        scheduledDate: "2030-01-01T00:00:00.000",
      });
      const next = await call(second, "POST", "push/v1/message", {
        token: bearer,
        body: {
          name: "NJA_Next",
          messageType: 1,
          contentType: 1,
          application: { id: "6f1c3a52-1000-4a6e-9b3d-0000000000a1" },
        },
      });
      expect((next.body as { id: string }).id).toBe(encodeMessageId(15));
      expect((await call(second, "POST", "_emulator/state/save")).body).toEqual({ file });
    } finally {
      await second.close();
    }
  });

  it("refuse a broken state file", async () => {
    const file = path.join(dir, "broken-state.json");
    await writeFile(file, JSON.stringify({ version: 2 }));
    await expect(startEmulator({ port: 0, state: file })).rejects.toThrow(
      /the state file .* is not valid/,
    );
  });
});

describe("the clock", () => {
  it("runs with real time by default", async () => {
    const emulator = await startEmulator({ port: 0 });
    try {
      const before = Date.now();
      const clock = (await call(emulator, "GET", "_emulator/clock")).body as {
        now: string;
        mode: string;
      };
      const after = Date.now();
      expect(clock.mode).toBe("real");
      expect(Date.parse(clock.now)).toBeGreaterThanOrEqual(before);
      expect(Date.parse(clock.now)).toBeLessThanOrEqual(after);
    } finally {
      await emulator.close();
    }
  });

  it("runs with its wall clock in real mode, jumps ahead on demand, and can be frozen", async () => {
    let wall = Date.parse("2026-05-01T00:00:00Z");
    const emulator = await startEmulator({
      port: 0,
      clock: new EmulatorClock(undefined, () => wall),
    });
    try {
      const now = async () =>
        ((await call(emulator, "GET", "_emulator/clock")).body as { now: string }).now;
      expect((await call(emulator, "GET", "_emulator/clock")).body).toMatchObject({
        now: "2026-05-01T00:00:00.000Z",
        mode: "real",
        offsetMs: 0,
      });
      wall += 90_000;
      expect(await now()).toBe("2026-05-01T00:01:30.000Z");
      const later = await call(emulator, "POST", "_emulator/clock", { body: { advanceDays: 7 } });
      expect(later.body).toMatchObject({ now: "2026-05-08T00:01:30.000Z", mode: "real" });
      wall += 1_000;
      expect(await now()).toBe("2026-05-08T00:01:31.000Z");
      const frozen = (
        await call(emulator, "POST", "_emulator/clock", {
          body: { mode: "frozen", set: "2026-03-01T12:00:00+01:00" },
        })
      ).body;
      expect(frozen).toMatchObject({
        now: "2026-03-01T11:00:00.000Z",
        nowCst: "2026-03-01T05:00:00.000",
        mode: "frozen",
      });
      await call(emulator, "POST", "_emulator/clock", { body: { advanceMinutes: 30 } });
      expect(emulator.clock.now()).toBe(Date.parse("2026-03-01T11:30:00Z"));
      wall += 60_000;
      expect(emulator.clock.now()).toBe(Date.parse("2026-03-01T11:30:00Z"));
      const bad = await call(emulator, "POST", "_emulator/clock", { body: { advance: 1 } });
      expect(bad.status).toBe(400);
    } finally {
      await emulator.close();
    }
  });

  it("refuses a move out of 1970–9999 with 400, changing nothing; admin routes and the state file still work", async () => {
    const file = path.join(dir, "absurd-clock-state.json");
    const emulator = await startEmulator({
      port: 0,
      state: file,
      clock: { mode: "frozen", frozenAt: Date.parse("2026-06-01T08:00:00Z") },
    });
    try {
      const clockBefore = (await call(emulator, "GET", "_emulator/clock")).body;
      const refusals = [
        [
          { advanceDays: 1e12 },
          "advanceDays: would move the clock to year 2737909033, beyond 9999",
        ],
        [
          // The mode change does not stay behind either.
          { mode: "real", advanceDays: 3_000_000 },
          "advanceDays: would move the clock to year 10240, beyond 9999",
        ],
        [{ advanceDays: -30_000 }, "advanceDays: would move the clock to year 1944, before 1970"],
        [
          { advanceSeconds: 1e308, advanceMinutes: 1 },
          "advanceSeconds + advanceMinutes: would move the clock infinitely far, beyond 9999",
        ],
        [
          { set: "1969-12-31T23:59:59Z", mode: "real" },
          "set: would move the clock to year 1969, before 1970",
        ],
        [
          { set: "9999-12-31T23:59:59.999Z", advanceMs: 1 },
          "advanceMs: would move the clock to year 10000, beyond 9999",
        ],
      ] as const;
      for (const [body, error] of refusals) {
        const answer = await call(emulator, "POST", "_emulator/clock", { body });
        expect(answer, JSON.stringify(body)).toMatchObject({ status: 400, body: { error } });
        expect((await call(emulator, "GET", "_emulator/clock")).body).toEqual(clockBefore);
      }
      for (const route of ["", "/clock", "/sends", "/faults", "/behaviour", "/budget", "/state"])
        expect((await call(emulator, "GET", `_emulator${route}`)).status, route).toBe(200);
      expect((await call(emulator, "POST", "_emulator/state/save")).body).toEqual({ file });
      const saved = JSON.parse(await readFile(file, "utf8")) as { clock: unknown };
      expect(saved.clock).toEqual({
        mode: "frozen",
        offsetMs: 0,
        frozenAt: Date.parse("2026-06-01T08:00:00Z"),
      });
      // The last moment in range is still a move it makes.
      const latest = await call(emulator, "POST", "_emulator/clock", {
        body: { set: "9999-12-31T23:59:59.999Z" },
      });
      expect(latest.body).toMatchObject({ now: "9999-12-31T23:59:59.999Z" });
    } finally {
      await emulator.close();
    }
  });

  it("refuses a state file whose clock is out of 1970–9999, naming the file", async () => {
    const file = path.join(dir, "far-clock-state.json");
    const first = await startEmulator({ port: 0, state: file });
    await first.close();
    const saved = JSON.parse(await readFile(file, "utf8"));
    saved.clock = { mode: "frozen", offsetMs: 0, frozenAt: 1e17 };
    await writeFile(file, JSON.stringify(saved));
    await expect(startEmulator({ port: 0, state: file })).rejects.toThrow(
      `the state file ${file} is not valid: clock: would move the clock to year 3170843, beyond 9999`,
    );
  });

  it("can be shared with a test in-process", async () => {
    const clock = new EmulatorClock({
      mode: "frozen",
      frozenAt: Date.parse("2026-01-01T00:00:00Z"),
    });
    const emulator = await startEmulator({ port: 0, clock });
    try {
      const bearer = await token(emulator);
      clock.advance(20 * 60_000);
      expect((await call(emulator, "GET", "push/v1/message", { token: bearer })).status).toBe(401);
    } finally {
      await emulator.close();
    }
  });
});

describe("the demo tenant", () => {
  it("holds the documented client, BUs, apps, messages and 200,000 contacts", async () => {
    const emulator = await startEmulator({ port: 0 });
    try {
      const summary = (await call(emulator, "GET", "_emulator")).body as {
        clients: unknown[];
        businessUnits: {
          mid: number;
          apps: { id: string }[];
          messages: { name: string; status: number; sendInitiator: number }[];
          contacts: number;
        }[];
      };
      expect(summary.clients).toEqual([
        expect.objectContaining({ clientId: "demo-client", homeMid: 100, mids: [100, 200] }),
      ]);
      expect(
        summary.businessUnits.map((bu) => [bu.mid, bu.apps.map((a) => a.id), bu.contacts]),
      ).toEqual([
        [
          100,
          ["6f1c3a52-1000-4a6e-9b3d-0000000000a1", "6f1c3a52-1000-4a6e-9b3d-0000000000a2"],
          200_000,
        ],
        [
          200,
          ["6f1c3a52-2000-4a6e-9b3d-0000000000b1", "6f1c3a52-2000-4a6e-9b3d-0000000000b2"],
          200_000,
        ],
      ]);
      for (const [bu, prefix] of [
        [summary.businessUnits[0], "NJA_"],
        [summary.businessUnits[1], "NJB_"],
      ] as const) {
        const messages = bu?.messages ?? [];
        expect(messages.filter((m) => m.status === 3)).toHaveLength(1);
        expect(messages.filter((m) => m.sendInitiator === 0)).toHaveLength(1);
        expect(messages.filter((m) => !m.name.startsWith(prefix))).toHaveLength(1);
        expect(
          messages.filter(
            (m) => m.name.startsWith(prefix) && m.status === 2 && m.sendInitiator === 1,
          ).length,
        ).toBeGreaterThanOrEqual(2);
      }
    } finally {
      await emulator.close();
    }
  });
});
