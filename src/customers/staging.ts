import { sql } from "kysely";
import type { Db, NightjarDb } from "../db/connect.ts";
import type { WorkTableOwner } from "../db/work-tables.ts";
import { PG_TYPE } from "./column-types.ts";
import { cutValue, RecordTooLongError, WHOLE_LINE } from "./csv-format.ts";
import { CsvRecordReader, type RecordProblem } from "./csv-records.ts";
import type { FieldCheck } from "./field-checks.ts";
import {
  type ImportProblem,
  type ImportProgress,
  ImportRefusedError,
  PROBLEMS_SHOWN,
  writeErrorsFile,
} from "./import-report.ts";
import { type FingerprintSet, fingerprintBasis } from "./row-fingerprints.ts";
import { openSourceFile } from "./source-file.ts";

/** A file loaded into its own typed staging table: one row per record, with its line number. */
export interface StagedFile {
  table: string;
  /** The column names, lower case (as matched). */
  header: string[];
  /** The column names as written in the file. */
  writtenHeader: string[];
  records: number;
  /** Records the reader found problems in (the file will be refused when > 0). */
  rowsWithProblems: number;
  /**
   * Lines whose unique-column value may repeat another's (same hash), to be checked exactly in
   * SQL: the staged ones, and how many are not staged (unchanged lines). Computed on first call
   * (a sort of every key's hash), so an import can do it while the database works on something
   * else.
   */
  duplicateCandidates: () => { staged: number[]; skipped: number };
  sha256: string;
  /** With fingerprints: the file's layout (see row-fingerprints.ts); null without. */
  fingerprintBasis: string | null;
  /** Lines left out of staging because the previous import had them unchanged. */
  unchanged: number;
  /** The previous import's fingerprints, claimed by this file's unchanged lines. */
  previous: FingerprintSet | undefined;
}

export interface StageOptions {
  path: string;
  /** Names the staging table (its owner is this import). */
  owner: WorkTableOwner;
  delimiter: string;
  /**
   * Checks the header (lower case, as written, and the delimiter it was split on); any problem
   * refuses the file before anything is loaded.
   */
  checkHeader: (header: string[], written: string[], delimiter: string) => ImportProblem[];
  /** The check of each header column, in header order (called once the header passed). */
  fieldChecks: (header: string[]) => FieldCheck[];
  /** The column that must be unique in the file; kept on rows with problems. */
  uniqueColumn: string;
  /** Time zone for timestamps written without an offset. */
  timeZone: string;
  /** A longer line (or record) refuses the file (Default: 1 MiB). */
  maxLineBytes?: number | undefined;
  /**
   * Stage each line's fingerprint (column `row_fingerprint`); the previous import's fingerprints,
   * when returned for this file's layout (basis), leave its unchanged lines out of staging.
   */
  fingerprints?: ((basis: string) => Promise<FingerprintSet | undefined>) | undefined;
  onProgress?: ((progress: ImportProgress) => void) | undefined;
}

/**
 * Streams a CSV file into a new unlogged, typed staging table with COPY (the whole file is never
 * in memory). Every value is checked on the way; rows with problems carry them in `problem`.
 */
