import { isUtf8 } from "node:buffer";
import { parse as parseCsv } from "csv-parse/sync";
import { NightjarError } from "../errors.ts";

/** The file cannot be read as CSV at all (no header, bad delimiter option). Nothing was loaded. */
export class CsvFormatError extends NightjarError {
  override name = "CsvFormatError";
}

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;
const NUL = 0x00;
const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);
/** Records are handed to COPY in chunks of about this size (PGlite copies each from memory). */
const OUTPUT_CHUNK_BYTES = 4 * 1024 * 1024;
const MAX_PROBLEM_VALUE = 200;

/** `--delimiter` as typed on a command line: one character, or `\t` / `tab`. */
export function parseDelimiter(option: string | undefined): string {
  const value = option === undefined ? "," : option === "\\t" || option === "tab" ? "\t" : option;
  if (Buffer.byteLength(value) !== 1 || value === '"' || value === "\n" || value === "\r") {
    throw new CsvFormatError(
      `--delimiter must be a single one-byte character other than a quote or line break, got ${JSON.stringify(option)}`,
    );
  }
  return value;
}

/** Counts of what went through the reader. */
export interface CsvReadStats {
  /** Data records (not the header, not blank lines). */
  records: number;
  /** Records refused by the reader itself (wrong field count, bad encoding). */
  structuralProblems: number;
}

/**
 * Reads a CSV byte stream for COPY: finds record boundaries (quotes may hold delimiters and line
 * breaks), numbers every record by the file line it starts on (the header is line 1), and writes each
 * record as `line_no<d>problem<d>field…` so that the staging table knows where every row came from.
 * PostgreSQL's own CSV parser does the field parsing; a record it could not take (wrong number of
 * fields, invalid UTF-8, NUL bytes) is passed on as a row carrying only its problem, so that every
 * bad line is reported together with the type errors found in SQL.
 */
export class CsvRecordReader {
  readonly stats: CsvReadStats = { records: 0, structuralProblems: 0 };
  #header: string[] | undefined;
  #line = 1;
  #carry: Buffer = Buffer.alloc(0);
  #first = true;
  readonly #delimiterByte: number;
  readonly #prefixDelimiter: string;

  constructor(
    private readonly source: AsyncIterator<Buffer>,
    private readonly delimiter: string,
  ) {
    this.#delimiterByte = Buffer.from(delimiter)[0] ?? 0x2c;
    this.#prefixDelimiter = delimiter;
  }

  /** Reads up to the end of the header record and returns its column names. */
  async readHeader(): Promise<string[]> {
    for (;;) {
      const end = this.#recordEnd(this.#carry, 0);
      if (end) {
        const text = this.#carry.subarray(0, end.contentEnd).toString("utf8");
        this.#carry = this.#carry.subarray(end.next);
        this.#line += end.lineBreaks;
        this.#header = this.#parseHeader(text);
        return this.#header;
      }
      const next = await this.source.next();
      if (next.done) {
        if (this.#carry.length === 0) throw new CsvFormatError("the file is empty (no header row)");
        const text = this.#carry.toString("utf8");
        this.#carry = Buffer.alloc(0);
        this.#header = this.#parseHeader(text);
        return this.#header;
      }
      this.#append(next.value);
    }
  }

  #append(chunk: Buffer): void {
    let data = chunk;
    if (this.#first) {
      this.#first = false;
      if (data.subarray(0, 3).equals(UTF8_BOM)) data = data.subarray(3);
    }
    this.#carry = this.#carry.length === 0 ? data : Buffer.concat([this.#carry, data]);
  }

