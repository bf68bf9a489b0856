import { readFile } from "node:fs/promises";
import path from "node:path";
import { expect, it } from "vitest";
import { customersAsOf } from "../src/customers/history.ts";
import { describeEachEngine } from "./helpers/engines.ts";
import { tempFolder } from "./helpers/files.ts";
import { HEADER, load, refusal, reported } from "./helpers/imports.ts";

const files = tempFolder();

describeEachEngine("customer import: checks", (test) => {
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
});
