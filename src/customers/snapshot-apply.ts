import { type RawBuilder, sql } from "kysely";
import type { CustomerAttribute } from "../config/schema.ts";
import type { Db } from "../db/connect.ts";
import { NightjarError } from "../errors.ts";
import { recordedAttributes } from "./attributes.ts";
import { finishImportLog, startImportLog } from "./import-log.ts";
import { ImportRefusedError, type ImportSummary } from "./import-report.ts";
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
  /** With `comparedWith`: the table of its fingerprints that no line of the file claimed. */
  unclaimedTable: string | undefined;
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

/** The snapshot would mark more customers as removed than the guard allows. */
export interface TooManyRemovals {
  kind: "too_many_removals";
  /** Customers the snapshot would mark as removed. */
  removed: number;
  /** Customers present before it. */
  present: number;
}

/**
 * A truncated export must not wipe the customer base: a snapshot that would remove more than
 * `maxPercent` of the present customers is refused unless `allowed`.
 */
export interface RemovalGuard {
  maxPercent: number;
  allowed: boolean;
}

/** A sub-step of applying a snapshot, with the rows it handles (for progress on a terminal). */
export interface ApplyStep {
  step: "comparing" | "history" | "updating" | "removing" | "adding";
  rows: number;
}
export type ApplyStepListener = (step: ApplyStep) => void;

type AppliedChanges =
  | { kind: "applied"; inserted: number; updated: number; removed: number }
  | TooManyRemovals;

/** Another import was applied between reading this file and applying it, or during it. */
export class ConcurrentImportError extends NightjarError {
  override name = "ConcurrentImportError";
  override readonly kind = "conflict";
}

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

