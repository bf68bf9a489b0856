import { sql } from "kysely";
import { expect, it } from "vitest";
import { customersAsOf, customerVersions } from "../src/customers/history.ts";
import { fingerprintText, murmur3x86x128 } from "../src/customers/row-fingerprints.ts";
import type { NightjarDb } from "../src/db/connect.ts";
import { describeEachEngine } from "./helpers/engines.ts";
import { tempFolder } from "./helpers/files.ts";
import { load, refusal, reported, snapshotOfTables } from "./helpers/imports.ts";

const files = tempFolder();
const HEADER = "contact_key,first_name,country,allow_push";

/** The fingerprint of a snapshot line, as the import computes it. */
function fingerprintOf(line: string): string {
  const bytes = Buffer.from(line);
  const words = new Uint32Array(4);
  murmur3x86x128(bytes, 0, bytes.length, 0, words);
  return fingerprintText(words);
}

/** Every present customer carries the fingerprint of its line in the last file. */
async function expectFingerprintsOf(db: NightjarDb, lines: string[]): Promise<void> {
  const stored = await sql<{ contact_key: string; row_fingerprint: string | null }>`
    select contact_key, row_fingerprint from customers where present order by contact_key`.execute(
    db.kysely,
  );
  const expected = lines
    .slice(1)
    .map((line) => ({ contact_key: line.split(",")[0], row_fingerprint: fingerprintOf(line) }))
    .sort((a, b) => String(a.contact_key).localeCompare(String(b.contact_key)));
  expect(stored.rows).toEqual(expected);
}

