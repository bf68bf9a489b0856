import { randomBytes } from "node:crypto";
import { type RawBuilder, sql } from "kysely";
import type { Db, NightjarDb } from "../db/connect.ts";
import { CsvRecordReader } from "./csv-records.ts";
import {
  type ImportProblem,
  type ImportProgress,
  ImportRefusedError,
  PROBLEMS_SHOWN,
  writeErrorsFile,
} from "./import-report.ts";
import { openSourceFile } from "./source-file.ts";

const STAGING_PREFIX = "import_staging_";
/** Staging tables older than this are left over from a crashed import and may be dropped. */
const STALE_STAGING_MS = 24 * 60 * 60 * 1000;
const MAX_VALUE_LENGTH = 200;
/** Column name used in a problem that concerns the whole line rather than one value. */
export const WHOLE_LINE = "(line)";

/** A file loaded, as text, into its own staging table: one row per record, with its line number. */
export interface StagedFile {
  table: string;
  header: string[];
  records: number;
  sha256: string;
}

export interface StageOptions {
  path: string;
  delimiter: string;
  /** Checks the header; any problem refuses the file before anything is loaded. */
  checkHeader: (header: string[]) => ImportProblem[];
  onProgress?: ((progress: ImportProgress) => void) | undefined;
}

function sqlStringLiteral(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/** Streams a CSV file into a new unlogged staging table with COPY (the whole file never in memory). */
export async function stageCsvFile(db: NightjarDb, options: StageOptions): Promise<StagedFile> {
  await dropStaleStagingTables(db.kysely);
  const source = await openSourceFile(options.path);
  const reader = new CsvRecordReader(source.chunks, options.delimiter);
  // Column names match case-insensitively: attribute names are lower snake case.
  const header = (await reader.readHeader()).map((name) => name.toLowerCase());
  const headerProblems = options.checkHeader(header);
  if (headerProblems.length > 0) {
    await source.chunks.return?.();
    throw new ImportRefusedError(options.path, headerProblems, headerProblems.length);
  }
  const table = `${STAGING_PREFIX}${Date.now()}_${randomBytes(4).toString("hex")}`;
  const columns = ["line_no", "problem", ...header];
  await sql`create unlogged table ${sql.id(table)} (
    line_no integer not null,
    problem text,
    ${sql.join(
      header.map((name) => sql`${sql.id(name)} text`),
      sql`, `,
    )}
  )`.execute(db.kysely);
  const columnList = columns.map((c) => `"${c}"`).join(", ");
  const copySql = (from: string) =>
    `copy "${table}" (${columnList}) from ${from} with (format csv, delimiter ${sqlStringLiteral(options.delimiter)}, encoding 'UTF8')`;
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
    await db.copyIn(copySql, withProgress());
  } catch (cause) {
    await dropStagingTable(db.kysely, table);
    throw copyFailure(options.path, cause);
  }
  return { table, header, records: reader.stats.records, sha256: source.sha256() };
}

