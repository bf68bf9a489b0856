import { isUtf8 } from "node:buffer";
import { parse as parseCsv } from "csv-parse/sync";
import { BYTE } from "./bytes.ts";
import { ChunkWriter } from "./chunk-writer.ts";
import {
  CsvFormatError,
  cutValue,
  DEFAULT_MAX_RECORD_BYTES,
  MAX_PROBLEM_VALUE,
  RecordTooLongError,
  WHOLE_LINE,
} from "./csv-format.ts";
import { checkField, type FieldCheck, fieldText } from "./field-checks.ts";
import { KeyHashes } from "./key-hashes.ts";
import { type FingerprintSet, murmur3x86x128 } from "./row-fingerprints.ts";

const { QUOTE, LF, CR, NUL, SPACE, TAB } = BYTE;
const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);
/** Records are handed to COPY in chunks of about this size (PGlite copies each from memory). */
const OUTPUT_CHUNK_BYTES = 4 * 1024 * 1024;

/** Counts of what went through the reader. */
export interface CsvReadStats {
  /** Data records (not the header, not blank lines). */
  records: number;
  /** Records with at least one problem (wrong field count, bad encoding, a refused value). */
  rowsWithProblems: number;
  /** Records left out of the output because the previous import had the very same line. */
  unchanged: number;
}

/** One refused value (or whole line) of a record, as written into the staging row's `problem`. */
export interface RecordProblem {
  column: string;
  value: string | null;
  reason: string;
}

/**
 * Reads a CSV byte stream for COPY: finds record and field boundaries (quotes may hold delimiters
 * and line breaks), numbers every record by the file line it starts on (the header is line 1),
 * checks every value against its column's type, and writes each record as
 * `line_no<d>problem<d>field…`. PostgreSQL's CSV parser and typed staging columns then do the
 * conversion. A record with problems (wrong number of fields, invalid UTF-8, a bad value) is passed
 * on with its problems as JSON and empty fields (but its key, for the duplicate check), so that every
 * bad line is reported, in file order, from the staging table.
 *
 * This is the hot loop of every import: it allocates nothing per record on the good path.
 */
export class CsvRecordReader {
  readonly stats: CsvReadStats = { records: 0, rowsWithProblems: 0, unchanged: 0 };
  private header: string[] | undefined;
  private line = 1;
  private carry: Buffer = Buffer.alloc(0);
  private first = true;
  private readonly delimiterByte: number;
  private checks: (FieldCheck | undefined)[] = [];
  private keepOnProblem = -1;
  /** Positions of the delimiters of the current record (grown as needed). */
  private delimiters = new Int32Array(64);
  // Result of the last scanRecord() call.
  private contentEnd = 0;
  private nextStart = 0;
  private lineBreaks = 0;
  private fields = 0;
  /** Records before this offset of `carry` are known to be valid UTF-8 without NUL bytes. */
  private cleanUntil = 0;
  /** Hashes of the unique column's values and the lines they are on, for the duplicate check. */
  private readonly keys = new KeyHashes();
  /** Whether each record's output carries its line's fingerprint (after `problem`). */
  private fingerprints = false;
  /** The previous import's lines: a record matching one of them is left out of the output. */
  private previous: FingerprintSet | undefined;
  private readonly fingerprint = new Uint32Array(4);

  private readonly maxRecordBytes: number;

  constructor(
    private readonly source: AsyncIterator<Buffer>,
    private readonly delimiter: string,
    options: { maxRecordBytes?: number | undefined } = {},
  ) {
    this.delimiterByte = Buffer.from(delimiter)[0] ?? 0x2c;
    this.maxRecordBytes = options.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES;
  }

  /** Refuses a record that has grown past the limit without ending. */
  private checkRecordLength(): void {
    if (this.carry.length <= this.maxRecordBytes) return;
    const start = this.carry.toString("utf8", 0, MAX_PROBLEM_VALUE * 4).slice(0, MAX_PROBLEM_VALUE);
    throw new RecordTooLongError(this.line, start, this.maxRecordBytes);
  }

