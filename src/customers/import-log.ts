import path from "node:path";
import type { Db } from "../db/connect.ts";
import type { StagedFile } from "./staging.ts";

/** What an import changed, as the import log records it. */
export interface ImportCounts {
  inserted: number;
  updated: number;
  unchanged: number;
  removed: number;
}

/** Opens an import's row in the import log (inside the transaction that applies the file). */
export async function startImportLog(
  db: Db,
  entry: {
    kind: "customers" | "transactions";
    /** The snapshot date of a customer import; null for transactions. */
    date: string | null;
    file: string;
    staged: StagedFile;
    started: Date;
  },
): Promise<number> {
  const { id } = await db
    .insertInto("imports")
    .values({
      kind: entry.kind,
      import_date: entry.date,
      file_name: path.basename(entry.file),
      file_sha256: entry.staged.sha256,
      fingerprint_basis: entry.staged.fingerprintBasis,
      rows: entry.staged.records,
      inserted: 0,
      updated: 0,
      unchanged: 0,
      removed: 0,
      started_at: entry.started,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return id;
}

/** Closes an import's row with its counts and the time it finished. */
export async function finishImportLog(
  db: Db,
  importId: number,
  counts: Partial<ImportCounts>,
  finishedAt: Date,
): Promise<void> {
  await db
    .updateTable("imports")
    .set({ ...counts, finished_at: finishedAt })
    .where("id", "=", importId)
    .execute();
}
