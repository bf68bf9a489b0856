import { sql } from "kysely";
import type { CustomerAttribute } from "../config/schema.ts";
import type { Db } from "../db/connect.ts";
import type { LockWait } from "../db/locks.ts";
import { recordedAttributes } from "./attributes.ts";
import { finishImportLog, startImportLog } from "./import-log.ts";
import { ImportRefusedError, type ImportSummary } from "./import-report.ts";
import {
  type ApplyStepListener,
  applySnapshotChanges,
  ConcurrentImportError,
  columnList,
  type RemovalGuard,
  type TooManyRemovals,
  type UnclaimedFingerprints,
} from "./snapshot-diff.ts";

export {
  type ApplyStep,
  type ApplyStepListener,
  ConcurrentImportError,
  type RemovalGuard,
  type TooManyRemovals,
  type UnclaimedFingerprints,
} from "./snapshot-diff.ts";

import { hasDuplicates, type StagedFile, type UniqueRule } from "./staging.ts";

/** The customer import that a snapshot is applied on top of (the last one applied). */
export interface PreviousImport {
  id: number;
  /** Its snapshot date: the latest one, since snapshots are applied in date order. */
  date: string;
  rows: number;
  fingerprintBasis: string | null;
}

export interface SnapshotPlan {
  path: string;
  date: string;
  timeZone: string;
  staged: StagedFile;
  /** The attributes in the file, in file order. */
  fileAttributes: CustomerAttribute[];
  /** The import the staged file was compared with while it was read (its fingerprints). */
  comparedWith: PreviousImport | undefined;
  /** With `comparedWith`: its fingerprints that no line of the file claimed. */
  unclaimed: UnclaimedFingerprints | undefined;
  unique: UniqueRule;
  /** When the import started, and the clock's now when it is recorded as finished. */
  started: Date;
  finishedAt: () => Date;
  /** Seconds since the import started. */
  elapsed: () => number;
  removals: RemovalGuard;
  onStep?: ApplyStepListener | undefined;
}

export interface SnapshotResult extends ImportSummary {
  date: string;
  /** The id in the import log; null when the same file was already imported for this date. */
  importId: number | null;
}

/**
 * What applying a snapshot came to. Only `applied` may commit: `repeated_keys` means the file
 * repeats a contact key; `unstaged_repeat_candidates` that a key may repeat on a line left out of
 * staging as unchanged, which only a staging of the whole file can tell (and report).
 */
export type SnapshotOutcome =
  | ({ kind: "applied" } & SnapshotResult)
  | { kind: "repeated_keys" }
  | { kind: "unstaged_repeat_candidates" }
  | TooManyRemovals;

/** The last customer import applied, if any. */
export async function previousCustomerImport(db: Db): Promise<PreviousImport | undefined> {
  const row = await db
    .selectFrom("imports")
    .select(["id", "import_date", "rows", "fingerprint_basis"])
    .where("kind", "=", "customers")
    .orderBy("id", "desc")
    .limit(1)
    .executeTakeFirst();
  return (
    row && {
      id: row.id,
      date: row.import_date as string,
      rows: row.rows,
      fingerprintBasis: row.fingerprint_basis,
    }
  );
}

/** Snapshots must arrive in date order; re-importing the latest date is allowed. */
export function refuseOutOfOrder(file: string, date: string, previous?: PreviousImport): void {
  const latest = previous?.date;
  if (latest !== undefined && date < latest) {
    throw new ImportRefusedError(
      file,
      [
        {
          line: 0,
          column: "",
          value: date,
          reason: `the snapshot date ${date} is before the latest imported snapshot (${latest}); snapshots must be imported in date order`,
        },
      ],
      1,
    );
  }
}

/**
 * Applies a checked snapshot, in the caller's transaction: it holds the customer tables' lock and
 * has the file's time zone and JIT off set (see `APPLY_SETTINGS`). An identical re-import changes
 * nothing. Commit only an `applied` outcome.
 */
