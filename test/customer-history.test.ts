import { sql } from "kysely";
import { expect, it } from "vitest";
import { customersAsOf, customerVersions } from "../src/customers/history.ts";
import { importCustomers } from "../src/customers/import-customers.ts";
import { describeEachEngine } from "./helpers/engines.ts";
import { TEST_ATTRIBUTES, tempFolder } from "./helpers/files.ts";
import { load, refusal, reported, snapshotOfTables, testClock } from "./helpers/imports.ts";

const files = tempFolder();

describeEachEngine("customer import: snapshots and history", (test) => {
  it("keeps history as validity intervals across three daily snapshots", async () => {
    const { db } = test();
    const day1 = await files.file("d1.csv", [
      "contact_key,first_name,country,allow_push",
      "A,Ann,DE,true",
      "B,Bo,FR,true",
      "C,Cy,US,false",
    ]);
    const day2 = await files.file("d2.csv", [
      "contact_key,first_name,country,allow_push",
      "A,Ann,AT,true",
      "B,Bo,FR,true",
      "D,Di,IT,true",
    ]);
    const day3 = await files.file("d3.csv", [
      "contact_key,first_name,country,allow_push",
      "A,Ann,AT,false",
      "C,Cy,US,false",
      "D,Di,IT,true",
    ]);
    expect(await load(db, day1, "2026-11-01")).toMatchObject({
      rows: 3,
      inserted: 3,
      updated: 0,
      unchanged: 0,
      removed: 0,
    });
    // A first load writes no history: the current versions hold it.
    expect(
      (await sql`select count(*)::int as n from customer_history`.execute(db.kysely)).rows,
    ).toEqual([{ n: 0 }]);
    expect(await load(db, day2, "2026-11-02")).toMatchObject({
      rows: 3,
      inserted: 1,
      updated: 1,
      unchanged: 1,
      removed: 1,
    });
    expect(await load(db, day3, "2026-11-03")).toMatchObject({
      rows: 3,
      inserted: 0,
      updated: 2,
      unchanged: 1,
      removed: 1,
    });

    const state = async (date: string) =>
      (await customersAsOf(db.kysely, date)).map(
        (r) => `${r.contact_key}:${r.country}:${r.allow_push}:${r.present ? "in" : "out"}`,
      );
    expect(await state("2026-10-31")).toEqual([]);
    expect(await state("2026-11-01")).toEqual(["A:DE:true:in", "B:FR:true:in", "C:US:false:in"]);
    expect(await state("2026-11-02")).toEqual([
      "A:AT:true:in",
      "B:FR:true:in",
      "C:US:false:out",
      "D:IT:true:in",
    ]);
    expect(await state("2026-11-03")).toEqual([
      "A:AT:false:in",
      "B:FR:true:out",
      "C:US:false:in",
      "D:IT:true:in",
    ]);
    expect(await state("2026-12-31")).toEqual(await state("2026-11-03"));

    const versionsOfA = (await customerVersions(db.kysely, "A")).map((v) => [
      v.valid_from,
      v.valid_to,
      v.country,
      v.allow_push,
    ]);
    expect(versionsOfA).toEqual([
      ["2026-11-01", "2026-11-02", "DE", true],
      ["2026-11-02", "2026-11-03", "AT", true],
      ["2026-11-03", null, "AT", false],
    ]);
    const c = await db.kysely
      .selectFrom("customers")
      .selectAll()
      .where("contact_key", "=", "C")
      .executeTakeFirstOrThrow();
    expect(c).toMatchObject({
      present: true,
      first_seen_on: "2026-11-01",
      valid_from: "2026-11-03",
    });
  });

  it("treats re-importing the same file for the same date as a no-op", async () => {
    const { db } = test();
    const day1 = await files.file("same1.csv", [
      "contact_key,allow_push,country",
      "A,true,DE",
      "B,true,FR",
    ]);
    const day2 = await files.file("same2.csv", [
      "contact_key,allow_push,country",
      "A,true,AT",
      "C,true,IT",
    ]);
    await load(db, day1, "2026-11-01");
    await load(db, day2, "2026-11-02");
    const before = await snapshotOfTables(db);
    const again = await load(db, day2, "2026-11-02");
    expect(again).toMatchObject({
      importId: null,
      rows: 2,
      inserted: 0,
      updated: 0,
      unchanged: 2,
      removed: 0,
    });
    expect(await snapshotOfTables(db)).toEqual(before);
  });

  it("applies a corrected file for the latest date without leaving an empty interval", async () => {
    const { db } = test();
    await load(
      db,
      await files.file("fix1.csv", ["contact_key,allow_push,country", "A,true,DE"]),
      "2026-11-01",
    );
    await load(
      db,
      await files.file("fix2.csv", ["contact_key,allow_push,country", "A,true,AT"]),
      "2026-11-02",
    );
    const corrected = await load(
      db,
      await files.file("fix2b.csv", ["contact_key,allow_push,country", "A,true,CH"]),
      "2026-11-02",
    );
    expect(corrected).toMatchObject({ updated: 1 });
    expect(
      (await customerVersions(db.kysely, "A")).map((v) => [v.valid_from, v.valid_to, v.country]),
    ).toEqual([
      ["2026-11-01", "2026-11-02", "DE"],
      ["2026-11-02", null, "CH"],
    ]);
  });

  it("refuses a snapshot older than the latest one", async () => {
    const { db } = test();
    const file = await files.file("order.csv", ["contact_key,allow_push", "A,true"]);
    await load(db, file, "2026-11-05");
    const error = await refusal(load(db, file, "2026-11-04"));
    expect(error.problems[0]?.reason).toBe(
      "the snapshot date 2026-11-04 is before the latest imported snapshot (2026-11-05); snapshots must be imported in date order",
    );
  });

  it("leaves the previous snapshot and its history untouched when a file is refused", async () => {
    const { db } = test();
    await load(
      db,
      await files.file("atom1.csv", ["contact_key,allow_push,country", "A,true,DE", "B,true,FR"]),
      "2026-11-01",
    );
    await load(
      db,
      await files.file("atom2.csv", ["contact_key,allow_push,country", "A,true,AT", "B,true,FR"]),
      "2026-11-02",
    );
    const before = await snapshotOfTables(db);
    // Valid rows first: everything up to the bad last line was already streamed into staging.
    const lines = ["contact_key,allow_push,country"];
    for (let i = 0; i < 5000; i++) lines.push(`N${i},true,SE`);
    lines.push("A,not-a-boolean,XX");
    const error = await refusal(load(db, await files.file("atom3.csv", lines), "2026-11-03"));
    expect(reported(error)).toEqual([
      [5002, "allow_push", "not-a-boolean", "not a boolean (use true/false, yes/no or 1/0)"],
    ]);
    expect(await snapshotOfTables(db)).toEqual(before);
    // A file with duplicates is refused as whole as well.
    await refusal(
      load(
        db,
        await files.file("atom4.csv", ["contact_key,allow_push", "A,true", "A,true"]),
        "2026-11-03",
      ),
    );
    expect(await snapshotOfTables(db)).toEqual(before);
  });

  it("adds a column for an attribute added to the config, keeping older data", async () => {
    const { db } = test();
    await load(
      db,
      await files.file("cols1.csv", ["contact_key,allow_push", "A,true"]),
      "2026-11-01",
    );
    const attributes = [
      ...TEST_ATTRIBUTES,
      { name: "tier", type: "text" as const, required: false },
    ];
    const result = await importCustomers(db, {
      path: await files.file("cols2.csv", ["contact_key,allow_push,tier", "A,true,gold"]),
      date: "2026-11-02",
      attributes,
      timeZone: "UTC",
      clock: testClock(),
    });
    expect(result).toMatchObject({ updated: 1 });
    expect((await customerVersions(db.kysely, "A")).map((v) => [v.valid_from, v.tier])).toEqual([
      ["2026-11-01", null],
      ["2026-11-02", "gold"],
    ]);
    const changedType = importCustomers(db, {
      path: await files.file("cols3.csv", ["contact_key,allow_push", "A,true"]),
      date: "2026-11-03",
      attributes: attributes.map((a) =>
        a.name === "tier" ? { ...a, type: "integer" as const } : a,
      ),
      timeZone: "UTC",
      clock: testClock(),
    });
    await expect(changedType).rejects.toThrow(
      'customers.attributes: "tier" is integer in the config but text in the database; changing an attribute\'s type is not supported',
    );
  });

  it("keeps a dropped attribute's column apart from a new attribute named old_ + its name", async () => {
    const { db } = test();
    const withCountry = [{ name: "country", type: "text" as const, required: false }];
    const withOldCountry = [{ name: "old_country", type: "text" as const, required: false }];
    const day = (date: string, file: string, attributes: typeof withCountry) =>
      importCustomers(db, { path: file, date, attributes, timeZone: "UTC", clock: testClock() });
    await day(
      "2026-11-01",
      await files.file("c1.csv", ["contact_key,country", "A,DE"]),
      withCountry,
    );
    // `country` left the config (its column stays); `old_country` is new.
    const second = await day(
      "2026-11-02",
      await files.file("c2.csv", ["contact_key,old_country", "A,FR"]),
      withOldCountry,
    );
    expect(second).toMatchObject({ updated: 1 });
    const versions = await sql<{
      valid_from: string;
      country: string | null;
      old_country: string | null;
    }>`
      select valid_from::text, country, old_country from customer_versions
      where contact_key = 'A' order by valid_from`.execute(db.kysely);
    expect(versions.rows).toEqual([
      { valid_from: "2026-11-01", country: "DE", old_country: null },
      { valid_from: "2026-11-02", country: "DE", old_country: "FR" },
    ]);
  });

  it("keeps values of attributes a snapshot leaves out", async () => {
    const { db } = test();
    await load(
      db,
      await files.file("part1.csv", ["contact_key,allow_push,country", "A,true,DE"]),
      "2026-11-01",
    );
    const result = await load(
      db,
      await files.file("part2.csv", ["contact_key,allow_push", "A,true"]),
      "2026-11-02",
    );
    expect(result).toMatchObject({ unchanged: 1, updated: 0 });
    expect((await customersAsOf(db.kysely, "2026-11-02"))[0]?.country).toBe("DE");
  });
  it("sees through formatting: the same values written differently change nothing", async () => {
    const { db } = test();
    const header = "contact_key,allow_push,points,lifetime_value,signup_date,first_name";
    await load(
      db,
      await files.file("fmt1.csv", [
        header,
        "A,true,42,1.50,2024-01-05,Ann",
        "B,no,7,2,2024-01-06,Bo",
      ]),
      "2026-11-01",
    );
    const same = await load(
      db,
      await files.file("fmt2.csv", [
        header,
        'A,TRUE," 42 ",1.5,"2024-01-05","Ann"',
        "B,n,+7,2.000, 2024-01-06 ,Bo",
      ]),
      "2026-11-02",
    );
    expect(same).toMatchObject({ inserted: 0, updated: 0, unchanged: 2, removed: 0 });
    expect(
      (await sql`select count(*)::int as n from customer_history`.execute(db.kysely)).rows,
    ).toEqual([{ n: 0 }]);
    const changed = await load(
      db,
      await files.file("fmt3.csv", [
        header,
        "A,true,43,1.5,2024-01-05,Ann",
        "B,n,+7,2.000, 2024-01-06 ,Bo",
      ]),
      "2026-11-03",
    );
    expect(changed).toMatchObject({ inserted: 0, updated: 1, unchanged: 1, removed: 0 });
    expect(
      (await customerVersions(db.kysely, "A")).map((v) => [v.valid_from, v.valid_to, v.points]),
    ).toEqual([
      ["2026-11-01", "2026-11-03", 42],
      ["2026-11-03", null, 43],
    ]);
  });

  it("compares files whose columns come in another order", async () => {
    const { db } = test();
    const header = "contact_key,allow_push,country";
    await load(
      db,
      await files.file("cmp1.csv", [header, "A,true,DE", "B,true,FR", "C,true,IT"]),
      "2026-11-01",
    );
    const reordered = await load(
      db,
      await files.file("cmp2.csv", [
        "contact_key,country,allow_push",
        "A,DE,true",
        "B,AT,true",
        "D,ES,true",
      ]),
      "2026-11-02",
    );
    expect(reordered).toMatchObject({ inserted: 1, updated: 1, unchanged: 1, removed: 1 });
    const same = await load(
      db,
      await files.file("cmp3.csv", [
        "contact_key,country,allow_push",
        "A,DE,false",
        "B,AT,true",
        "C,IT,true",
      ]),
      "2026-11-03",
    );
    expect(same).toMatchObject({ inserted: 0, updated: 2, unchanged: 1, removed: 1 });
    const state = (await customersAsOf(db.kysely, "2026-11-03")).map(
      (r) => `${r.contact_key}:${r.country}:${r.allow_push}:${r.present}`,
    );
    expect(state).toEqual([
      "A:DE:false:true",
      "B:AT:true:true",
      "C:IT:true:true",
      "D:ES:true:false",
    ]);
  });
});
