import { writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import type { TestProject } from "vitest/node";

/**
 * Creating a PGlite database runs initdb in WebAssembly (seconds); doing it once and letting each
 * test file load the snapshot keeps the PGlite half of the suite fast.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const pglite = await PGlite.create();
  const dump = await pglite.dumpDataDir("none");
  await pglite.close();
  const file = path.join(os.tmpdir(), `nightjar-test-pglite-${process.pid}.tar`);
  await writeFile(file, Buffer.from(await dump.arrayBuffer()));
  project.provide("pgliteSnapshot", file);
  return async () => {
    const { rm } = await import("node:fs/promises");
    await rm(file, { force: true });
  };
}

declare module "vitest" {
  export interface ProvidedContext {
    pgliteSnapshot: string;
  }
}
