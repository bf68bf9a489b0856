/**
 * The diff of a snapshot against the current customers, and what it writes: history, updated,
 * removed and new customers. Runs in the transaction that applies the snapshot.
 */
import { type RawBuilder, sql } from "kysely";
import type { Db } from "../db/connect.ts";
import { NightjarError } from "../errors.ts";
import type { StagedFile } from "./staging.ts";

/** `a, b` or `c.a, c.b` for attribute columns. */
export function columnList(names: readonly string[], prefix = ""): RawBuilder<unknown> {
  return sql.join(
    names.map((name) => (prefix ? sql.ref(`${prefix}.${name}`) : sql.id(name))),
    sql`, `,
  );
}

/** The diff's aliases hold a character no attribute name can have, so they never collide. */
const old = (name: string) => sql.id(`old:${name}`);

/** Another import was applied between reading this file and applying it, or during it. */
export class ConcurrentImportError extends NightjarError {
  override name = "ConcurrentImportError";
  override readonly kind = "conflict";
}

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

/** The previous import's fingerprints that no line of the file claimed, as uuid text. */
export interface UnclaimedFingerprints {
  count: number;
  fingerprints: () => Iterable<string>;
}

/** Unclaimed fingerprints go in chunks of this many (each one array parameter). */
const UNCLAIMED_CHUNK = 20_000;

/** Loads the unclaimed fingerprints into `import_unclaimed`, in the transaction. */
async function loadUnclaimed(trx: Db, fingerprints: Iterable<string>): Promise<void> {
  await sql`create temp table import_unclaimed (row_fingerprint uuid not null) on commit drop`.execute(
    trx,
  );
  let chunk: string[] = [];
  const flush = async () => {
    if (chunk.length === 0) return;
    await sql`insert into import_unclaimed select unnest(${chunk}::uuid[])`.execute(trx);
    chunk = [];
  };
  for (const fingerprint of fingerprints) {
    chunk.push(fingerprint);
    if (chunk.length >= UNCLAIMED_CHUNK) await flush();
  }
  await flush();
  await sql`analyze import_unclaimed`.execute(trx);
}