export async function stageCsvFile(db: NightjarDb, options: StageOptions): Promise<StagedFile> {
  const source = await openSourceFile(options.path);
  const reader = new CsvRecordReader(source.chunks, options.delimiter, {
    maxRecordBytes: options.maxLineBytes,
  });
  const writtenHeader = await readHeaderOrRefuse(reader, options.path, source);
  // Column names match case-insensitively: attribute names are lower snake case.
  const header = writtenHeader.map((name) => name.toLowerCase());
  const headerProblems = options.checkHeader(header, writtenHeader, options.delimiter);
  if (headerProblems.length > 0) {
    await source.chunks.return?.();
    throw new ImportRefusedError(options.path, headerProblems, headerProblems.length);
  }
  const checks = options.fieldChecks(header);
  reader.setChecks(checks, header.indexOf(options.uniqueColumn));
  let basis: string | null = null;
  let previous: FingerprintSet | undefined;
  if (options.fingerprints) {
    basis = fingerprintBasis({
      header,
      checks,
      delimiter: options.delimiter,
      timeZone: options.timeZone,
    });
    previous = await options.fingerprints(basis);
    reader.setFingerprints(previous);
  }
  const table = options.owner.name("import_staging_");
  const createTable = sql`create unlogged table ${sql.id(table)} (
    line_no integer not null,
    ${basis !== null ? sql`row_fingerprint uuid,` : sql``}
    problem jsonb,
    ${sql.join(
      checks.map((check) => sql`${sql.id(check.column)} ${sql.raw(PG_TYPE[check.type])}`),
      sql`, `,
    )}
  )`.compile(db.kysely).sql;
  const columnList = [
    "line_no",
    ...(basis !== null ? ["row_fingerprint"] : []),
    "problem",
    ...header,
  ]
    .map((c) => `"${c}"`)
    .join(", ");
  const delimiter = `'${options.delimiter.replaceAll("'", "''")}'`;
  async function* withProgress(): AsyncGenerator<Buffer> {
    for await (const chunk of reader.chunks()) {
      options.onProgress?.({
        bytesRead: source.bytesRead(),
        totalBytes: source.size,
        records: reader.stats.records,
      });
      yield chunk;
    }
  }
  try {
    await db.copyIn({
      createTable,
      // FREEZE where the table is new in the same transaction: no visibility work on later reads.
      copy: (from, freeze) =>
        `copy "${table}" (${columnList}) from ${from} with (format csv, delimiter ${delimiter}, encoding 'UTF8'${freeze ? ", freeze" : ""})`,
      chunks: withProgress(),
      timeZone: options.timeZone,
    });
  } catch (cause) {
    await dropStagingTable(db.kysely, table);
    throw copyFailure(options.path, cause);
  }
  return {
    table,
    header,
    writtenHeader,
    records: reader.stats.records,
    rowsWithProblems: reader.stats.rowsWithProblems,
    duplicateCandidates: memoize(() => reader.duplicateCandidateLines()),
    sha256: source.sha256(),
    fingerprintBasis: basis,
    unchanged: reader.stats.unchanged,
    previous,
  };
}

function memoize<T>(compute: () => T): () => T {
  let value: { result: T } | undefined;
  return () => {
    value ??= { result: compute() };
    return value.result;
  };
}

/** A record past the length limit, as a refusal of the file. */
function tooLong(path: string, error: RecordTooLongError): ImportRefusedError {
  return new ImportRefusedError(
    path,
    [{ line: error.line, column: WHOLE_LINE, value: cutValue(error.start), reason: error.message }],
    1,
    { cause: error },
  );
}

/** Reads the header; a file that cannot have one (empty, too long, not CSV) is refused. */
async function readHeaderOrRefuse(
  reader: CsvRecordReader,
  path: string,
  source: { chunks: AsyncIterator<Buffer> },
): Promise<string[]> {
  try {
    return await reader.readHeader();
  } catch (error) {
    await source.chunks.return?.();
    if (error instanceof RecordTooLongError) throw tooLong(path, error);
    throw error;
  }
}

function copyFailure(path: string, cause: unknown): Error {
  if (cause instanceof RecordTooLongError) return tooLong(path, cause);
  if (!(cause instanceof Error) || cause.name === "SourceFileError") return cause as Error;
  const where = (cause as { where?: string }).where;
  const reason = `the database could not read this file as CSV: ${cause.message}${where ? ` (${where})` : ""}`;
  return new ImportRefusedError(path, [{ line: 0, column: WHOLE_LINE, value: null, reason }], 1, {
    cause,
  });
}

/** Drops a staging table (no error if it is already gone). */
export async function dropStagingTable(db: Db, table: string): Promise<void> {
  await sql`drop table if exists ${sql.id(table)}`.execute(db);
}

/** What must be unique in a staged file, and how to name it in messages. */
export interface UniqueRule {
  column: string;
  /** e.g. "contact key" */
  label: string;
}

/**
 * Rows with a problem from the reader, or whose unique column repeats another row's (with the
 * lines of all its repeats).
 */
