import { sql } from "kysely";
import type { CustomerAttribute } from "../config/schema.ts";
import type { NightjarDb } from "../db/connect.ts";
import { syncAttributeColumns } from "./attributes.ts";
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
  applySnapshot,
  type PreviousImport,
  previousCustomerImport,
  RepeatedKeysFound,
  refuseOutOfOrder,
  type SnapshotResult,
  UnstagedRepeatCandidates,
} from "./snapshot-apply.ts";
import {
  dropStagingTable,
  refuseIfProblems,
  type StagedFile,
  stageCsvFile,
  stageUnclaimedFingerprints,
  type UniqueRule,
} from "./staging.ts";

export interface CustomerImportOptions {
  /** The snapshot file (CSV or gzip-compressed CSV). */
  path: string;
  /** The snapshot's date, YYYY-MM-DD: history intervals start and end on import dates. */
  date: string;
  /** Field delimiter (Default: ","). */
  delimiter?: string | undefined;
  /** Where to write every problem of a refused file, as CSV. */
  errorsFile?: string | undefined;
  /** The configured attributes. */
  attributes: readonly CustomerAttribute[];
  /** Time zone for timestamps written without an offset. */
  timeZone: string;
  onProgress?: ((progress: ImportProgress) => void) | undefined;
  /** Called as the import moves from loading to checking to applying. */
  onStep?: ((step: "loading" | "checking" | "applying") => void) | undefined;
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
 * Imports a full daily snapshot of the customers: streams it into a typed staging table with COPY,
 * checking every value on the way, leaving out the lines that are unchanged since the last import
 * (by their fingerprints), then applies it in one transaction (new, changed and removed customers,
 * with history) after checking for repeated contact keys, or refuses it whole.
 */
export function importCustomers(
  db: NightjarDb,
  options: CustomerImportOptions,
): Promise<CustomerImportResult> {
  return withErrorsFile(options.errorsFile, () => importCustomersUnreported(db, options));
}

const EMPTY_FILE_REASON =
  "the file has no data rows; a snapshot lists every customer, so an empty one (a truncated export?) is refused rather than marking everyone as removed";

async function importCustomersUnreported(
  db: NightjarDb,
  options: CustomerImportOptions,
): Promise<CustomerImportResult> {
  const started = new Date();
  await syncAttributeColumns(db.kysely, options.attributes);
  const previous = await previousCustomerImport(db.kysely);
  refuseOutOfOrder(options.path, options.date, previous);
  const configured = new Map(options.attributes.map((a) => [a.name, a]));
  options.onStep?.("loading");
  /** Stages the file; `compareWith` leaves out the lines that import already had. */
  const stage = (compareWith: PreviousImport | undefined) =>
    stageCsvFile(db, {
      path: options.path,
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
    const apply = () =>
      applySnapshot(db.kysely, {
        path: options.path,
        date: options.date,
        timeZone: options.timeZone,
        staged,
        fileAttributes,
        comparedWith: staged.previous ? previous : undefined,
        unclaimedTable,
        unique: UNIQUE_CONTACT_KEY,
        started,
      });
    let result: SnapshotResult;
    try {
      try {
        result = await apply();
      } catch (error) {
        // Repeated keys are looked for while the snapshot is applied; one may hide on a line left
        // out as unchanged (or two keys merely share a hash): decide on the whole file.
        if (!(error instanceof UnstagedRepeatCandidates)) throw error;
        await restageWhole();
        result = await apply();
      }
    } catch (error) {
      // A first load meets a repeated key as a primary-key violation.
      const uniqueViolation = (error as { code?: string }).code === "23505";
      if (!(error instanceof RepeatedKeysFound) && !uniqueViolation) throw error;
      // Rolled back; report every repeated key with its lines.
      await refuseIfProblems(db.kysely, staged, UNIQUE_CONTACT_KEY, options);
      throw error;
    }
    if (result.inserted === result.rows && result.importId !== null) {
      // After a first load, settle visibility and statistics now rather than during the next
      // import's full comparison (or the first targeting queries).
      await sql`vacuum (analyze) customers`.execute(db.kysely);
    }
    const compared = staged.records - staged.unchanged;
    return { ...result, compared, seconds: (Date.now() - started.getTime()) / 1000 };
  } finally {
    if (unclaimedTable) await dropStagingTable(db.kysely, unclaimedTable);
    await dropStagingTable(db.kysely, staged.table);
  }
}
