import { describe, expect, it } from "vitest";
import { CsvFormatError, parseDelimiter } from "./csv-format.ts";
import { CsvRecordReader } from "./csv-records.ts";

/** Feeds `text` to a reader in chunks of `size` bytes and returns the staged rows. */
async function stage(text: string | Buffer, size = 1 << 20, delimiter = ",") {
  const bytes = typeof text === "string" ? Buffer.from(text) : text;
  async function* chunks() {
    for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
  }
  const reader = new CsvRecordReader(chunks(), delimiter);
  const header = await reader.readHeader();
  reader.setChecks(
    header.map((column) => ({
      column,
      type: column === "n" ? "integer" : "text",
      required: column === "key",
    })),
    header.indexOf("key"),
  );
  const out: Buffer[] = [];
  for await (const chunk of reader.chunks()) out.push(chunk);
  const staged = Buffer.concat(out).toString("utf8");
  return {
    header,
    staged,
    rows: staged.split("\n").slice(0, -1),
    stats: reader.stats,
    candidates: reader.duplicateCandidateLines(),
  };
}

describe("CSV record reader", () => {
  it("numbers records by the line they start on, across quoted line breaks, CRLF and blank lines", async () => {
    const text = 'key,note\r\nA,"one\r\ntwo"\r\n\r\nB,plain\r\n"C","x,""y"""\r\n';
    for (const size of [1, 3, 1 << 20]) {
      const { header, staged, stats } = await stage(text, size);
      expect(header).toEqual(["key", "note"]);
      expect(staged).toBe('2,,A,"one\r\ntwo"\n5,,B,plain\n6,,"C","x,""y"""\n');
      expect(stats).toEqual({ records: 3, rowsWithProblems: 0, unchanged: 0 });
    }
  });

  it("strips a UTF-8 BOM, takes a last record without a line break, and another delimiter", async () => {
    const { header, rows } = await stage("\uFEFFkey;n\nA;1\nB;2", 2, ";");
    expect(header).toEqual(["key", "n"]);
    expect(rows).toEqual(["2;;A;1", "3;;B;2"]);
  });

  it("passes bad records on with their problems, keeping only the key", async () => {
    const text = Buffer.concat([
      Buffer.from("key,n\nA,1,extra\nB,x\n,1\n"),
      Buffer.from([0x43, 0x2c, 0xff, 0x0a]), // C,<invalid UTF-8>
      Buffer.from("D,  \n"),
    ]);
    const { rows, stats } = await stage(text);
    expect(rows).toEqual([
      `2,"[{""column"":""(line)"",""value"":""A,1,extra"",""reason"":""has 3 fields, the header has 2""}]",,`,
      `3,"[{""column"":""n"",""value"":""x"",""reason"":""not an integer""}]",B,`,
      `4,"[{""column"":""key"",""value"":null,""reason"":""required value is missing""}]",,`,
      `5,"[{""column"":""(line)"",""value"":""C,\uFFFD"",""reason"":""is not valid UTF-8""}]",,`,
      // A blank typed value reaches COPY empty, i.e. as NULL.
      "6,,D,",
    ]);
    expect(stats).toEqual({ records: 5, rowsWithProblems: 4, unchanged: 0 });
  });

  it("finds the lines that may repeat a key, whatever the quoting", async () => {
    const { candidates } = await stage('key\nA\nB\n"A"\nC\n "A"\nB\n');
    // ` "A"` keeps its leading space in PostgreSQL, so it is another key.
    expect(candidates.staged.sort((a, b) => a - b)).toEqual([2, 3, 4, 7]);
    expect(candidates.skipped).toBe(0);
  });

  it("refuses an empty file and a bad delimiter option", async () => {
    await expect(stage("")).rejects.toThrow(
      new CsvFormatError("the file is empty (no header row)"),
    );
    expect(() => parseDelimiter("ab")).toThrow(CsvFormatError);
    expect(parseDelimiter("tab")).toBe("\t");
    expect(parseDelimiter(undefined)).toBe(",");
  });
});
