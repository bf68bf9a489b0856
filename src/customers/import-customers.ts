import { sql } from "kysely";
import type { App } from "../app.ts";
import { type Clock, stopwatch } from "../clock.ts";
import type { CustomerAttribute } from "../config/schema.ts";
import type { NightjarDb } from "../db/connect.ts";
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
import { loadFingerprints } from "./row-fingerprints.ts";
import {
  applySettings,
  applySnapshot,
  type PreviousImport,
  previousCustomerImport,
  refuseOutOfOrder,
  type SnapshotOutcome,
  type SnapshotResult,
} from "./snapshot-apply.ts";
import {
  dropStagingTable,
  refuseIfProblems,
  type StagedFile,
  stageCsvFile,
  stageUnclaimedFingerprints,
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
  onProgress?: ((progress: ImportProgress) => void) | undefined;
  /** Called as the import moves from loading to checking to applying. */
  onStep?: ((step: "loading" | "checking" | "applying") => void) | undefined;
}

export interface CustomerImportOptions extends CustomerImportRequest {
  date: string;
  /** The configured attributes. */
  attributes: readonly CustomerAttribute[];
  /** Time zone for timestamps written without an offset. */
  timeZone: string;
  clock: Clock;
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
  app: Pick<App, "db" | "config" | "clock">,
  request: CustomerImportRequest,
): Promise<CustomerImportResult> {
  const { timeZone } = app.config.schedule;
  return importCustomers(app.db, {
    ...request,
    date: request.date ?? todayIn(timeZone, app.clock),
    attributes: app.config.customers.attributes,
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

const EMPTY_FILE_REASON =
  "the file has no data rows; a snapshot lists every customer, so an empty one (a truncated export?) is refused rather than marking everyone as removed";

async function importCustomersUnreported(
  db: NightjarDb,
  options: CustomerImportOptions,
  owner: WorkTableOwner,
): Promise<CustomerImportResult> {
  const started = options.clock.now();
  const elapsed = stopwatch();
  await ensureAttributeColumns(db.kysely, options.attributes);
  const previous = await previousCustomerImport(db.kysely);
  refuseOutOfOrder(options.path, options.date, previous);
  const configured = new Map(options.attributes.map((a) => [a.name, a]));
  options.onStep?.("loading");
  /** Stages the file; `compareWith` leaves out the lines that import already had. */
  const stage = (compareWith: PreviousImport | undefined) =>
    stageCsvFile(db, {
      path: options.path,
      owner,
      delimiter: options.delimiter ?? ",",
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
          return attribute
            ? { column: name, type: attribute.type, required: attribute.required }
            : CONTACT_KEY_CHECK;
        }),
      checkHeader: (header) =>
        headerProblems(header, {
          required: [
            "contact_key",
            ...options.attributes.filter((a) => a.required).map((a) => a.name),
          ],
          allowed: ["contact_key", ...configured.keys()],
          allowedLabel: "contact_key or a configured customer attribute",
        }),
    });
  let staged: StagedFile = await stage(previous);
  let unclaimedTable: string | undefined;
  /** Reports name every bad line, so they need every line staged: stage the file again whole. */
  const restageWhole = async () => {
    if (unclaimedTable) await dropStagingTable(db.kysely, unclaimedTable);
    unclaimedTable = undefined;
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
    unclaimedTable = await stageUnclaimedFingerprints(db, staged);
    const apply = (): Promise<SnapshotOutcome> =>
      inTransaction(
        db.kysely,
        applySettings(options.timeZone),
        (trx) =>
          applySnapshot(trx, {
            path: options.path,
            date: options.date,
            timeZone: options.timeZone,
            staged,
            fileAttributes,
            comparedWith: staged.previous ? previous : undefined,
            unclaimedTable,
            unique: UNIQUE_CONTACT_KEY,
            started,
            finishedAt: () => options.clock.now(),
            elapsed,
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
    }
    const compared = staged.records - staged.unchanged;
    return { ...result, compared, seconds: elapsed() };
  } finally {
    if (unclaimedTable) await dropStagingTable(db.kysely, unclaimedTable);
    await dropStagingTable(db.kysely, staged.table);
  }
}