describeEachEngine("customer import: unchanged lines (row fingerprints)", (test) => {
  it("compares only the lines that changed since the last import", async () => {
    const { db } = test();
    const day1 = [HEADER];
    for (let i = 0; i < 200; i++) day1.push(`K${i},Name${i},DE,true`);
    expect(await load(db, await files.file("fp1.csv", day1), "2026-11-01")).toMatchObject({
      inserted: 200,
      compared: 200,
    });
    await expectFingerprintsOf(db, day1);

    // K3 changes, K7 leaves, N1 arrives; the other 198 lines are the very same bytes.
    const day2 = day1.filter((line) => !line.startsWith("K7,"));
    day2[4] = "K3,Name3,AT,true";
    day2.push("N1,New,FR,false");
    const result = await load(db, await files.file("fp2.csv", day2), "2026-11-02");
    expect(result).toMatchObject({
      rows: 200,
      inserted: 1,
      updated: 1,
      unchanged: 198,
      removed: 1,
      compared: 2,
    });
    await expectFingerprintsOf(db, day2);
    expect(
      (await customerVersions(db.kysely, "K3")).map((v) => [v.valid_from, v.valid_to, v.country]),
    ).toEqual([
      ["2026-11-01", "2026-11-02", "DE"],
      ["2026-11-02", null, "AT"],
    ]);
    const k7 = await customersAsOf(db.kysely, "2026-11-02");
    expect(k7.find((c) => c.contact_key === "K7")?.present).toBe(false);
    expect(
      (await sql`select count(*)::int as n from customer_history`.execute(db.kysely)).rows,
    ).toEqual([{ n: 2 }]);
  });

  it("brings back a customer whose line returns unchanged after an absence", async () => {
    const { db } = test();
    const day1 = [HEADER, "A,Ann,DE,true", "B,Bo,FR,true"];
    await load(db, await files.file("back1.csv", day1), "2026-11-01");
    await load(db, await files.file("back2.csv", [HEADER, "A,Ann,DE,true"]), "2026-11-02");
    // B's line is byte for byte the one of day 1, but B was not present yesterday.
    const result = await load(db, await files.file("back3.csv", day1), "2026-11-03");
    expect(result).toMatchObject({ inserted: 0, updated: 1, unchanged: 1, removed: 0 });
    expect(
      (await customerVersions(db.kysely, "B")).map((v) => [v.valid_from, v.valid_to, v.present]),
    ).toEqual([
      ["2026-11-01", "2026-11-02", true],
      ["2026-11-02", "2026-11-03", false],
      ["2026-11-03", null, true],
    ]);
    await expectFingerprintsOf(db, day1);
  });

  it("finds a contact key repeated on a line that is unchanged since the last import", async () => {
    const { db } = test();
    await load(
      db,
      await files.file("rep1.csv", [HEADER, "A,Ann,DE,true", "B,Bo,FR,true"]),
      "2026-11-01",
    );
    const before = await snapshotOfTables(db);
    // Line 2 is yesterday's line for A; line 4 repeats it exactly.
    const repeated = [HEADER, "A,Ann,DE,true", "B,Bo,FR,true", "A,Ann,DE,true"];
    const error = await refusal(load(db, await files.file("rep2.csv", repeated), "2026-11-02"));
    expect(reported(error)).toEqual([
      [2, "contact_key", "A", "duplicate contact key: also on line 4"],
      [4, "contact_key", "A", "duplicate contact key: also on line 2"],
    ]);
    expect(await snapshotOfTables(db)).toEqual(before);
  });

  it("reports every bad line of a refused file, unchanged ones included", async () => {
    const { db } = test();
    await load(
      db,
      await files.file("bad1.csv", [HEADER, "A,Ann,DE,true", "B,Bo,FR,true"]),
      "2026-11-01",
    );
    const before = await snapshotOfTables(db);
    const bad = [HEADER, "A,Ann,DE,true", "B,Bo,FR,maybe", "A,Ann,DE,true"];
    const error = await refusal(load(db, await files.file("bad2.csv", bad), "2026-11-02"));
    expect(reported(error)).toEqual([
      [2, "contact_key", "A", "duplicate contact key: also on line 4"],
      [3, "allow_push", "maybe", "not a boolean (use true/false, yes/no or 1/0)"],
      [4, "contact_key", "A", "duplicate contact key: also on line 2"],
    ]);
    expect(await snapshotOfTables(db)).toEqual(before);
  });

  it("compares every line again when the file's layout changes, and refreshes the fingerprints", async () => {
    const { db } = test();
    const day1 = [HEADER, "A,Ann,DE,true", "B,Bo,FR,true"];
    await load(db, await files.file("lay1.csv", day1), "2026-11-01");
    // Same customers, columns in another order: every line's bytes differ, no value does.
    const day2 = ["contact_key,country,first_name,allow_push", "A,DE,Ann,true", "B,FR,Bo,true"];
    expect(await load(db, await files.file("lay2.csv", day2), "2026-11-02")).toMatchObject({
      updated: 0,
      unchanged: 2,
      compared: 2,
    });
    await expectFingerprintsOf(db, day2);
    // The next file in the new layout is compared line by line again.
    const day3 = [day2[0] as string, "A,DE,Ann,true", "B,FR,Bo,false"];
    expect(await load(db, await files.file("lay3.csv", day3), "2026-11-03")).toMatchObject({
      updated: 1,
      unchanged: 1,
      compared: 1,
    });
    await expectFingerprintsOf(db, day3);
    // Another delimiter is another layout as well.
    const day4 = ["contact_key;country;first_name;allow_push", "A;DE;Ann;true", "B;FR;Bo;false"];
    const semicolons = await load(db, await files.file("lay4.csv", day4), "2026-11-04", {
      delimiter: ";",
    });
    expect(semicolons).toMatchObject({ updated: 0, unchanged: 2, compared: 2 });
  });

  it("sees a same-day correction of one line", async () => {
    const { db } = test();
    await load(
      db,
      await files.file("cor1.csv", [HEADER, "A,Ann,DE,true", "B,Bo,FR,true"]),
      "2026-11-01",
    );
    await load(
      db,
      await files.file("cor2.csv", [HEADER, "A,Ann,AT,true", "B,Bo,FR,true"]),
      "2026-11-02",
    );
    const fixed = [HEADER, "A,Ann,CH,true", "B,Bo,FR,true"];
    expect(await load(db, await files.file("cor3.csv", fixed), "2026-11-02")).toMatchObject({
      updated: 1,
      unchanged: 1,
      compared: 1,
    });
    expect(
      (await customerVersions(db.kysely, "A")).map((v) => [v.valid_from, v.valid_to, v.country]),
    ).toEqual([
      ["2026-11-01", "2026-11-02", "DE"],
      ["2026-11-02", null, "CH"],
    ]);
    await expectFingerprintsOf(db, fixed);
  });
});
