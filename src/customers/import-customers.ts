import { sql } from "kysely";
import type { App } from "../app.ts";
import { type Clock, stopwatch } from "../clock.ts";
import type { CustomerAttribute } from "../config/schema.ts";
import type { NightjarDb } from "../db/connect.ts";
import type { LockWait } from "../db/locks.ts";
import { inTransaction } from "../db/transaction.ts";
import { type WorkTableOwner, withWorkTables } from "../db/work-tables.ts";
import { todayIn } from "../time/zones.ts";
import { ensureAttributeColumns } from "./attributes.ts";
import type { FieldCheck } from "./field-checks.ts";
import { headerProblems } from "./header.ts";
import {
  type ImportProgress,
  ImportRefusedError,
  type ImportSummary,
  withErrorsFile,
} from "./import-report.ts";
import { type FingerprintSet, loadFingerprints } from "./row-fingerprints.ts";
import {
  type ApplyStepListener,
  applySettings,
  applySnapshot,
  type PreviousImport,
  previousCustomerImport,
  refuseOutOfOrder,
  type SnapshotOutcome,
  type SnapshotResult,
  type TooManyRemovals,
} from "./snapshot-apply.ts";
import type { UnclaimedFingerprints } from "./snapshot-diff.ts";
import {
  dropStagingTable,
  refuseIfProblems,
  type StagedFile,
  stageCsvFile,
  type UniqueRule,
} from "./staging.ts";

/** What the operator asks of a snapshot import. */
export interface CustomerImportRequest {
  /** The snapshot file (CSV or gzip-compressed CSV). */
  path: string;
  /**
   * The snapshot's date, YYYY-MM-DD: history intervals start and end on import dates (Default:
   * today in the schedule's time zone).
   */
  date?: string | undefined;
  /** Field delimiter (Default: ","). */
  delimiter?: string | undefined;
  /** Where to write every problem of a refused file, as CSV. */
  errorsFile?: string | undefined;
  /** Accept a snapshot that removes more customers than `customers.maxRemovedPercent`. */
  allowRemovals?: boolean | undefined;
  /** Columns of the file Nightjar does not keep, besides `customers.ignoreColumns`. */
  ignoreColumns?: readonly string[] | undefined;
  onProgress?: ((progress: ImportProgress) => void) | undefined;
  /** Called as the import moves from loading to checking to applying. */
  onStep?: ((step: "loading" | "checking" | "applying") => void) | undefined;
  /** Called at each sub-step of applying the snapshot, with its rows. */
  onApplyStep?: ApplyStepListener | undefined;
}

export interface CustomerImportOptions extends CustomerImportRequest {
  date: string;
  /** The configured attributes. */
  attributes: readonly CustomerAttribute[];
  /** Time zone for timestamps written without an offset. */
  timeZone: string;
  clock: Clock;
  /** The removal guard's share, in % of the present customers (Default: 10). */
  maxRemovedPercent?: number | undefined;
  /** A longer line refuses the file (Default: 1 MiB). */
  maxLineBytes?: number | undefined;
  /** How to wait for another import's lock (Default: as long as it takes). */
  lockWait?: LockWait | undefined;
}

export interface CustomerImportResult extends ImportSummary {
  date: string;
  /** The id in the import log; null when the same file was already imported for this date. */
  importId: number | null;
  /**
   * Lines the database compared with the customers; the others were byte for byte the lines
   * of the last import (same file layout), so they were left out of staging.
   */
  compared: number;
  /** Columns of the file that were ignored, as written in its header. */
  ignoredColumns: string[];
}

/** Shared with the transaction import: every row names a customer. */
export const CONTACT_KEY_CHECK: FieldCheck = {
  column: "contact_key",
  type: "text",
  required: true,
  missingReason: "contact key is empty",
};

const UNIQUE_CONTACT_KEY: UniqueRule = { column: "contact_key", label: "contact key" };

/**
 * Use case: imports a full daily snapshot of the customers with the configured attributes, dated
 * today in the schedule's time zone unless the request gives a date (see `importCustomers`).
 */
