import { readFile } from "node:fs/promises";
import path from "node:path";
import { sql } from "kysely";
import { expect, it } from "vitest";
import { customersAsOf, customerVersions } from "../src/customers/history.ts";
import { importCustomers } from "../src/customers/import-customers.ts";
import { type ImportProblem, ImportRefusedError } from "../src/customers/import-report.ts";
import type { NightjarDb } from "../src/db/connect.ts";
import { describeEachEngine } from "./helpers/engines.ts";
import { TEST_ATTRIBUTES, tempFolder } from "./helpers/files.ts";

const files = tempFolder();
const HEADER =
  "contact_key,first_name,country,signup_date,allow_push,points,lifetime_value,last_seen_at";

function load(
  db: NightjarDb,
  file: string,
  date: string,
  extra: { delimiter?: string; errorsFile?: string } = {},
) {
  return importCustomers(db, {
    path: file,
    date,
    attributes: TEST_ATTRIBUTES,
    timeZone: "UTC",
    ...extra,
  });
}

async function refusal(promise: Promise<unknown>): Promise<ImportRefusedError> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(ImportRefusedError);
  return error as ImportRefusedError;
}

/** What a refusal reported, as comparable tuples. */
function reported(error: ImportRefusedError): [number, string, string | null, string][] {
  return error.problems.map((p: ImportProblem) => [p.line, p.column, p.value, p.reason]);
}

/** Everything an import may change, to compare before and after a refused file. */
async function snapshotOfTables(db: NightjarDb) {
  const customers = await sql`select * from customers order by contact_key`.execute(db.kysely);
  const history =
    await sql`select * from customer_history order by contact_key, valid_from`.execute(db.kysely);
  const imports = await sql`select id, import_date, rows from imports order by id`.execute(
    db.kysely,
  );
  const staging =
    await sql`select tablename from pg_tables where tablename like 'import_staging_%'`.execute(
      db.kysely,
    );
  return {
    customers: customers.rows,
    history: history.rows,
    imports: imports.rows,
    staging: staging.rows,
  };
}