type AppliedChanges =
  | { kind: "applied"; inserted: number; updated: number; removed: number }
  | TooManyRemovals;

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
export async function applySnapshotChanges(
  trx: Db,
  plan: {
    path: string;
    staged: StagedFile;
    /** With fingerprints: the previous import's fingerprints that no line of the file claimed. */
    unclaimed: UnclaimedFingerprints | undefined;
    names: string[];
    allNames: string[];
    date: string;
    importId: number;
    removals: RemovalGuard;
    onStep: ApplyStepListener;
  },
): Promise<AppliedChanges> {
  const { staged, unclaimed, names, allNames, date, importId, onStep } = plan;
  const staging = sql.id(staged.table);
  // The planner has not seen the work tables yet; the join keys' statistics are all it needs
  // (analyzing every column costs more than it saves).
  await sql`analyze ${staging} (contact_key)`.execute(trx);

  onStep({ step: "comparing", rows: staged.records - staged.unchanged });
  const queries = snapshotDiffQueries({
    staging: staged.table,
    unclaimed: unclaimed ? "import_unclaimed" : undefined,
    names,
    allNames,
  });
  await sql`create temp table import_changes on commit drop as ${queries.changes}`.execute(trx);
  if (!unclaimed || !queries.unprinted) {
    await sql`insert into import_changes ${queries.leaving}`.execute(trx);
  } else {
    // Every unclaimed fingerprint a staged line accounts for is a changed customer, not a removed
    // one; only when some are left over did anyone leave, and only then are they needed here.
    const accounted = await sql<{ n: number }>`
      select count(*)::int as n from import_changes
      where ${old("present")} and ${old("row_fingerprint")} is not null`.execute(trx);
    if ((accounted.rows[0]?.n ?? 0) < unclaimed.count) {
      await loadUnclaimed(trx, unclaimed.fingerprints());
      await sql`insert into import_changes ${queries.leaving}`.execute(trx);
    }
    await sql`insert into import_changes ${queries.unprinted}`.execute(trx);
  }
  await sql`analyze import_changes (contact_key, change)`.execute(trx);
  const expected = await sql<{
    new: number;
    staged: number;
    changed: number;
    fingerprint: number;
    removed: number;
  }>`
    select count(*) filter (where change = 'new')::int as new,
      count(*) filter (where change <> 'removed')::int as staged,
      count(*) filter (where change = 'changed')::int as changed,
      count(*) filter (where change = 'fingerprint')::int as fingerprint,
      count(*) filter (where change = 'removed')::int as removed
    from import_changes`.execute(trx);
  const planned = expected.rows[0] ?? { new: 0, staged: 0, changed: 0, fingerprint: 0, removed: 0 };
  /** Runs a statement that touches `rows` rows, only when there are any. */
  const when = async (rows: number, statement: () => Promise<{ numAffectedRows?: bigint }>) =>
    rows > 0 ? Number((await statement()).numAffectedRows ?? 0) : 0;
  // With fingerprints every staged line of a known customer is in the changes (its line would
  // have been claimed otherwise), so the others are new: an upper bound (a repeated line makes
  // it more), exact enough to skip the insert when it is 0.
  const newLines = unclaimed ? staged.records - staged.unchanged - planned.staged : planned.new;
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
  await when(planned.changed + planned.removed, () =>
    sql`
    insert into customer_history (contact_key, valid_from, valid_to, present
      ${allNames.length ? sql`, ${columnList(allNames)}` : sql``})
    select contact_key, ${old("valid_from")}, ${date}::date, ${old("present")}
      ${sql.join(
        allNames.map((name) => sql`, ${old(name)}`),
        sql``,
      )}
    from import_changes
    where change in ('changed', 'removed') and ${old("valid_from")} < ${date}::date`.execute(trx),
  );

  onStep({ step: "updating", rows: planned.changed });
  const updated = await when(planned.changed, () =>
    sql`
    update customers c set present = true, valid_from = ${date}::date, last_import_id = ${importId},
      row_fingerprint = x.row_fingerprint
      ${sql.join(
        names.map((name) => sql`, ${sql.id(name)} = ${sql.ref(`x.${name}`)}`),
        sql``,
      )}
    from import_changes x where x.contact_key = c.contact_key and x.change = 'changed'`.execute(
      trx,
    ),
  );

  // Same values written differently (say 1.50 for 1.5): no new version, only the line's new hash.
  await when(planned.fingerprint, () =>
    sql`
    update customers c set row_fingerprint = x.row_fingerprint
    from import_changes x where x.contact_key = c.contact_key and x.change = 'fingerprint'`.execute(
      trx,
    ),
  );

  onStep({ step: "removing", rows: planned.removed });
  const removed = await when(planned.removed, () =>
    sql`
    update customers c set present = false, valid_from = ${date}::date, last_import_id = ${importId}
    from import_changes x where x.contact_key = c.contact_key and x.change = 'removed'`.execute(
      trx,
    ),
  );

  onStep({ step: "adding", rows: newLines });
  const inserted = await when(newLines, () =>
    sql`
          insert into customers (contact_key, present, first_seen_on, valid_from, last_import_id,
            row_fingerprint ${names.length ? sql`, ${columnList(names)}` : sql``})
          select s.contact_key, true, ${date}::date, ${date}::date, ${importId}, s.row_fingerprint
            ${names.length ? sql`, ${columnList(names, "s")}` : sql``}
          from ${staging} s
          where ${
            unclaimed
              ? sql`not exists (select 1 from customers c where c.contact_key = s.contact_key)`
              : sql`exists (select 1 from import_changes x
                  where x.contact_key = s.contact_key and x.change = 'new')`
          }`.execute(trx),
  );

  const counts = { inserted, updated, removed };
  // Under the import lock nothing else changes customers; if something did, undo rather than
  // half-apply.
  if (counts.updated !== planned.changed || counts.removed !== planned.removed) {
    throw new ConcurrentImportError(
      `the customers changed while ${plan.path} was being applied; nothing was imported, run the import again`,
    );
  }
  return { kind: "applied", ...counts };
}

