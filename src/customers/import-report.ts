import { once } from "node:events";
import { constants, createWriteStream } from "node:fs";
import { access, stat } from "node:fs/promises";
import path from "node:path";
import { NightjarError } from "../errors.ts";

/** The errors file cannot be written where it was asked for. */
export class ErrorsFileError extends NightjarError {
  override name = "ErrorsFileError";
}

/**
 * Checks, before anything is read, that `errorsFile` can be written: its folder exists and is
 * writable, and it is not a folder itself.
 */
export async function checkErrorsFile(errorsFile: string | undefined): Promise<void> {
  if (errorsFile === undefined) return;
  const folder = path.dirname(path.resolve(errorsFile));
  const where = await stat(folder).catch(() => null);
  if (!where?.isDirectory())
    throw new ErrorsFileError(
      `--errors-file ${errorsFile}: the folder ${folder} does not exist; create it or choose another path`,
    );
  if ((await stat(errorsFile).catch(() => null))?.isDirectory())
    throw new ErrorsFileError(`--errors-file ${errorsFile} is a folder; give a file name`);
  await access(folder, constants.W_OK).catch((cause) => {
    throw new ErrorsFileError(
      `--errors-file ${errorsFile}: the folder ${folder} is not writable (${(cause as NodeJS.ErrnoException).code})`,
      { cause },
    );
  });
}

/** One refused value or line of an import file. Line 1 is the header. */
export interface ImportProblem {
  line: number;
  column: string;
  value: string | null;
  reason: string;
}

/** Progress of the streaming load, for progress bars. */
export interface ImportProgress {
  bytesRead: number;
  totalBytes: number;
  records: number;
}

/** What an import did; the shape of `--json` output. */
export interface ImportSummary {
  rows: number;
  inserted: number;
  updated: number;
  unchanged: number;
  removed: number;
  seconds: number;
}

/** How many problems an import error lists in its message and output. */
export const PROBLEMS_SHOWN = 100;

/** The file was refused whole: nothing was changed. Carries the first problems and their total. */
export class ImportRefusedError extends NightjarError {
  override name = "ImportRefusedError";
  constructor(
    readonly file: string,
    /** The first problems, in file order (at most PROBLEMS_SHOWN). */
    readonly problems: ImportProblem[],
    readonly totalProblems: number,
    options?: ErrorOptions & { errorsFile?: string | undefined },
  ) {
    super(describeRefusal(file, problems, totalProblems, options?.errorsFile), options);
    this.errorsFile = options?.errorsFile;
  }
  readonly errorsFile: string | undefined;
}

/** `line 3, column signup_date, value "2024-02-30": not a valid date (YYYY-MM-DD)` */
export function formatProblem(problem: ImportProblem): string {
  const where = problem.line > 0 ? `line ${problem.line}` : "file";
  const value = problem.value === null ? "" : `, value ${JSON.stringify(problem.value)}`;
  const column = problem.column ? `, column ${problem.column}` : "";
  return `${where}${column}${value}: ${problem.reason}`;
}

function describeRefusal(
  file: string,
  problems: ImportProblem[],
  total: number,
  errorsFile: string | undefined,
): string {
  const shown = problems.slice(0, PROBLEMS_SHOWN).map((p) => `  ${formatProblem(p)}`);
  const rest = total > shown.length ? [`  … and ${total - shown.length} more`] : [];
  const where = errorsFile ? [`all problems are listed in ${errorsFile}`] : [];
  return [
    `${file} was refused (${total} problem${total === 1 ? "" : "s"}); nothing was imported:`,
    ...shown,
    ...rest,
    ...where,
  ].join("\n");
}

function csvField(value: string | number | null): string {
  if (value === null) return "";
  const text = String(value);
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** Writes problems as CSV (`line,column,value,reason`), page by page from `nextPage`. */
export async function writeErrorsFile(
  file: string,
  nextPage: (
    afterLine: number,
  ) => Promise<{ problems: ImportProblem[]; lastLine: number | undefined }>,
): Promise<void> {
  const out = createWriteStream(file);
  // `once` rejects on the stream's "error" event, so a failed write cannot leave the wait open.
  const opened = once(out, "open");
  await opened;
  const write = async (text: string) => {
    if (!out.write(text)) await once(out, "drain");
  };
  try {
    await write("line,column,value,reason\n");
    let after = 0;
    for (;;) {
      const page = await nextPage(after);
      for (const p of page.problems) {
        await write(`${[p.line, p.column, p.value, p.reason].map(csvField).join(",")}\n`);
      }
      if (page.lastLine === undefined) break;
      after = page.lastLine;
    }
  } finally {
    out.end();
    await once(out, "close");
  }
}

/**
 * Runs an import; when it is refused for reasons found before the row checks (header, empty
 * file, date order), still writes those problems to `errorsFile` so the file is always there.
 */
export async function withErrorsFile<T>(
  errorsFile: string | undefined,
  run: () => Promise<T>,
): Promise<T> {
  await checkErrorsFile(errorsFile);
  try {
    return await run();
  } catch (error) {
    if (!errorsFile || !(error instanceof ImportRefusedError) || error.errorsFile) throw error;
    await writeErrorsFile(errorsFile, async () => ({
      problems: error.problems,
      lastLine: undefined,
    }));
    throw new ImportRefusedError(error.file, error.problems, error.totalProblems, {
      cause: error.cause,
      errorsFile,
    });
  }
}
