import { sql } from "kysely";
import type { App } from "../app.ts";
import { type Clock, stopwatch } from "../clock.ts";
import type { NightjarDb } from "../db/connect.ts";
import type { LockWait } from "../db/locks.ts";
import { inTransaction } from "../db/transaction.ts";
import { type WorkTableOwner, withWorkTables } from "../db/work-tables.ts";
import type { FieldCheck } from "./field-checks.ts";
import { headerProblems } from "./header.ts";
import { CONTACT_KEY_CHECK } from "./import-customers.ts";
import { finishImportLog, startImportLog } from "./import-log.ts";
import {
  type ImportProgress,
  ImportRefusedError,
  type ImportSummary,
  withErrorsFile,
} from "./import-report.ts";
import { dropStagingTable, refuseIfProblems, stageCsvFile } from "./staging.ts";

/** What the operator asks of a transactions import. */
export interface TransactionImportRequest {
  path: string;
  delimiter?: string | undefined;
  errorsFile?: string | undefined;
  onProgress?: ((progress: ImportProgress) => void) | undefined;
  onStep?: ((step: "loading" | "checking" | "applying") => void) | undefined;
}

export interface TransactionImportOptions extends TransactionImportRequest {
  /** Time zone for timestamps written without an offset. */
  timeZone: string;
  clock: Clock;
  /** A longer line refuses the file (Default: 1 MiB). */
  maxLineBytes?: number | undefined;
  /** How to wait for another import's lock (Default: as long as it takes). */
  lockWait?: LockWait | undefined;
}

export interface TransactionImportResult extends ImportSummary {
  importId: number;
  /** Rows whose contact key is not (yet) a known customer; kept, but worth a warning. */
  unknownContacts: number;
}

const COLUMN_CHECKS: Record<string, FieldCheck> = {
  contact_key: CONTACT_KEY_CHECK,
  occurred_at: { column: "occurred_at", type: "timestamp", required: true },
  amount: { column: "amount", type: "numeric", required: true },
  transaction_id: { column: "transaction_id", type: "text", required: false },
};

/** Use case: appends a transactions file, timestamps without offset read in the schedule's zone. */
export function importTransactionsFile(
  app: Pick<App, "db" | "config" | "clock" | "lockWait">,
  request: TransactionImportRequest,
): Promise<TransactionImportResult> {
  return importTransactions(app.db, {
    ...request,
    timeZone: app.config.schedule.timeZone,
    maxLineBytes: app.config.imports.maxLineBytes,
    lockWait: app.lockWait,
    clock: app.clock,
  });
}

/**
 * Appends a transactions file (`contact_key,occurred_at,amount[,transaction_id]`). Rows whose
 * transaction_id was imported before are skipped (counted as unchanged), so files with ids can be
 * re-imported safely; a file without ids that was imported before is refused, since importing it
 * again would count every purchase twice.
 */
export function importTransactions(
  db: NightjarDb,
  options: TransactionImportOptions,
): Promise<TransactionImportResult> {
  return withErrorsFile(options.errorsFile, () =>
    withWorkTables(db, (owner) => importTransactionsUnreported(db, options, owner)),
  );
}

async function importTransactionsUnreported(
  db: NightjarDb,
  options: TransactionImportOptions,
  owner: WorkTableOwner,
): Promise<TransactionImportResult> {
  const started = options.clock.now();
  const elapsed = stopwatch();
  options.onStep?.("loading");
  const staged = await stageCsvFile(db, {
    path: options.path,
    owner,
    delimiter: options.delimiter ?? ",",
    maxLineBytes: options.maxLineBytes,
    onProgress: options.onProgress,
    timeZone: options.timeZone,
    uniqueColumn: "transaction_id",
    fieldChecks: (header) => header.map((name) => COLUMN_CHECKS[name] as FieldCheck),
    checkHeader: (header, written, delimiter) =>
      headerProblems(
        header,
        {
          required: ["contact_key", "occurred_at", "amount"],
          allowed: ["contact_key", "occurred_at", "amount", "transaction_id"],
          allowedLabel: "a transaction column",
        },
        { written, delimiter },
      ),
  });
  try {
    const hasIds = staged.header.includes("transaction_id");
    options.onStep?.("checking");
    const unique = hasIds ? { column: "transaction_id", label: "transaction id" } : undefined;
    await refuseIfProblems(db.kysely, staged, unique, options);
    if (staged.records === 0) {
      throw new ImportRefusedError(
        options.path,
        [{ line: 0, column: "", value: null, reason: "the file has no data rows" }],
        1,
      );
    }
    options.onStep?.("applying");
    const settings = { locks: ["customerTables"], wait: options.lockWait } as const;
    return await inTransaction(db.kysely, settings, async (trx) => {
      if (!hasIds) {
        const earlier = await trx
          .selectFrom("imports")
          .select(["id", "finished_at"])
          .where("kind", "=", "transactions")
          .where("file_sha256", "=", staged.sha256)
          .executeTakeFirst();
        if (earlier) {
          throw new ImportRefusedError(
            options.path,
            [
              {
                line: 0,
                column: "",
                value: null,
                reason: `this file was already imported (import #${earlier.id}, ${earlier.finished_at.toISOString()}); its rows have no transaction_id, so importing it again would count every purchase twice`,
              },
            ],
            1,
          );
        }
      }
      const importId = await startImportLog(trx, {
        kind: "transactions",
        date: null,
        file: options.path,
        staged,
        started,
      });
      const transactionId = hasIds ? sql`s.transaction_id` : sql`null::text`;
      const result = await sql`
        insert into transactions (contact_key, transaction_id, occurred_at, amount, import_id)
        select s.contact_key, ${transactionId}, s.occurred_at, s.amount, ${importId}
        from ${sql.id(staged.table)} s
        order by s.line_no
        on conflict (contact_key, transaction_id) where transaction_id is not null do nothing`.execute(
        trx,
      );
      const inserted = Number(result.numAffectedRows ?? 0);
      const unknown = await sql<{ n: number }>`
        select count(*) as n from ${sql.id(staged.table)} s
        where not exists (select 1 from customers c where c.contact_key = s.contact_key)`.execute(
        trx,
      );
      const unchanged = staged.records - inserted;
      await finishImportLog(trx, importId, { inserted, unchanged }, options.clock.now());
      return {
        importId,
        rows: staged.records,
        inserted,
        updated: 0,
        unchanged,
        removed: 0,
        seconds: elapsed(),
        unknownContacts: Number(unknown.rows[0]?.n ?? 0),
      };
    });
  } finally {
    await dropStagingTable(db.kysely, staged.table);
  }
}