describeEachEngine("customer import", (test) => {
  it("loads a snapshot with typed values, blanks as null, quoted fields and a BOM", async () => {
    const { db } = test();
    const file = await files.file("typed.csv", [
      `\uFEFF${HEADER}`,
      'C1,"Ann, ""the first""",DE,2024-02-29,true,42,19.90,2026-11-01 08:30:00',
      "C2,, ,,no,-7,1e3,2026-11-01T08:30:00+02:00",
      'C3,"",FR, ,"  1 ",,,',
    ]);
    const result = await load(db, file, "2026-11-01");
    expect(result).toMatchObject({
      rows: 3,
      inserted: 3,
      updated: 0,
      unchanged: 0,
      removed: 0,
      importId: 1,
    });
    const rows = await customersAsOf(db.kysely, "2026-11-01");
    expect(
      rows.map((r) => [
        r.contact_key,
        r.first_name,
        r.country,
        r.signup_date,
        r.allow_push,
        r.points,
      ]),
    ).toEqual([
      ["C1", 'Ann, "the first"', "DE", "2024-02-29", true, 42],
      ["C2", null, null, null, false, -7],
      ["C3", null, "FR", null, true, null],
    ]);
    expect(rows.map((r) => r.lifetime_value)).toEqual(["19.90", "1000", null]);
    expect(rows.map((r) => (r.last_seen_at as Date | null)?.toISOString() ?? null)).toEqual([
      "2026-11-01T08:30:00.000Z",
      "2026-11-01T06:30:00.000Z",
      null,
    ]);
  });

  it("reads gzip-compressed files, another delimiter and CRLF line ends", async () => {
    const { db } = test();
    const text = 'contact_key;allow_push;country\r\nC1;true;DE\r\nC2;false;"A;B"\r\n';
    const file = await files.file("semicolon.csv.gz", text, { gzip: true });
    const result = await load(db, file, "2026-11-01", { delimiter: ";" });
    expect(result).toMatchObject({ rows: 2, inserted: 2 });
    const rows = await customersAsOf(db.kysely, "2026-11-01");
    expect(rows.map((r) => [r.contact_key, r.allow_push, r.country])).toEqual([
      ["C1", true, "DE"],
      ["C2", false, "A;B"],
    ]);
  });

  it("refuses unknown, missing, repeated and unnamed header columns, naming each", async () => {
    const { db } = test();
    const file = await files.file("header.csv", [
      "first_name,shoe_size,country,country,",
      "Ann,42,DE,DE,",
    ]);
    const error = await refusal(load(db, file, "2026-11-01"));
    expect(reported(error)).toEqual([
      [
        1,
        "shoe_size",
        "shoe_size",
        expect.stringMatching(
          /^unknown column: not contact_key or a configured customer attribute/,
        ),
      ],
      [1, "country", "country", "this column appears twice in the header"],
      [1, "column 5", null, "the header names no column here"],
      [1, "contact_key", null, "required column is missing from the header"],
      [1, "allow_push", null, "required column is missing from the header"],
    ]);
    expect(error.message).toContain("header.csv was refused (5 problems); nothing was imported");
  });

  it("refuses every bad value with its line, column, value and reason", async () => {
    const { db } = test();
    const file = await files.file("values.csv", [
      HEADER,
      "C1,Ann,DE,2023-02-29,maybe,12.5,abc,2026-13-01",
      ",Bo,DE,2024-01-01,true,,,",
      "C3,Cy,DE,01/02/2024,true,99999999999999999999,1.2.3,2026-11-01 25:00",
      "C4,Di,DE,2024-01-01,,1,1,2026-11-01",
      "C5,Ed,DE,2024-01-01,true,1,1,2026-11-01T10:00:00+16:00",
    ]);
    const error = await refusal(load(db, file, "2026-11-01"));
    expect(reported(error)).toEqual([
      [2, "signup_date", "2023-02-29", "not a valid date (YYYY-MM-DD)"],
      [2, "allow_push", "maybe", "not a boolean (use true/false, yes/no or 1/0)"],
      [2, "points", "12.5", "not an integer"],
      [2, "lifetime_value", "abc", "not a number (use digits with a . decimal point)"],
      [
        2,
        "last_seen_at",
        "2026-13-01",
        "not a valid timestamp (YYYY-MM-DD[ HH:MM[:SS]][Z|±HH:MM])",
      ],
      [3, "contact_key", null, "contact key is empty"],
      [4, "signup_date", "01/02/2024", "not a valid date (YYYY-MM-DD)"],
      [4, "points", "99999999999999999999", "not an integer"],
      [4, "lifetime_value", "1.2.3", "not a number (use digits with a . decimal point)"],
      [
        4,
        "last_seen_at",
        "2026-11-01 25:00",
        "not a valid timestamp (YYYY-MM-DD[ HH:MM[:SS]][Z|±HH:MM])",
      ],
      [5, "allow_push", null, "required value is missing"],
      [
        6,
        "last_seen_at",
        "2026-11-01T10:00:00+16:00",
        "not a valid timestamp (YYYY-MM-DD[ HH:MM[:SS]][Z|±HH:MM])",
      ],
    ]);
    expect(error.totalProblems).toBe(12);
  });

  it("refuses a duplicated contact key on every line it appears, and lines with the wrong number of fields", async () => {
    const { db } = test();
    const file = await files.file("dupes.csv", [
      "contact_key,allow_push,first_name",
      "C1,true,Ann",
      '"C2",true,"two\nlines"',
      "C1,false,Again",
      "C3,true",
      "C2,true,Bo",
      "C1,true,Third",
    ]);
    const error = await refusal(load(db, file, "2026-11-01"));
    expect(reported(error)).toEqual([
      [2, "contact_key", "C1", "duplicate contact key: also on lines 5, 8"],
      [3, "contact_key", "C2", "duplicate contact key: also on line 7"],
      [5, "contact_key", "C1", "duplicate contact key: also on lines 2, 8"],
      [6, "(line)", "C3,true", "has 2 fields, the header has 3"],
      [7, "contact_key", "C2", "duplicate contact key: also on line 3"],
      [8, "contact_key", "C1", "duplicate contact key: also on lines 2, 5"],
    ]);
  });

  it("refuses a file without data rows, and an unterminated quote", async () => {
    const { db } = test();
    const empty = await files.file("empty.csv", ["contact_key,allow_push", "", ""]);
    const error = await refusal(load(db, empty, "2026-11-01"));
    expect(error.problems[0]?.reason).toMatch(/^the file has no data rows/);
    const open = await files.file(
      "open-quote.csv",
      'contact_key,allow_push\nC1,true\n"C2,true\nC3,true\n',
    );
    const quoteError = await refusal(load(db, open, "2026-11-01"));
    expect(reported(quoteError)).toEqual([
      [3, "(line)", '"C2,true\nC3,true', expect.stringMatching(/^unterminated quoted field/)],
    ]);
  });

  it("lists the first 100 problems, counts all, and writes all of them to the errors file", async () => {
    const { db } = test();
    const lines = ["contact_key,allow_push"];
    for (let i = 0; i < 250; i++) lines.push(`C${i},perhaps`);
    const file = await files.file("many.csv", lines);
    const errorsFile = path.join(files.dir(), "many-errors.csv");
    const error = await refusal(load(db, file, "2026-11-01", { errorsFile }));
    expect(error.problems).toHaveLength(100);
    expect(error.totalProblems).toBe(250);
    expect(error.message).toContain("… and 150 more");
    expect(error.message).toContain(`all problems are listed in ${errorsFile}`);
    const written = (await readFile(errorsFile, "utf8")).trim().split("\n");
    expect(written[0]).toBe("line,column,value,reason");
    expect(written).toHaveLength(251);
    expect(written[250]).toBe(
      '251,allow_push,perhaps,"not a boolean (use true/false, yes/no or 1/0)"',
    );
  });

  it("writes header problems to the errors file too", async () => {
    const { db } = test();
    const file = await files.file("no-key.csv", ["allow_push", "true"]);
    const errorsFile = path.join(files.dir(), "no-key-errors.csv");
    await refusal(load(db, file, "2026-11-01", { errorsFile }));
    expect(await readFile(errorsFile, "utf8")).toBe(
      "line,column,value,reason\n1,contact_key,,required column is missing from the header\n",
    );
  });

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
    });
    await expect(changedType).rejects.toThrow(
      'customers.attributes: "tier" is integer in the config but text in the database; changing an attribute\'s type is not supported',
    );
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
});
