import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { startEmulator } from "../emulator/server.ts";
import {
  type Clock,
  clockFromEnvironment,
  emulatorClock,
  parseClockSetting,
  TestClock,
} from "./clock.ts";
import { ConfigError } from "./config/load.ts";

const SRC = fileURLToPath(new URL(".", import.meta.url));

async function sourceFiles(dir: string): Promise<string[]> {
  const files: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) files.push(...(await sourceFiles(full)));
    else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".test.ts")) files.push(full);
  }
  return files;
}

/** Reads of the time that bypass the clock (comments aside). */
const DIRECT_TIME = /\bDate\.now\(\)|\bnew Date\(\s*\)|\bperformance\.now\(\)/;

describe("the clock", () => {
  it("is the only source of time in src/: no Date.now(), new Date() or performance.now() elsewhere", async () => {
    const offenders: string[] = [];
    for (const file of await sourceFiles(SRC)) {
      if (path.relative(SRC, file) === "clock.ts") continue;
      const lines = (await readFile(file, "utf8")).split("\n");
      lines.forEach((line, index) => {
        const code = line.replace(/\/\/.*$/, "").replace(/^\s*\*.*$/, "");
        if (DIRECT_TIME.test(code))
          offenders.push(`${path.relative(SRC, file)}:${index + 1}: ${line.trim()}`);
      });
    }
    expect(offenders).toEqual([]);
  });

  it("finds a direct read of the time (the scan above can fail)", () => {
    expect(DIRECT_TIME.test("const t = Date.now();")).toBe(true);
    expect(DIRECT_TIME.test("const d = new Date();")).toBe(true);
    expect(DIRECT_TIME.test("started = performance.now()")).toBe(true);
    expect(DIRECT_TIME.test("new Date(row.finished_at)")).toBe(false);
  });

  it("a test clock stands still, moves when told, and sleeps by moving ahead at once", async () => {
    const clock = new TestClock("2026-06-01T02:00:00Z");
    expect(clock.now().toISOString()).toBe("2026-06-01T02:00:00.000Z");
    clock.advance({ days: 1, hours: 2, minutes: 3, seconds: 4, ms: 5 });
    expect(clock.now().toISOString()).toBe("2026-06-02T04:03:04.005Z");
    clock.set("2026-07-01T00:00:00+02:00");
    expect(clock.now().toISOString()).toBe("2026-06-30T22:00:00.000Z");
    await clock.sleep(30_000);
    expect(clock.now().toISOString()).toBe("2026-06-30T22:00:30.000Z");
    expect(clock.slept).toEqual([30_000]);
    expect(() => clock.set("yesterday")).toThrow(RangeError);
  });
});

describe("NIGHTJAR_CLOCK", () => {
  const closing: Clock[] = [];
  afterEach(() => {
    for (const clock of closing.splice(0)) clock.close();
  });

  it("reads system, fixed:, offset: and emulator: and refuses anything else as a config error", () => {
    expect(parseClockSetting(undefined)).toEqual({ kind: "system" });
    expect(parseClockSetting("system")).toEqual({ kind: "system" });
    expect(parseClockSetting("fixed:2026-06-01T02:00:00Z")).toEqual({
      kind: "fixed",
      at: Date.parse("2026-06-01T02:00:00Z"),
    });
    expect(parseClockSetting("offset:2026-06-01T04:00:00+02:00")).toEqual({
      kind: "offset",
      at: Date.parse("2026-06-01T02:00:00Z"),
    });
    expect(parseClockSetting("emulator:http://127.0.0.1:4010")).toEqual({
      kind: "emulator",
      url: "http://127.0.0.1:4010/",
    });
    for (const bad of [
      "tomorrow",
      "fixed:2026-06-01",
      "fixed:2026-06-01T02:00:00",
      "fixed:2026-13-01T02:00:00Z",
      "offset:",
      "emulator:nowhere",
      "emulator:ftp://host/",
    ]) {
      expect(() => parseClockSetting(bad), bad).toThrow(ConfigError);
    }
    expect(() => parseClockSetting("tomorrow")).toThrow(
      'NIGHTJAR_CLOCK must be one of system, fixed:<ISO instant>, offset:<ISO instant> or emulator:<URL of the SFMC emulator>, not "tomorrow"',
    );
  });

  it("fixed: always reads the same instant; offset: starts there and runs at real speed", async () => {
    const fixed = await clockFromEnvironment({ NIGHTJAR_CLOCK: "fixed:2026-06-01T02:00:00Z" });
    expect(fixed.now().toISOString()).toBe("2026-06-01T02:00:00.000Z");
    const offset = await clockFromEnvironment({ NIGHTJAR_CLOCK: "offset:2020-01-01T00:00:00Z" });
    const first = offset.now().getTime();
    expect(first - Date.parse("2020-01-01T00:00:00Z")).toBeGreaterThanOrEqual(0);
    expect(first).toBeLessThan(Date.parse("2020-01-02T00:00:00Z"));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(offset.now().getTime()).toBeGreaterThan(first);
  });

  it("emulator: follows the emulator's clock, frozen or moved, in this and other processes", async () => {
    const emulator = await startEmulator({ port: 0 });
    try {
      const move = (body: unknown) =>
        fetch(new URL("_emulator/clock", emulator.url), {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(body),
        });
      await move({ mode: "frozen", set: "2026-06-01T02:00:00Z" });
      const clock = await emulatorClock(emulator.url, { refreshMs: 10 });
      closing.push(clock);
      expect(clock.now().toISOString()).toBe("2026-06-01T02:00:00.000Z");
      await move({ advanceDays: 7 });
      // The clock asks again in the background; wait for it to have seen the move.
      for (let i = 0; i < 100 && clock.now().getUTCDate() !== 8; i++)
        await new Promise((resolve) => setTimeout(resolve, 10));
      expect(clock.now().toISOString()).toBe("2026-06-08T02:00:00.000Z");
      const fromEnv = await clockFromEnvironment({ NIGHTJAR_CLOCK: `emulator:${emulator.url}` });
      closing.push(fromEnv);
      expect(fromEnv.now().toISOString()).toBe("2026-06-08T02:00:00.000Z");
    } finally {
      await emulator.close();
    }
    await expect(emulatorClock(emulator.url)).rejects.toThrow(
      /NIGHTJAR_CLOCK: cannot read the SFMC emulator's clock at .*_emulator\/clock .*is the emulator running\?/,
    );
  });
});
