// Writes db/schema.sql: the schema the migrations produce, on a fresh in-memory PGlite.
import { writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { migrate } from "../src/db/migrate.ts";
import { openPGlite } from "../src/db/pglite.ts";
import { dumpSchema } from "../src/db/schema-dump.ts";

const target = fileURLToPath(new URL("../db/schema.sql", import.meta.url));
const db = await openPGlite(undefined);
try {
  await migrate(db);
  await writeFile(target, await dumpSchema(db.kysely));
  process.stdout.write(`wrote ${target}\n`);
} finally {
  await db.close();
}