/** The diff's tables and columns: the staging table, the unclaimed fingerprints, the attributes. */
export interface DiffSources {
  staging: string;
  /** The previous import's fingerprints no line claimed; undefined when every line was staged. */
  unclaimed: string | undefined;
  /** The attributes in the file. */
  names: readonly string[];
  /** Every attribute column the customers have. */
  allNames: readonly string[];
  /** The table the `changes` went into, which `leaving` reads (Default: import_changes). */
  changes?: string;
}

/**
 * The two queries of the diff, each a few keyed joins (hash or merge joins whatever the sizes):
 * `changes`, the staged lines that are new, changed or carry only a new fingerprint, with the
 * versions they end; `leaving`, run once `changes` is in its table, the present customers who are
 * not in the file (removed), in the same columns — with fingerprints, those with an unclaimed one,
 * and `unprinted` those without any. Exported so that a test can check their plans.
 */
export function snapshotDiffQueries(sources: DiffSources): {
  changes: RawBuilder<unknown>;
  leaving: RawBuilder<unknown>;
  /** With fingerprints: the present customers without one who are not in the file. */
  unprinted?: RawBuilder<unknown>;
} {
  const { names, allNames } = sources;
  const staging = sql.id(sources.staging);
  const differs = names.length
    ? sql`(${columnList(names, "c")}) is distinct from (${columnList(names, "s")})`
    : sql`false`;
  const oldValues = allNames.map((name) => sql`, ${sql.ref(`c.${name}`)} as ${old(name)}`);
  // New customers are noted by key only: their values go from staging into customers at the end.
  const unlessNew = (name: string) =>
    sql`, case when c.contact_key is not null then ${sql.ref(`s.${name}`)} end as ${sql.id(name)}`;
  // With fingerprints, new customers are not noted at all: every staged line of a known customer
  // is a change (see applySnapshotChanges), so the rest is new and goes in by an anti-join.
  const changes = sql`
    select s.contact_key,
      case when c.contact_key is null then 'new'
        when not c.present or ${differs} then 'changed' else 'fingerprint' end as change,
      c.valid_from as ${old("valid_from")}, c.present as ${old("present")}, s.row_fingerprint,
      c.row_fingerprint as ${old("row_fingerprint")}
      ${sql.join(names.map(unlessNew), sql``)} ${sql.join(oldValues, sql``)}
    from ${staging} s ${sources.unclaimed ? sql`join` : sql`left join`} customers c
      on c.contact_key = s.contact_key
    where c.contact_key is null or not c.present or ${differs}
      or c.row_fingerprint is distinct from s.row_fingerprint`;
  const removed = (from: RawBuilder<unknown>) => sql`
    select c.contact_key, 'removed', c.valid_from, c.present, null::uuid, c.row_fingerprint
      ${sql.join(
        // No new values; typed like the columns, so that the two halves of the union agree.
        names.map(
          (name) => sql`, case when false then ${sql.ref(`c.${name}`)} end as ${sql.id(name)}`,
        ),
        sql``,
      )} ${sql.join(oldValues, sql``)}
    from ${from}`;
  const notStaged = sql`not exists (select 1 from ${staging} s where s.contact_key = c.contact_key)`;
  if (!sources.unclaimed)
    return { changes, leaving: removed(sql`customers c where c.present and ${notStaged}`) };
  // With fingerprints, the present customers whose line did not come back unchanged are those
  // whose fingerprint no line claimed; those among them not in the changes above are the ones
  // who left. (No scan of all customers against the file: without any removal, nothing is read.)
  const changesTable = sql.id(sources.changes ?? "import_changes");
  const gone = sql`(select u.row_fingerprint from ${sql.id(sources.unclaimed)} u
    where not exists (select 1 from ${changesTable} x
      where x.${old("row_fingerprint")} = u.row_fingerprint))`;
  return {
    changes,
    leaving: removed(sql`customers c where c.present and c.row_fingerprint in ${gone}`),
    unprinted: removed(
      sql`customers c where c.present and c.row_fingerprint is null and ${notStaged}`,
    ),
  };
}
