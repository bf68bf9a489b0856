import path from "node:path";
import { type RawBuilder, sql } from "kysely";
import type { CustomerAttribute } from "../config/schema.ts";
import type { Db, NightjarDb } from "../db/connect.ts";
import { CUSTOMER_TABLES_LOCK, recordedAttributes, syncAttributeColumns } from "./attributes.ts";
import type { FieldCheck } from "./field-checks.ts";
import { headerProblems } from "./header.ts";
import {
  type ImportProgress,
  ImportRefusedError,
  type ImportSummary,
  withErrorsFile,
} from "./import-report.ts";
import {
  dropStagingTable,
  hasDuplicates,
  refuseIfProblems,
  type StagedFile,
  stageCsvFile,
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
}

/** Shared with the transaction import: every row names a customer. */
export const CONTACT_KEY_CHECK: FieldCheck = {
  column: "contact_key",
  type: "text",
  required: true,
  missingReason: "contact key is empty",
};

const UNIQUE_CONTACT_KEY: UniqueRule = { column: "contact_key", label: "contact key" };

/** The file repeats a contact key: the transaction applying it must not commit. */
class RepeatedKeysFound extends Error {
  override name = "RepeatedKeysFound";
}

/** Snapshots must arrive in date order; re-importing the latest date is allowed. */
async function latestSnapshotDate(db: Db): Promise<string | null> {
  const row = await db
    .selectFrom("imports")
    .select((eb) => eb.fn.max("import_date").as("latest"))
    .where("kind", "=", "customers")
    .executeTakeFirst();
  return row?.latest ?? null;
}