export function importCustomerSnapshot(
  app: Pick<App, "db" | "config" | "clock" | "lockWait">,
  request: CustomerImportRequest,
): Promise<CustomerImportResult> {
  const { timeZone } = app.config.schedule;
  const { customers, imports } = app.config;
  return importCustomers(app.db, {
    ...request,
    date: request.date ?? todayIn(timeZone, app.clock),
    attributes: customers.attributes,
    ignoreColumns: [...customers.ignoreColumns, ...(request.ignoreColumns ?? [])],
    maxRemovedPercent: customers.maxRemovedPercent,
    maxLineBytes: imports.maxLineBytes,
    lockWait: app.lockWait,
    timeZone,
    clock: app.clock,
  });
}

/**
 * Imports a full daily snapshot of the customers: streams it into a typed staging table with COPY,
 * checking every value on the way, leaving out the lines that are unchanged since the last import
 * (by their fingerprints), then applies it in one transaction (new, changed and removed customers,
 * with history) after checking for repeated contact keys, or refuses it whole.
 */
export function importCustomers(
  db: NightjarDb,
  options: CustomerImportOptions,
): Promise<CustomerImportResult> {
  return withErrorsFile(options.errorsFile, () =>
    withWorkTables(db, (owner) => importCustomersUnreported(db, options, owner)),
  );
}

/** What the previous import's fingerprints left unclaimed by the file. */
function unclaimedOf(previous: FingerprintSet): UnclaimedFingerprints {
  return { count: previous.size - previous.claimed, fingerprints: () => previous.unclaimed() };
}

/** Ignoring a column Nightjar needs would import nonsense: refused before reading a line. */
function refuseBadIgnoredColumns(
  file: string,
  ignored: ReadonlySet<string>,
  configured: ReadonlyMap<string, CustomerAttribute>,
): void {
  const problems = [...ignored]
    .filter((name) => name === "contact_key" || configured.has(name))
    .map((name) => ({
      line: 0,
      column: name,
      value: name,
      reason:
        name === "contact_key"
          ? "contact_key cannot be ignored: every customer row needs it"
          : `${name} is a configured customer attribute; it cannot be ignored (remove it from customers.attributes instead)`,
    }));
  if (problems.length > 0) throw new ImportRefusedError(file, problems, problems.length);
}

/** The refusal of a snapshot that would remove too many customers. */
function tooManyRemovals(
  file: string,
  outcome: TooManyRemovals,
  options: CustomerImportOptions,
): ImportRefusedError {
  const share = outcome.present > 0 ? (outcome.removed / outcome.present) * 100 : 100;
  const reason = `this snapshot would mark ${outcome.removed.toLocaleString("en-US")} of the ${outcome.present.toLocaleString("en-US")} present customers (${share.toFixed(1)}%) as removed, more than customers.maxRemovedPercent (${options.maxRemovedPercent ?? 10}%) allows; is the export truncated? If the removals are real, import it again with --allow-removals`;
  return new ImportRefusedError(file, [{ line: 0, column: "", value: null, reason }], 1);
}

const EMPTY_FILE_REASON =
  "the file has no data rows; a snapshot lists every customer, so an empty one (a truncated export?) is refused rather than marking everyone as removed";

