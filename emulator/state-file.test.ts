import { chmod, mkdtemp, readdir, readFile, rm, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { startEmulator } from "./server.ts";
import { call } from "./test-helpers.ts";

// The mode of each temporary state file at the moment it is renamed into place, full of secrets.
const renamedModes = vi.hoisted(() => [] as number[]);
vi.mock("node:fs/promises", async (importOriginal) => {
  const fs = await importOriginal<typeof import("node:fs/promises")>();
  return {
    ...fs,
    rename: async (from: string, to: string) => {
      renamedModes.push((await fs.stat(from)).mode & 0o777);
      return fs.rename(from, to);
    },
  };
});

let dir = "";
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "nightjar-emulator-state-file-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const mode = async (file: string) => (await stat(file)).mode & 0o777;

describe("the state file", () => {
  it("is written 0600, through a temporary file that is 0600 too, and replaces a wider one", async () => {
    const file = path.join(dir, "state.json");
    const emulator = await startEmulator({ port: 0, state: file });
    try {
      expect((await call(emulator, "POST", "_emulator/state/save")).body).toEqual({ file });
      expect(await mode(file)).toBe(0o600);
      expect(await readFile(file, "utf8")).toContain('"clientSecret":"demo-secret"');
      await chmod(file, 0o644);
      expect((await call(emulator, "POST", "_emulator/state/save")).status).toBe(200);
      expect(await mode(file)).toBe(0o600);
      await chmod(file, 0o666);
    } finally {
      await emulator.close();
    }
    // Written once more on close.
    expect(await mode(file)).toBe(0o600);
    expect(renamedModes).toEqual([0o600, 0o600, 0o600]);
    expect(await readdir(dir)).toEqual(["state.json"]);
  });
});
