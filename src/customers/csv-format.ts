/**
 * The shape of import files: the delimiter option, the record length limit, how long values are
 * cut in messages, and the errors of a file that cannot be read as CSV at all.
 */
import { NightjarError } from "../errors.ts";

/** The file cannot be read as CSV at all (no header, bad delimiter option). Nothing was loaded. */
export class CsvFormatError extends NightjarError {
  override name = "CsvFormatError";
}

/**
 * A record runs on past the longest a line may be (a file of one huge line, or a quote that never
 * closes): reading on would hold all of it in memory, so the file is refused here.
 */
export class RecordTooLongError extends NightjarError {
  override name = "RecordTooLongError";
  constructor(
    /** The file line the record starts on. */
    readonly line: number,
    /** Its first characters. */
    readonly start: string,
    readonly limit: number,
  ) {
    super(
      `the record starting on line ${line} is longer than ${limit.toLocaleString("en-US")} bytes (imports.maxLineBytes); is the delimiter right, or does a quote never close?`,
    );
  }
}

/** The longest a record may be by default: 1 MiB. */
export const DEFAULT_MAX_RECORD_BYTES = 1024 * 1024;

/** Values quoted in problems are cut to this many characters. */
export const MAX_PROBLEM_VALUE = 200;

/** `text`, or its first MAX_PROBLEM_VALUE characters saying how long it was. */
export function cutValue(text: string): string {
  if (text.length <= MAX_PROBLEM_VALUE) return text;
  return `${text.slice(0, MAX_PROBLEM_VALUE)}… (cut: ${text.length.toLocaleString("en-US")} characters in all)`;
}

/** Column name used in a problem that concerns the whole line rather than one value. */
export const WHOLE_LINE = "(line)";

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