function problemRows(table: string, unique: UniqueRule | undefined) {
  const t = sql.id(table);
  if (!unique) {
    return sql`select s.line_no, s.problem, null::integer[] as duplicate_lines, null::text as key
      from ${t} s where s.problem is not null`;
  }
  const key = sql.ref(`s.${unique.column}`);
  return sql`
    with duplicate_lines as (
      select ${key} as key, array_agg(s.line_no order by s.line_no) as lines
      from ${t} s
      where ${key} in (
        select ${key} from ${t} s where ${key} is not null and ${key} <> ''
        group by 1 having count(*) > 1)
      group by 1
    )
    select s.line_no, s.problem, dl.lines as duplicate_lines, ${key}::text as key
    from ${t} s left join duplicate_lines dl on dl.key = ${key}
    where s.problem is not null or dl.lines is not null`;
}

interface ProblemRow {
  line_no: number;
  problem: RecordProblem[] | null;
  duplicate_lines: number[] | null;
  key: string | null;
}

function rowProblems(row: ProblemRow, unique: UniqueRule | undefined): ImportProblem[] {
  const line = row.line_no;
  const problems: ImportProblem[] = (row.problem ?? []).map((p) => ({ line, ...p }));
  if (row.duplicate_lines && unique) {
    const others = row.duplicate_lines.filter((other) => other !== line);
    const shown = others.slice(0, 10).join(", ");
    const more = others.length > 10 ? ` and ${others.length - 10} more` : "";
    problems.push({
      line,
      column: unique.column,
      value: row.key === null ? null : cutValue(row.key),
      reason: `duplicate ${unique.label}: also on line${others.length > 1 ? "s" : ""} ${shown}${more}`,
    });
  }
  return problems;
}

/** Problems of the lines after `afterLine`, at most `maxLines` lines, in file order. */
export async function findProblems(
  db: Db,
  table: string,
  unique: UniqueRule | undefined,
  afterLine = 0,
  maxLines = PROBLEMS_SHOWN,
): Promise<{ problems: ImportProblem[]; lastLine: number | undefined }> {
  const result = await sql<ProblemRow>`
    select * from (${problemRows(table, unique)}) p
    where line_no > ${afterLine} order by line_no limit ${maxLines}`.execute(db);
  const problems = result.rows.flatMap((row) => rowProblems(row, unique));
  return { problems, lastLine: result.rows.at(-1)?.line_no };
}

/** The number of problems in the whole staged file. */
export async function countProblems(
  db: Db,
  table: string,
  unique: UniqueRule | undefined,
): Promise<number> {
  const result = await sql<{ total: number | null }>`
    select sum(coalesce(jsonb_array_length(problem), 0) + (duplicate_lines is not null)::int)::bigint as total
    from (${problemRows(table, unique)}) p`.execute(db);
  return Number(result.rows[0]?.total ?? 0);
}

/** Does any value of the unique column repeat? Compares only the reader's candidate lines. */
export async function hasDuplicates(
  db: Db,
  staged: StagedFile,
  unique: UniqueRule | undefined,
): Promise<boolean> {
  const candidates = staged.duplicateCandidates().staged;
  if (!unique || candidates.length === 0) return false;
  const key = sql.ref(unique.column);
  const result = await sql`select 1 from ${sql.id(staged.table)}
    where line_no = any(${candidates}::integer[])
    group by ${key} having count(*) > 1 limit 1`.execute(db);
  return result.rows.length > 0;
}

/**
 * Refuses the staged file when any row has a problem: throws ImportRefusedError with the first
 * problems and their total, after writing all of them to `errorsFile` when one is asked for.
 */
export async function refuseIfProblems(
  db: Db,
  staged: StagedFile,
  unique: UniqueRule | undefined,
  options: { path: string; errorsFile?: string | undefined },
): Promise<void> {
  if (staged.rowsWithProblems === 0 && !(await hasDuplicates(db, staged, unique))) return;
  const first = await findProblems(db, staged.table, unique);
  if (first.problems.length === 0) return;
  const total = await countProblems(db, staged.table, unique);
  if (options.errorsFile) {
    await writeErrorsFile(options.errorsFile, (after) =>
      findProblems(db, staged.table, unique, after, 5000),
    );
  }
  throw new ImportRefusedError(options.path, first.problems.slice(0, PROBLEMS_SHOWN), total, {
    errorsFile: options.errorsFile,
  });
}