export async function applySnapshot(trx: Db, plan: SnapshotPlan): Promise<SnapshotOutcome> {
  const { date, staged } = plan;
  const names = plan.fileAttributes.map((a) => a.name);
  const allNames = (await recordedAttributes(trx)).map((a) => a.name);
  const staging = sql.id(staged.table);
  const previous = await previousCustomerImport(trx);
  refuseOutOfOrder(plan.path, date, previous);
  if (plan.comparedWith && previous?.id !== plan.comparedWith.id) {
    throw new ConcurrentImportError(
      `another customer import was applied while ${plan.path} was being read; nothing was imported, run the import again`,
    );
  }
  const seconds = plan.elapsed;
  const sameFile = await trx
    .selectFrom("imports")
    .select("id")
    .where("kind", "=", "customers")
    .where("import_date", "=", date)
    .where("file_sha256", "=", staged.sha256)
    .executeTakeFirst();
  if (sameFile) {
    const rows = staged.records;
    const counts = { inserted: 0, updated: 0, unchanged: rows, removed: 0 };
    return { kind: "applied", date, importId: null, rows, ...counts, seconds: seconds() };
  }
  const importId = await startImportLog(trx, {
    kind: "customers",
    date,
    file: plan.path,
    staged,
    started: plan.started,
  });

  // The sort behind the repeated-key check runs here while the database compares the file.
  const candidates = new Promise<{ staged: number[]; skipped: number }>((resolve) =>
    setImmediate(() => resolve(staged.duplicateCandidates())),
  );
  const empty = !(await trx
    .selectFrom("customers")
    .select("contact_key")
    .limit(1)
    .executeTakeFirst());
  let counts: { inserted: number; updated: number; removed: number };
  if (empty) {
    plan.onStep?.({ step: "adding", rows: staged.records });
    // First load: every row is new and starts its first version today; no history to write.
    // Building the primary key once after the load is faster than maintaining it row by row.
    await sql`alter table customers drop constraint customers_pkey`.execute(trx);
    const result = await sql`
      insert into customers (contact_key, present, first_seen_on, valid_from, last_import_id,
        row_fingerprint ${names.length ? sql`, ${columnList(names)}` : sql``})
      select contact_key, true, ${date}::date, ${date}::date, ${importId}, row_fingerprint
        ${names.length ? sql`, ${columnList(names)}` : sql``}
      from ${staging}`.execute(trx);
    await sql`alter table customers add constraint customers_pkey primary key (contact_key)`.execute(
      trx,
    );
    counts = { inserted: Number(result.numAffectedRows ?? 0), updated: 0, removed: 0 };
  } else {
    const changes = await applySnapshotChanges(trx, {
      path: plan.path,
      staged,
      unclaimed: plan.unclaimed,
      names,
      allNames,
      date,
      importId,
      removals: plan.removals,
      onStep: plan.onStep ?? (() => {}),
    });
    if (changes.kind === "too_many_removals") return changes;
    counts = { inserted: changes.inserted, updated: changes.updated, removed: changes.removed };
  }
  const repeatCandidates = await candidates;
  if (repeatCandidates.skipped > 0) return { kind: "unstaged_repeat_candidates" };
  if (await hasDuplicates(trx, staged, plan.unique)) return { kind: "repeated_keys" };
  const unchanged = staged.records - counts.inserted - counts.updated;
  await finishImportLog(trx, importId, { ...counts, unchanged }, plan.finishedAt());
  return {
    kind: "applied",
    date,
    importId,
    rows: staged.records,
    ...counts,
    unchanged,
    seconds: seconds(),
  };
}

/** The session of the transaction that applies a snapshot (see `inTransaction`). */
export function applySettings(timeZone: string, wait: LockWait | undefined) {
  // The diff's hash joins over a whole day's file fit in memory instead of spilling in batches.
  return { timeZone, locks: ["customerTables"], jit: false, wait, workMem: "64MB" } as const;
}