function refuseOutOfOrder(file: string, date: string, latest: string | null): void {
  if (latest !== null && date < latest) {
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
 * Imports a full daily snapshot of the customers: streams it into a typed staging table with COPY,
 * checking every value on the way and repeated contact keys in SQL, then applies it in one
 * transaction (new, changed and removed customers, with history), or refuses it whole.
 */
export function importCustomers(
  db: NightjarDb,
  options: CustomerImportOptions,
): Promise<CustomerImportResult> {
  return withErrorsFile(options.errorsFile, () => importCustomersUnreported(db, options));
}

async function importCustomersUnreported(
  db: NightjarDb,
  options: CustomerImportOptions,
): Promise<CustomerImportResult> {
  const started = new Date();
  await syncAttributeColumns(db.kysely, options.attributes);
  refuseOutOfOrder(options.path, options.date, await latestSnapshotDate(db.kysely));
  const configured = new Map(options.attributes.map((a) => [a.name, a]));
  options.onStep?.("loading");
  const staged = await stageCsvFile(db, {
    path: options.path,
    delimiter: options.delimiter ?? ",",
    onProgress: options.onProgress,
    timeZone: options.timeZone,
    uniqueColumn: "contact_key",
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
  try {
    const fileAttributes = staged.header
      .filter((name) => name !== "contact_key")
      .map((name) => configured.get(name))
      .filter((a): a is CustomerAttribute => a !== undefined);
    options.onStep?.("checking");
    // Repeated keys are looked for while the snapshot is being applied (see applySnapshot).
    if (staged.rowsWithProblems > 0)
      await refuseIfProblems(db.kysely, staged, UNIQUE_CONTACT_KEY, options);
    if (staged.records === 0) {
      throw new ImportRefusedError(
        options.path,
        [
          {
            line: 0,
            column: "",
            value: null,
            reason:
              "the file has no data rows; a snapshot lists every customer, so an empty one (a truncated export?) is refused rather than marking everyone as removed",
          },
        ],
        1,
      );
    }
    options.onStep?.("applying");
    let result: CustomerImportResult;
    try {
      result = await applySnapshot(db.kysely, options, staged, fileAttributes, started);
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
    return { ...result, seconds: (Date.now() - started.getTime()) / 1000 };
  } finally {
    await dropStagingTable(db.kysely, staged.table);
  }
}

function columnList(names: readonly string[], prefix = ""): RawBuilder<unknown> {
  return sql.join(
    names.map((name) => (prefix ? sql.ref(`${prefix}.${name}`) : sql.id(name))),
    sql`, `,
  );
}

/** Applies a checked snapshot in one transaction; an identical re-import changes nothing. */
async function applySnapshot(
  db: Db,
  options: CustomerImportOptions,
  staged: StagedFile,
  fileAttributes: CustomerAttribute[],
  started: Date,
): Promise<CustomerImportResult> {
  const date = options.date;
  const names = fileAttributes.map((a) => a.name);
  const allNames = (await recordedAttributes(db)).map((a) => a.name);
  const staging = sql.id(staged.table);

  return db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(${CUSTOMER_TABLES_LOCK})`.execute(trx);
    await sql`select set_config('TimeZone', ${options.timeZone}, true)`.execute(trx);
    // Each statement here runs once a night over the whole base: compiling it (JIT) costs more
    // than it saves.
    await sql`select set_config('jit', 'off', true)`.execute(trx);
    refuseOutOfOrder(options.path, date, await latestSnapshotDate(trx));
    const seconds = () => (Date.now() - started.getTime()) / 1000;
    const sameFile = await trx
      .selectFrom("imports")
      .select("id")
      .where("kind", "=", "customers")
      .where("import_date", "=", date)
      .where("file_sha256", "=", staged.sha256)
      .executeTakeFirst();
    if (sameFile) {
      const rows = staged.records;
      return {
        date,
        importId: null,
        rows,
        inserted: 0,
        updated: 0,
        unchanged: rows,
        removed: 0,
        seconds: seconds(),
      };
    }
    const { id: importId } = await trx
      .insertInto("imports")
      .values({
        kind: "customers",
        import_date: date,
        file_name: path.basename(options.path),
        file_sha256: staged.sha256,
        rows: staged.records,
        inserted: 0,
        updated: 0,
        unchanged: 0,
        removed: 0,
        started_at: started,
      })
      .returning("id")
      .executeTakeFirstOrThrow();

    // The sort behind the repeated-key check runs here while the database compares the file.
    const candidates = new Promise<number[]>((resolve) =>
      setImmediate(() => resolve(staged.duplicateCandidates())),
    );
    const empty = !(await trx
      .selectFrom("customers")
      .select("contact_key")
      .limit(1)
      .executeTakeFirst());
    let counts: { inserted: number; updated: number; removed: number };
    if (empty) {
      // First load: every row is new and starts its first version today; no history to write.
      // Building the primary key once after the load is faster than maintaining it row by row.
      await sql`alter table customers drop constraint customers_pkey`.execute(trx);
      const result = await sql`
        insert into customers (contact_key, present, first_seen_on, valid_from, last_import_id
          ${names.length ? sql`, ${columnList(names)}` : sql``})
        select contact_key, true, ${date}::date, ${date}::date, ${importId}
          ${names.length ? sql`, ${columnList(names)}` : sql``}
        from ${staging}`.execute(trx);
      await sql`alter table customers add constraint customers_pkey primary key (contact_key)`.execute(
        trx,
      );
      counts = { inserted: Number(result.numAffectedRows ?? 0), updated: 0, removed: 0 };
    } else {
      counts = await applyChanges(trx, { staging, names, allNames, date, importId });
    }
    await candidates;
    if (await hasDuplicates(trx, staged, UNIQUE_CONTACT_KEY)) throw new RepeatedKeysFound();
    const unchanged = staged.records - counts.inserted - counts.updated;
    await trx
      .updateTable("imports")
      .set({ ...counts, unchanged, finished_at: new Date() })
      .where("id", "=", importId)
      .execute();
    return { date, importId, rows: staged.records, ...counts, unchanged, seconds: seconds() };
  });
}

/**
 * Diffs the snapshot against the current customers in one full join that keeps only the
 * differences, with the versions they end, then closes those versions into history and writes
 * the new ones. Every writer of `customers` takes CUSTOMER_TABLES_LOCK, so the rows found by
 * the diff stay where they are until the transaction ends.
 */
async function applyChanges(
  trx: Db,
  plan: {
    staging: RawBuilder<unknown>;
    names: string[];
    allNames: string[];
    date: string;
    importId: number;
  },
): Promise<{ inserted: number; updated: number; removed: number }> {
  const { staging, names, allNames, date, importId } = plan;
  const differs = names.length
    ? sql`(${columnList(names, "c")}) is distinct from (${columnList(names, "s")})`
    : sql`false`;
  const newValues = names.map((name) => sql`, ${sql.ref(`s.${name}`)}`);
  const oldValues = allNames.map(
    (name) => sql`, ${sql.ref(`c.${name}`)} as ${sql.id(`old_${name}`)}`,
  );
  await sql`
    create temp table import_changes on commit drop as
    select coalesce(s.contact_key, c.contact_key) as contact_key,
      case when c.contact_key is null then 'new' when s.contact_key is null then 'removed' else 'changed' end as change,
      c.ctid as old_row, c.valid_from as old_valid_from, c.present as old_present
      ${sql.join(newValues, sql``)} ${sql.join(oldValues, sql``)}
    from ${staging} s full join customers c on c.contact_key = s.contact_key
    where c.contact_key is null
      or (s.contact_key is null and c.present)
      or (s.contact_key is not null and (not c.present or ${differs}))`.execute(trx);

  // The version in force until today becomes history, unless it started today: a same-day
  // correction replaces it, since [today, today) is empty.
  await sql`
    insert into customer_history (contact_key, valid_from, valid_to, present
      ${allNames.length ? sql`, ${columnList(allNames)}` : sql``})
    select contact_key, old_valid_from, ${date}::date, old_present
      ${sql.join(
        allNames.map((name) => sql`, ${sql.id(`old_${name}`)}`),
        sql``,
      )}
    from import_changes
    where change <> 'new' and old_valid_from < ${date}::date`.execute(trx);

  const updated = await sql`
    update customers c set present = true, valid_from = ${date}::date, last_import_id = ${importId}
      ${sql.join(
        names.map((name) => sql`, ${sql.id(name)} = ${sql.ref(`x.${name}`)}`),
        sql``,
      )}
    from import_changes x where x.contact_key = c.contact_key and x.change = 'changed'`.execute(
    trx,
  );

  const removed = await sql`
    update customers c set present = false, valid_from = ${date}::date, last_import_id = ${importId}
    from import_changes x where x.contact_key = c.contact_key and x.change = 'removed'`.execute(
    trx,
  );

  const inserted = await sql`
    insert into customers (contact_key, present, first_seen_on, valid_from, last_import_id
      ${names.length ? sql`, ${columnList(names)}` : sql``})
    select contact_key, true, ${date}::date, ${date}::date, ${importId}
      ${names.length ? sql`, ${columnList(names)}` : sql``}
    from import_changes where change = 'new'`.execute(trx);

  const expected = await sql<{ changed: number; removed: number }>`
    select count(*) filter (where change = 'changed') as changed,
      count(*) filter (where change = 'removed') as removed
    from import_changes`.execute(trx);
  const counts = {
    inserted: Number(inserted.numAffectedRows ?? 0),
    updated: Number(updated.numAffectedRows ?? 0),
    removed: Number(removed.numAffectedRows ?? 0),
  };
  // Rows are found again by their physical address (no second pass over every customer). Under
  // the import lock nothing else moves them; if something did, undo rather than half-apply.
  if (
    counts.updated !== Number(expected.rows[0]?.changed) ||
    counts.removed !== Number(expected.rows[0]?.removed)
  ) {
    throw new Error(
      "customers changed while the snapshot was applied; nothing was imported, run the import again",
    );
  }
  return counts;
}