  /** Reads up to the end of the header record and returns its column names. */
  async readHeader(): Promise<string[]> {
    for (;;) {
      if (this.scanRecord(this.carry, 0)) {
        const text = this.carry.toString("utf8", 0, this.contentEnd);
        this.carry = this.carry.subarray(this.nextStart);
        this.line += this.lineBreaks;
        this.header = this.parseHeader(text);
        return this.header;
      }
      this.checkRecordLength();
      const next = await this.source.next();
      if (next.done) {
        if (this.carry.length === 0) throw new CsvFormatError("the file is empty (no header row)");
        const text = this.carry.toString("utf8");
        this.carry = Buffer.alloc(0);
        this.header = this.parseHeader(text);
        return this.header;
      }
      this.append(next.value);
    }
  }

  /**
   * Sets the check of every header column, in header order; `keepOnProblem` is the index of the
   * column whose value is kept on rows with problems (the key checked for duplicates in SQL).
   */
  setChecks(checks: (FieldCheck | undefined)[], keepOnProblem: number): void {
    if (checks.length !== (this.header?.length ?? -1)) {
      throw new Error("setChecks() needs one check per header column");
    }
    this.checks = checks;
    this.keepOnProblem = keepOnProblem;
  }

  /**
   * Writes each record's line fingerprint (as a uuid, after `problem`; empty on records with
   * problems) and, with `previous`, leaves out the records whose line the previous import had.
   */
  setFingerprints(previous: FingerprintSet | undefined): void {
    this.fingerprints = true;
    this.previous = previous;
  }

  /**
   * Lines that may hold a repeated value of the unique column: every line whose value's hash
   * occurs more than once. Exact comparison is left to SQL, on these few lines only.
   */
  duplicateCandidateLines(): { staged: number[]; skipped: number } {
    return this.keys.candidateLines();
  }

  /** Yields COPY-ready chunks of staged records until the source ends. */
  async *chunks(): AsyncGenerator<Buffer> {
    if (!this.header) throw new Error("readHeader() must be called before chunks()");
    let out = new ChunkWriter(OUTPUT_CHUNK_BYTES);
    for (;;) {
      const buffer = this.carry;
      // One native check for all whole lines of this buffer; per record only if it fails.
      const lastLineEnd = buffer.lastIndexOf(LF) + 1;
      this.cleanUntil =
        lastLineEnd > 0 && buffer.indexOf(NUL) === -1 && isUtf8(buffer.subarray(0, lastLineEnd))
          ? lastLineEnd
          : 0;
      let position = 0;
      while (this.scanRecord(buffer, position)) {
        this.emit(out, buffer, position, this.contentEnd, this.fields);
        this.line += this.lineBreaks;
        position = this.nextStart;
        if (out.length >= OUTPUT_CHUNK_BYTES) {
          yield out.take();
          out = new ChunkWriter(OUTPUT_CHUNK_BYTES);
        }
      }
      this.carry = buffer.subarray(position);
      this.checkRecordLength();
      const next = await this.source.next();
      if (next.done) break;
      this.append(next.value);
    }
    const rest = this.carry;
    if (rest.length > 0) {
      // The last record has no line break after it (or its quote never closed).
      this.cleanUntil = 0;
      let end = rest.length;
      while (end > 0 && (rest[end - 1] === LF || rest[end - 1] === CR)) end--;
      if (this.countFields(rest)) {
        const reason = `unterminated quoted field (a quote opened in the record starting on line ${this.line} is never closed)`;
        this.emitLineProblem(out, reason, rest, 0, end);
      } else {
        this.emit(out, rest, 0, end, this.fields);
      }
      this.carry = Buffer.alloc(0);
    }
    if (out.length > 0) yield out.take();
  }

  private append(chunk: Buffer): void {
    let data = chunk;
    if (this.first) {
      this.first = false;
      if (data.subarray(0, 3).equals(UTF8_BOM)) data = data.subarray(3);
    }
    this.carry = this.carry.length === 0 ? data : Buffer.concat([this.carry, data]);
  }