function columnList(names: readonly string[], prefix = ""): RawBuilder<unknown> {
  return sql.join(
    names.map((name) => (prefix ? sql.ref(`${prefix}.${name}`) : sql.id(name))),
    sql`, `,
  );
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
    const changes = await applyChanges(trx, {
      path: plan.path,
      staged,
      unclaimedTable: plan.unclaimedTable,
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
export function applySettings(timeZone: string) {
  return { timeZone, locks: ["customerTables"], jit: false } as const;
}

/**
 * Diffs the staged lines against the current customers, keeping only the differences with the
 * versions they end, then closes those versions into history and writes the new ones. The diff is
 * two keyed joins, each linear in its inputs whatever the mix of new, changed, unchanged and
 * removed lines: the staged lines against their customers (new, changed, or only a new
 * fingerprint), and the customers who may have left against the staged keys (removed). When
 * unchanged lines were left out of staging, those who may have left are the customers whose
 * fingerprint no line claimed; otherwise every present customer. (One full join with the
 * customers filtered by OR'd `IN` lists was quadratic once the lists outgrew `work_mem`.)
 * Every writer of `customers` takes the customer tables' lock, so the rows found by the diff stay
 * as they are until the transaction ends.
 */
async function applyChanges(
  trx: Db,
  plan: {
    path: string;
    staged: StagedFile;
    unclaimedTable: string | undefined;
    names: string[];
    allNames: string[];
    date: string;
    importId: number;
    removals: RemovalGuard;
    onStep: ApplyStepListener;
  },
): Promise<AppliedChanges> {
  const { staged, unclaimedTable, names, allNames, date, importId, onStep } = plan;
  // The diff's aliases hold a character no attribute name can have, so they never collide.
  const old = (name: string) => sql.id(`old:${name}`);
  const staging = sql.id(staged.table);
  const differs = names.length
    ? sql`(${columnList(names, "c")}) is distinct from (${columnList(names, "s")})`
    : sql`false`;
  const newNulls = names.map((name) => sql`, null as ${sql.id(name)}`);
  const oldValues = allNames.map((name) => sql`, ${sql.ref(`c.${name}`)} as ${old(name)}`);
  // The planner has not seen the work tables yet; the join keys' statistics are all it needs
  // (analyzing every column costs more than it saves).
  await sql`analyze ${staging} (contact_key)`.execute(trx);
  if (unclaimedTable) await sql`analyze ${sql.id(unclaimedTable)}`.execute(trx);

  onStep({ step: "comparing", rows: staged.records - staged.unchanged });
  // New customers are noted by key only: their values go from staging into customers at the end.
  const unlessNew = (name: string) =>
    sql`, case when c.contact_key is not null then ${sql.ref(`s.${name}`)} end as ${sql.id(name)}`;
  await sql`
    create temp table import_changes on commit drop as
    select s.contact_key,
      case when c.contact_key is null then 'new'
        when not c.present or ${differs} then 'changed' else 'fingerprint' end as change,
      c.valid_from as ${old("valid_from")}, c.present as ${old("present")}, s.row_fingerprint
      ${sql.join(names.map(unlessNew), sql``)} ${sql.join(oldValues, sql``)}
    from ${staging} s left join customers c on c.contact_key = s.contact_key
    where c.contact_key is null or not c.present or ${differs}
      or c.row_fingerprint is distinct from s.row_fingerprint`.execute(trx);
  const leaving = unclaimedTable
    ? sql`(select c.* from customers c
        where c.row_fingerprint in (select u.row_fingerprint from ${sql.id(unclaimedTable)} u)
        union all
        select c.* from customers c where c.present and c.row_fingerprint is null)`
    : sql`customers`;
  await sql`
    insert into import_changes
    select c.contact_key, 'removed', c.valid_from, c.present, null::uuid
      ${sql.join(newNulls, sql``)} ${sql.join(oldValues, sql``)}
    from ${leaving} c
    where c.present
      and not exists (select 1 from ${staging} s where s.contact_key = c.contact_key)`.execute(trx);
  await sql`analyze import_changes (contact_key, change)`.execute(trx);
  const expected = await sql<{ new: number; changed: number; removed: number }>`
    select count(*) filter (where change = 'new')::int as new,
      count(*) filter (where change = 'changed')::int as changed,
      count(*) filter (where change = 'removed')::int as removed
    from import_changes`.execute(trx);
  const planned = expected.rows[0] ?? { new: 0, changed: 0, removed: 0 };
  if (planned.removed > 0 && !plan.removals.allowed) {
    const present = await sql<{ n: number }>`
      select count(*)::int as n from customers where present`.execute(trx);
    const base = present.rows[0]?.n ?? 0;
    if (planned.removed > (base * plan.removals.maxPercent) / 100)
      return { kind: "too_many_removals", removed: planned.removed, present: base };
  }

  // The version in force until today becomes history, unless it started today: a same-day
  // correction replaces it, since [today, today) is empty.
  onStep({ step: "history", rows: planned.changed + planned.removed });
  await sql`
    insert into customer_history (contact_key, valid_from, valid_to, present
      ${allNames.length ? sql`, ${columnList(allNames)}` : sql``})
    select contact_key, ${old("valid_from")}, ${date}::date, ${old("present")}
      ${sql.join(
        allNames.map((name) => sql`, ${old(name)}`),
        sql``,
      )}
    from import_changes
    where change in ('changed', 'removed') and ${old("valid_from")} < ${date}::date`.execute(trx);

  onStep({ step: "updating", rows: planned.changed });
  const updated = await sql`
    update customers c set present = true, valid_from = ${date}::date, last_import_id = ${importId},
      row_fingerprint = x.row_fingerprint
      ${sql.join(
        names.map((name) => sql`, ${sql.id(name)} = ${sql.ref(`x.${name}`)}`),
        sql``,
      )}
    from import_changes x where x.contact_key = c.contact_key and x.change = 'changed'`.execute(
    trx,
  );

  // Same values written differently (say 1.50 for 1.5): no new version, only the line's new hash.
  await sql`
    update customers c set row_fingerprint = x.row_fingerprint
    from import_changes x where x.contact_key = c.contact_key and x.change = 'fingerprint'`.execute(
    trx,
  );

  onStep({ step: "removing", rows: planned.removed });
  const removed = await sql`
    update customers c set present = false, valid_from = ${date}::date, last_import_id = ${importId}
    from import_changes x where x.contact_key = c.contact_key and x.change = 'removed'`.execute(
    trx,
  );

  onStep({ step: "adding", rows: planned.new });
  const inserted =
    planned.new === 0
      ? { numAffectedRows: 0n }
      : await sql`
          insert into customers (contact_key, present, first_seen_on, valid_from, last_import_id,
            row_fingerprint ${names.length ? sql`, ${columnList(names)}` : sql``})
          select s.contact_key, true, ${date}::date, ${date}::date, ${importId}, s.row_fingerprint
            ${names.length ? sql`, ${columnList(names, "s")}` : sql``}
          from ${staging} s join import_changes x on x.contact_key = s.contact_key
          where x.change = 'new'`.execute(trx);

  const counts = {
    inserted: Number(inserted.numAffectedRows ?? 0),
    updated: Number(updated.numAffectedRows ?? 0),
    removed: Number(removed.numAffectedRows ?? 0),
  };
  // Under the import lock nothing else changes customers; if something did, undo rather than
  // half-apply.
  if (
    counts.inserted !== planned.new ||
    counts.updated !== planned.changed ||
    counts.removed !== planned.removed
  ) {
    throw new ConcurrentImportError(
      `the customers changed while ${plan.path} was being applied; nothing was imported, run the import again`,
    );
  }
  return { kind: "applied", ...counts };
}
