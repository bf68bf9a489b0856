import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll } from "vitest";
import type { CustomerAttribute } from "../../src/config/schema.ts";

/** The attributes the import tests configure: one of every type. */
export const TEST_ATTRIBUTES: CustomerAttribute[] = [
  { name: "first_name", type: "text", required: false },
  { name: "country", type: "text", required: false },
  { name: "signup_date", type: "date", required: false },
  { name: "allow_push", type: "boolean", required: true },
  { name: "points", type: "integer", required: false },
  { name: "lifetime_value", type: "numeric", required: false },
  { name: "last_seen_at", type: "timestamp", required: false },
];

/**
 * A temporary folder for the test file, removed afterwards; `file()` writes into it. With
 * `config`, it holds that `nightjar.config.json` from the start.
 */
export function tempFolder(options: { config?: unknown } = {}): {
  dir(): string;
  file(name: string, lines: string[] | string, options?: { gzip?: boolean }): Promise<string>;
} {
  let dir = "";
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "nightjar-test-"));
    if (options.config !== undefined)
      await writeFile(path.join(dir, "nightjar.config.json"), JSON.stringify(options.config));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  return {
    dir: () => dir,
    async file(name, lines, options) {
      const text = typeof lines === "string" ? lines : `${lines.join("\n")}\n`;
      const target = path.join(dir, name);
      await writeFile(target, options?.gzip ? gzipSync(text) : text);
      return target;
    },
  };
}
