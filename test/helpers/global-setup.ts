import { access, readFile, rename, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import type { TestProject } from "vitest/node";

// The package does not export its package.json; read it where npm put it.
const { version } = JSON.parse(
  await readFile(
    new URL("../../node_modules/@electric-sql/pglite/package.json", import.meta.url),
    "utf8",
  ),
) as { version: string };

/**
 * Creating a PGlite database runs initdb in WebAssembly (seconds); doing it once and letting each
 * test file load the snapshot keeps the PGlite half of the suite fast. The snapshot is kept per
 * PGlite version, so later runs (and the suite's other project) reuse it.
 */
export default async function setup(project: TestProject): Promise<void> {
  const file = path.join(os.tmpdir(), `nightjar-test-pglite-${version}.tar`);
  const exists = await access(file).then(
    () => true,
    () => false,
  );
  if (!exists) {
    const pglite = await PGlite.create();
    const dump = await pglite.dumpDataDir("none");
    await pglite.close();
    const partial = `${file}.${process.pid}`;
    await writeFile(partial, Buffer.from(await dump.arrayBuffer()));
    await rename(partial, file);
  }
  project.provide("pgliteSnapshot", file);
  if (!process.env.DATABASE_URL && project.name === "nightjar")
    process.stderr.write(
      "\nThe PostgreSQL half of the database suites is SKIPPED: DATABASE_URL is not set. Set it to a PostgreSQL server (e.g. postgres://postgres@127.0.0.1:5432/postgres) to run it.\n\n",
    );
}

declare module "vitest" {
  export interface ProvidedContext {
    pgliteSnapshot: string;
  }
}