function copyFailure(path: string, cause: unknown): Error {
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

async function dropStaleStagingTables(db: Db): Promise<void> {
  const result = await sql<{ name: string }>`
    select tablename as name from pg_tables
    where schemaname = current_schema() and tablename like ${`${STAGING_PREFIX}%`}`.execute(db);
  const cutoff = Date.now() - STALE_STAGING_MS;
  for (const { name } of result.rows) {
    const createdAt = Number(name.slice(STAGING_PREFIX.length).split("_")[0]);
    if (Number.isFinite(createdAt) && createdAt < cutoff) await dropStagingTable(db, name);
  }
}

/** A per-value check: SQL giving the refusal reason for `column` of a staging row, or null. */
export interface ValueCheck {
  column: string;
  reason: RawBuilder<string | null>;
}

export interface ProblemQuery {
  table: string;
  checks: ValueCheck[];
  /** A column whose non-empty values must be unique in the file (e.g. contact_key). */
  uniqueColumn: string;
  /** How the unique column is named in messages ("contact key"). */
  uniqueLabel: string;
  /** No uniqueness to check (e.g. a transactions file without ids). */
  skipUnique?: boolean;
}

function checkedRows(query: ProblemQuery): RawBuilder<unknown> {
  const t = sql.id(query.table);
  const unique = sql.ref(`s.${query.uniqueColumn}`);
  return sql`
    with duplicated as (
      select ${unique} as key from ${t} s
      where s.problem is null and btrim(${unique}) <> '' and ${!query.skipUnique}
      group by 1 having count(*) > 1
    ),
    duplicate_lines as (
      select ${unique} as key, array_agg(s.line_no order by s.line_no) as lines
      from ${t} s join duplicated d on d.key = ${unique}
      where s.problem is null
      group by 1
    )
    select s.*, dl.lines as duplicate_lines,
      ${sql.join(
        query.checks.map(
          (check, i) =>
            sql`case when s.problem is null then ${check.reason} end as ${sql.id(`reason_${i}`)}`,
        ),
        sql`, `,
      )}
    from ${t} s left join duplicate_lines dl on s.problem is null and dl.key = ${unique}`;
}

function anyProblem(query: ProblemQuery): RawBuilder<boolean> {
  return sql`(problem is not null or duplicate_lines is not null or ${sql.join(
    query.checks.map((_, i) => sql`${sql.id(`reason_${i}`)} is not null`),
    sql` or `,
  )})`;
}

type CheckedRow = Record<string, unknown> & {
  line_no: number;
  problem: string | null;
  duplicate_lines: number[] | null;
};

function truncate(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  const text = String(value);
  return text.length > MAX_VALUE_LENGTH ? `${text.slice(0, MAX_VALUE_LENGTH)}…` : text;
}

function rowProblems(row: CheckedRow, query: ProblemQuery, firstColumn: string): ImportProblem[] {
  const line = row.line_no;
  if (row.problem !== null) {
    return [{ line, column: WHOLE_LINE, value: truncate(row[firstColumn]), reason: row.problem }];
  }
  const problems: ImportProblem[] = [];
  query.checks.forEach((check, i) => {
    const reason = row[`reason_${i}`];
    if (typeof reason === "string") {
      problems.push({ line, column: check.column, value: truncate(row[check.column]), reason });
    }
  });
  if (row.duplicate_lines) {
    const others = row.duplicate_lines.filter((other) => other !== line);
    const shown = others.slice(0, 10).join(", ");
    const more = others.length > 10 ? ` and ${others.length - 10} more` : "";
    problems.push({
      line,
      column: query.uniqueColumn,
      value: truncate(row[query.uniqueColumn]),
      reason: `duplicate ${query.uniqueLabel}: also on line${others.length > 1 ? "s" : ""} ${shown}${more}`,
    });
  }
  return problems;
}

/** Problems of the lines after `afterLine`, at most `maxLines` lines, in file order. */
export async function findProblems(
  db: Db,
  query: ProblemQuery,
  firstColumn: string,
  afterLine = 0,
  maxLines = 100,
): Promise<{ problems: ImportProblem[]; lastLine: number | undefined }> {
  const result = await sql<CheckedRow>`
    select * from (${checkedRows(query)}) checked
    where line_no > ${afterLine} and ${anyProblem(query)}
    order by line_no limit ${maxLines}`.execute(db);
  const problems = result.rows.flatMap((row) => rowProblems(row, query, firstColumn));
  return { problems, lastLine: result.rows.at(-1)?.line_no };
}

/** The number of problems in the whole staged file. */
export async function countProblems(db: Db, query: ProblemQuery): Promise<number> {
  const perRow = sql.join(
    [
      sql`(problem is not null)::int`,
      sql`(duplicate_lines is not null)::int`,
      ...query.checks.map((_, i) => sql`(${sql.id(`reason_${i}`)} is not null)::int`),
    ],
    sql` + `,
  );
  const result = await sql<{ total: number | null }>`
    select sum(${perRow})::bigint as total from (${checkedRows(query)}) checked
    where ${anyProblem(query)}`.execute(db);
  return Number(result.rows[0]?.total ?? 0);
}

/**
 * Refuses the staged file when any row has a problem: throws ImportRefusedError with the first
 * problems and their total, after writing all of them to `errorsFile` when one is asked for.
 */
export async function refuseIfProblems(
  db: Db,
  query: ProblemQuery,
  staged: StagedFile,
  options: { path: string; errorsFile?: string | undefined },
): Promise<void> {
  // A line the reader refused carries its raw text in the first column of the file.
  const firstColumn = staged.header[0] ?? query.uniqueColumn;
  const first = await findProblems(db, query, firstColumn, 0, PROBLEMS_SHOWN);
  if (first.problems.length === 0) return;
  const total = await countProblems(db, query);
  if (options.errorsFile) {
    await writeErrorsFile(options.errorsFile, (after) =>
      findProblems(db, query, firstColumn, after, 5000),
    );
  }
  throw new ImportRefusedError(options.path, first.problems.slice(0, PROBLEMS_SHOWN), total, {
    errorsFile: options.errorsFile,
  });
}
