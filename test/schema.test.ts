import { readFile } from "node:fs/promises";
import { expect, it } from "vitest";
import { dumpSchema } from "../src/db/schema-dump.ts";
import { describeEachEngine } from "./helpers/engines.ts";

describeEachEngine("schema", (test) => {
  it("matches the committed db/schema.sql (run `npm run schema:dump` after adding a migration)", async () => {
    const committed = await readFile(new URL("../db/schema.sql", import.meta.url), "utf8");
    expect(await dumpSchema(test().db.kysely)).toBe(committed);
  });
});