  #parseHeader(text: string): string[] {
    const line = text.replace(/\r$/, "");
    if (line.trim() === "") throw new CsvFormatError("line 1: the header row is empty");
    let fields: string[][];
    try {
      fields = parseCsv(line, { delimiter: this.delimiter, relax_quotes: false });
    } catch (cause) {
      throw new CsvFormatError(
        `line 1: the header row is not valid CSV: ${(cause as Error).message}`,
        {
          cause,
        },
      );
    }
    return (fields[0] ?? []).map((name) => name.trim());
  }

  /**
   * Finds the end of the record starting at `start`: the index after its content, the index of
   * the next record, and the line breaks it spans. Undefined when the buffer ends mid-record.
   */
  #recordEnd(
    buffer: Buffer,
    start: number,
  ): { contentEnd: number; next: number; lineBreaks: number; fields: number } | undefined {
    let inQuotes = false;
    let lineBreaks = 0;
    let fields = 1;
    const delimiter = this.#delimiterByte;
    for (let i = start; i < buffer.length; i++) {
      const byte = buffer[i];
      if (byte === QUOTE) inQuotes = !inQuotes;
      else if (byte === LF) {
        if (!inQuotes) {
          const contentEnd = i > start && buffer[i - 1] === CR ? i - 1 : i;
          return { contentEnd, next: i + 1, lineBreaks: lineBreaks + 1, fields };
        }
        lineBreaks++;
      } else if (byte === delimiter && !inQuotes) fields++;
    }
    return undefined;
  }

  /** Yields COPY-ready chunks of staged records until the source ends. */
  async *chunks(): AsyncGenerator<Buffer> {
    if (!this.#header) throw new Error("readHeader() must be called before chunks()");
    let out = new ChunkWriter(OUTPUT_CHUNK_BYTES);
    for (;;) {
      let position = 0;
      for (;;) {
        const end = this.#recordEnd(this.#carry, position);
        if (!end) break;
        this.#emit(out, this.#carry, position, end.contentEnd, end.fields);
        this.#line += end.lineBreaks;
        position = end.next;
        if (out.length >= OUTPUT_CHUNK_BYTES) {
          yield out.take();
          out = new ChunkWriter(OUTPUT_CHUNK_BYTES);
        }
      }
      this.#carry = this.#carry.subarray(position);
      const next = await this.source.next();
      if (next.done) break;
      this.#append(next.value);
    }
    if (this.#carry.length > 0) {
      // The last record has no line break after it.
      const fields = this.#countFields(this.#carry);
      if (fields.unterminatedQuote) {
        this.#emitProblem(
          out,
          `unterminated quoted field (the quote opened on line ${this.#line} is never closed)`,
          this.#carry,
        );
      } else {
        const contentEnd =
          this.#carry[this.#carry.length - 1] === CR ? this.#carry.length - 1 : this.#carry.length;
        this.#emit(out, this.#carry, 0, contentEnd, fields.count);
      }
      this.#carry = Buffer.alloc(0);
    }
    if (out.length > 0) yield out.take();
  }

  #countFields(buffer: Buffer): { count: number; unterminatedQuote: boolean } {
    let inQuotes = false;
    let count = 1;
    for (const byte of buffer) {
      if (byte === QUOTE) inQuotes = !inQuotes;
      else if (byte === this.#delimiterByte && !inQuotes) count++;
    }
    return { count, unterminatedQuote: inQuotes };
  }

  #emit(out: ChunkWriter, buffer: Buffer, start: number, end: number, fields: number): void {
    if (end === start) return; // a blank line is not a record
    const record = buffer.subarray(start, end);
    const expected = this.#header?.length ?? 0;
    if (fields !== expected) {
      this.#emitProblem(out, `has ${fields} fields, the header has ${expected}`, record);
    } else if (record.includes(NUL)) {
      this.#emitProblem(out, "contains a NUL byte", record);
    } else if (!isUtf8(record)) {
      this.#emitProblem(out, "is not valid UTF-8", record);
    } else {
      this.stats.records++;
      out.write(`${this.#line}${this.#prefixDelimiter}${this.#prefixDelimiter}`);
      out.writeBytes(record);
      out.write("\n");
    }
  }

  #emitProblem(out: ChunkWriter, problem: string, record: Buffer): void {
    this.stats.records++;
    this.stats.structuralProblems++;
    const raw = record.toString("utf8").replaceAll("\0", "\\0").slice(0, MAX_PROBLEM_VALUE);
    const d = this.#prefixDelimiter;
    const rest = d.repeat(Math.max(0, (this.#header?.length ?? 1) - 1));
    out.write(`${this.#line}${d}${csvQuote(problem)}${d}${csvQuote(raw)}${rest}\n`);
  }
}

function csvQuote(text: string): string {
  return `"${text.replaceAll('"', '""')}"`;
}

/** A growable byte buffer for one output chunk. */
class ChunkWriter {
  #buffer: Buffer;
  length = 0;

  constructor(capacity: number) {
    this.#buffer = Buffer.allocUnsafe(capacity + 64 * 1024);
  }

  #ensure(extra: number): void {
    if (this.length + extra <= this.#buffer.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.#buffer.length * 2, this.length + extra));
    this.#buffer.copy(bigger, 0, 0, this.length);
    this.#buffer = bigger;
  }

  write(text: string): void {
    this.#ensure(text.length * 3);
    this.length += this.#buffer.write(text, this.length);
  }

  writeBytes(bytes: Buffer): void {
    this.#ensure(bytes.length);
    bytes.copy(this.#buffer, this.length);
    this.length += bytes.length;
  }

  take(): Buffer {
    return this.#buffer.subarray(0, this.length);
  }
}