  private parseHeader(text: string): string[] {
    const line = text.replace(/\r$/, "");
    if (line.trim() === "") throw new CsvFormatError("line 1: the header row is empty");
    let fields: string[][];
    try {
      fields = parseCsv(line, { delimiter: this.delimiter, relax_quotes: false });
    } catch (cause) {
      const message = `line 1: the header row is not valid CSV: ${(cause as Error).message}`;
      throw new CsvFormatError(message, { cause });
    }
    return (fields[0] ?? []).map((name) => name.trim());
  }

  private growDelimiters(): void {
    const bigger = new Int32Array(this.delimiters.length * 2);
    bigger.set(this.delimiters);
    this.delimiters = bigger;
  }

  /**
   * Scans the record starting at `start`, noting its delimiters, where its content ends, where the
   * next record starts and how many line breaks it spans. False when the buffer ends mid-record.
   */
  private scanRecord(buffer: Buffer, start: number): boolean {
    let inQuotes = false;
    let lineBreaks = 0;
    let fields = 1;
    const delimiter = this.delimiterByte;
    const length = buffer.length;
    for (let i = start; i < length; i++) {
      const byte = buffer[i];
      if (byte === QUOTE) inQuotes = !inQuotes;
      else if (byte === LF) {
        if (!inQuotes) {
          this.contentEnd = i > start && buffer[i - 1] === CR ? i - 1 : i;
          this.nextStart = i + 1;
          this.lineBreaks = lineBreaks + 1;
          this.fields = fields;
          return true;
        }
        lineBreaks++;
      } else if (byte === delimiter && !inQuotes) {
        if (fields > this.delimiters.length) this.growDelimiters();
        this.delimiters[fields - 1] = i;
        fields++;
      }
    }
    return false;
  }

  /** Notes the delimiters of a final record without a line break; true if a quote is left open. */
  private countFields(buffer: Buffer): boolean {
    let inQuotes = false;
    let fields = 1;
    for (let i = 0; i < buffer.length; i++) {
      const byte = buffer[i];
      if (byte === QUOTE) inQuotes = !inQuotes;
      else if (byte === this.delimiterByte && !inQuotes) {
        if (fields > this.delimiters.length) this.growDelimiters();
        this.delimiters[fields - 1] = i;
        fields++;
      }
    }
    this.fields = fields;
    return inQuotes;
  }

  private fieldStart(i: number, recordStart: number): number {
    return i === 0 ? recordStart : (this.delimiters[i - 1] as number) + 1;
  }

  private fieldEnd(i: number, recordEnd: number, count: number): number {
    return i === count - 1 ? recordEnd : (this.delimiters[i] as number);
  }