async function importCustomersUnreported(
  db: NightjarDb,
  options: CustomerImportOptions,
  owner: WorkTableOwner,
): Promise<CustomerImportResult> {
  const started = options.clock.now();
  const elapsed = stopwatch();
  await ensureAttributeColumns(db.kysely, options.attributes, options.lockWait);
  const previous = await previousCustomerImport(db.kysely);
  refuseOutOfOrder(options.path, options.date, previous);
  const configured = new Map(options.attributes.map((a) => [a.name, a]));
  const ignored = new Set((options.ignoreColumns ?? []).map((name) => name.toLowerCase()));
  refuseBadIgnoredColumns(options.path, ignored, configured);
  options.onStep?.("loading");
  /** Stages the file; `compareWith` leaves out the lines that import already had. */
  const stage = (compareWith: PreviousImport | undefined) =>
    stageCsvFile(db, {
      path: options.path,
      owner,
      delimiter: options.delimiter ?? ",",
      maxLineBytes: options.maxLineBytes,
      onProgress: options.onProgress,
      timeZone: options.timeZone,
      uniqueColumn: "contact_key",
      fingerprints: async (basis) =>
        compareWith && compareWith.fingerprintBasis === basis
          ? loadFingerprints(db, compareWith.rows)
          : undefined,
      fieldChecks: (header) =>
        header.map((name) => {
          const attribute = configured.get(name);
          if (attribute)
            return { column: name, type: attribute.type, required: attribute.required };
          // Staged as text, never applied: checking it would only refuse files for nothing.
          if (ignored.has(name)) return { column: name, type: "text", required: false };
          return CONTACT_KEY_CHECK;
        }),
      checkHeader: (header, written, delimiter) =>
        headerProblems(
          header,
          {
            required: [
              "contact_key",
              ...options.attributes.filter((a) => a.required).map((a) => a.name),
            ],
            allowed: ["contact_key", ...configured.keys(), ...ignored],
            allowedLabel:
              "contact_key or a configured customer attribute (columns Nightjar does not keep can be ignored with --ignore-columns or customers.ignoreColumns)",
          },
          { written, delimiter },
        ),
    });
  let staged: StagedFile = await stage(previous);
  /** Reports name every bad line, so they need every line staged: stage the file again whole. */
  const restageWhole = async () => {
    await dropStagingTable(db.kysely, staged.table);
    staged = await stage(undefined);
  };
  try {
    const fileAttributes = staged.header
      .filter((name) => name !== "contact_key")
      .map((name) => configured.get(name))
      .filter((a): a is CustomerAttribute => a !== undefined);
    options.onStep?.("checking");
    if (staged.rowsWithProblems > 0) {
      if (staged.unchanged > 0) await restageWhole();
      await refuseIfProblems(db.kysely, staged, UNIQUE_CONTACT_KEY, options);
    }
    if (staged.records === 0) {
      throw new ImportRefusedError(
        options.path,
        [{ line: 0, column: "", value: null, reason: EMPTY_FILE_REASON }],
        1,
      );
    }
    options.onStep?.("applying");
    const apply = (): Promise<SnapshotOutcome> =>
      inTransaction(
        db.kysely,
        applySettings(options.timeZone, options.lockWait),
        (trx) =>
          applySnapshot(trx, {
            path: options.path,
            date: options.date,
            timeZone: options.timeZone,
            staged,
            fileAttributes,
            comparedWith: staged.previous ? previous : undefined,
            unclaimed: staged.previous && unclaimedOf(staged.previous),
            unique: UNIQUE_CONTACT_KEY,
            started,
            finishedAt: () => options.clock.now(),
            elapsed,
            removals: {
              maxPercent: options.maxRemovedPercent ?? 10,
              allowed: options.allowRemovals ?? false,
            },
            onStep: options.onApplyStep,
          }),
        { commitIf: (outcome) => outcome.kind === "applied" },
      ).catch((error: unknown) => {
        // A first load meets a repeated key as a primary-key violation.
        if ((error as { code?: string }).code === "23505")
          return { kind: "repeated_keys" } as const;
        throw error;
      });
    let outcome = await apply();
    if (outcome.kind === "unstaged_repeat_candidates") {
      // Repeated keys are looked for while the snapshot is applied; one may hide on a line left
      // out as unchanged (or two keys merely share a hash): decide on the whole file.
      await restageWhole();
      outcome = await apply();
    }
    if (outcome.kind === "too_many_removals") throw tooManyRemovals(options.path, outcome, options);
    if (outcome.kind !== "applied") {
      // Rolled back; report every repeated key with its lines.
      await refuseIfProblems(db.kysely, staged, UNIQUE_CONTACT_KEY, options);
      throw new Error(`the file repeats a contact key, yet no repeat was found (${outcome.kind})`);
    }
    const { kind: _applied, ...result }: SnapshotResult & { kind: "applied" } = outcome;
    if (result.inserted === result.rows && result.importId !== null) {
      // After a first load, settle visibility and statistics now rather than during the next
      // import's full comparison (or the first targeting queries).
      await sql`vacuum (analyze) customers`.execute(db.kysely);
    } else if (db.engine === "pglite" && result.updated + result.removed > 0) {
      // PGlite has no autovacuum: the versions a day's changes leave behind are reclaimed here.
      await sql`vacuum (analyze) customers, customer_history`.execute(db.kysely);
    }
    const compared = staged.records - staged.unchanged;
    const ignoredColumns = staged.header
      .map((name, index) => ({ name, written: staged.writtenHeader[index] ?? name }))
      .filter(({ name }) => ignored.has(name))
      .map(({ written }) => written);
    return { ...result, compared, ignoredColumns, seconds: elapsed() };
  } finally {
    await dropStagingTable(db.kysely, staged.table);
  }
}
