// Work tables of a process that died (a killed import or model run) are dropped by the next
// import, model run or migrate at once; those of a live process are left alone.
import { sql } from "kysely";
import { expect, it } from "vitest";
import { createApp } from "../src/app.ts";
import { configFromObject } from "../src/config/load.ts";
import { dropDeadWorkTables, ownWorkTables } from "../src/db/work-tables.ts";
import { describeEachEngine } from "./helpers/engines.ts";
import { tempFolder } from "./helpers/files.ts";
import { load } from "./helpers/imports.ts";

const files = tempFolder();

async function workTables(db: Parameters<typeof dropDeadWorkTables>[0]): Promise<string[]> {
  const result = await sql<{ name: string }>`
    select tablename as name from pg_tables
    where tablename like 'import\\_staging\\_%' or tablename like 'model\\_work\\_%'
    order by 1`.execute(db.kysely);
  return result.rows.map((r) => r.name);
}

describeEachEngine("work tables", (test) => {
  it("drops those whose owner is gone at once, and keeps a live owner's", async () => {
    const { db } = test();
    // Left by a process that died: its owner holds no lock any more. And by an older version,
    // which named no owner.
    await db.exec(`
      create unlogged table import_staging_o424242_deadbeef (line_no integer);
      create unlogged table model_work_o424243_cafe_summaries (x integer);
      create unlogged table import_staging_1764000000000_abcd (line_no integer);`);
    const live = await ownWorkTables(db);
    const mine = live.name("import_staging_");
    await db.exec(`create unlogged table "${mine}" (line_no integer)`);
    try {
      expect(await dropDeadWorkTables(db)).toEqual([
        "import_staging_1764000000000_abcd",
        "import_staging_o424242_deadbeef",
        "model_work_o424243_cafe_summaries",
      ]);
      expect(await workTables(db)).toEqual([mine]);
    } finally {
      await live.release();
    }
    // Once released, the owner is gone too: the next import drops its table.
    await load(db, await files.file("day.csv", ["contact_key,allow_push", "A,true"]), "2026-11-01");
    expect(await workTables(db)).toEqual([]);
  });

  it("migrate drops them and says how many", async () => {
    const { db } = test();
    await db.exec("create unlogged table import_staging_o515151_0badf00d (line_no integer)");
    const app = await createApp({
      config: configFromObject({}, { file: `${files.dir()}/nightjar.config.json`, env: {} }),
      db,
      upgrade: true,
    });
    expect(app.upgrade.workTablesDropped).toEqual(["import_staging_o515151_0badf00d"]);
  });
});