  private emit(out: ChunkWriter, buffer: Buffer, start: number, end: number, fields: number): void {
    if (end === start) return; // a blank line is not a record
    if (end - start > this.maxRecordBytes) {
      const head = buffer.toString("utf8", start, start + MAX_PROBLEM_VALUE * 4);
      throw new RecordTooLongError(
        this.line,
        head.slice(0, MAX_PROBLEM_VALUE),
        this.maxRecordBytes,
      );
    }
    const expected = this.header?.length ?? 0;
    if (fields !== expected) {
      const reason = `has ${fields} fields, the header has ${expected}`;
      this.emitLineProblem(out, reason, buffer, start, end);
      return;
    }
    if (end > this.cleanUntil) {
      const record = buffer.subarray(start, end);
      if (record.includes(NUL)) {
        this.emitLineProblem(out, "contains a NUL byte", buffer, start, end);
        return;
      }
      if (!isUtf8(record)) {
        this.emitLineProblem(out, "is not valid UTF-8", buffer, start, end);
        return;
      }
    }
    let problems: RecordProblem[] | undefined;
    let blanks: boolean[] | undefined;
    for (let i = 0; i < expected; i++) {
      const check = this.checks[i];
      if (check === undefined) continue;
      const s = this.fieldStart(i, start);
      const e = this.fieldEnd(i, end, expected);
      if (check.type === "text" && !check.required) {
        // Any text will do; only a blank one ("", spaces) needs writing as NULL.
        const first = buffer[s];
        if (e === s || (first !== SPACE && first !== TAB && first !== QUOTE)) continue;
      }
      const verdict = checkField(buffer, s, e, check);
      if (verdict === "ok") continue;
      if (verdict === "blank") {
        // Spaces or "" must reach a typed column as NULL, not as text it cannot read.
        if (e > s) {
          blanks ??= new Array<boolean>(expected).fill(false);
          blanks[i] = true;
        }
        continue;
      }
      const value = problemValue(buffer, s, e);
      problems ??= [];
      problems.push({ column: check.column, value: value === "" ? null : value, reason: verdict });
    }
    this.stats.records++;
    let unchanged = false;
    if (this.fingerprints && !problems) {
      murmur3x86x128(buffer, start, end, 0, this.fingerprint);
      unchanged = this.previous?.claim(this.fingerprint) ?? false;
    }
    const key = this.keepOnProblem;
    if (key >= 0)
      this.keys.add(
        buffer,
        this.fieldStart(key, start),
        this.fieldEnd(key, end, expected),
        this.line,
        unchanged,
      );
    if (unchanged) {
      this.stats.unchanged++;
      return;
    }
    const d = this.delimiterByte;
    out.writeNumber(this.line);
    out.writeByte(d);
    if (this.fingerprints) {
      if (!problems) for (const word of this.fingerprint) out.writeHex32(word);
      out.writeByte(d);
    }
    if (problems) {
      this.stats.rowsWithProblems++;
      out.writeText(csvQuote(JSON.stringify(problems)));
      for (let i = 0; i < expected; i++) {
        out.writeByte(d);
        if (i === this.keepOnProblem) {
          out.writeRange(buffer, this.fieldStart(i, start), this.fieldEnd(i, end, expected));
        }
      }
    } else if (blanks) {
      for (let i = 0; i < expected; i++) {
        out.writeByte(d);
        if (!blanks[i])
          out.writeRange(buffer, this.fieldStart(i, start), this.fieldEnd(i, end, expected));
      }
    } else {
      out.writeByte(d);
      out.writeRange(buffer, start, end);
    }
    out.writeByte(LF);
  }

  private emitLineProblem(
    out: ChunkWriter,
    reason: string,
    buffer: Buffer,
    start: number,
    end: number,
  ): void {
    this.stats.records++;
    this.stats.rowsWithProblems++;
    const head = buffer
      .toString("utf8", start, Math.min(end, start + MAX_PROBLEM_VALUE * 4))
      .replaceAll("\0", "\\0");
    const raw =
      end - start > MAX_PROBLEM_VALUE
        ? `${head.slice(0, MAX_PROBLEM_VALUE)}… (cut: ${(end - start).toLocaleString("en-US")} bytes in all)`
        : head;
    const problems: RecordProblem[] = [{ column: WHOLE_LINE, value: raw, reason }];
    out.writeNumber(this.line);
    out.writeByte(this.delimiterByte);
    if (this.fingerprints) out.writeByte(this.delimiterByte);
    out.writeText(csvQuote(JSON.stringify(problems)));
    for (let i = 0; i < (this.header?.length ?? 1); i++) out.writeByte(this.delimiterByte);
    out.writeByte(LF);
  }
}

/** A refused field's value for a problem: its text, cut when long (a field may be a megabyte). */
function problemValue(buffer: Buffer, start: number, end: number): string {
  const reads = MAX_PROBLEM_VALUE * 4;
  if (end - start <= reads) return cutValue(fieldText(buffer, start, end));
  const head = buffer.toString("utf8", start, start + reads).replace(/^"/, "");
  return `${head.slice(0, MAX_PROBLEM_VALUE)}… (cut: ${(end - start).toLocaleString("en-US")} bytes in all)`;
}

function csvQuote(text: string): string {
  return `"${text.replaceAll('"', '""')}"`;
}
