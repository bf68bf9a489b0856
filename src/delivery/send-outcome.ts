/**
 * What became of a send, as a batch state: `sent`, `failed` (SFMC did not take it), or `unknown`
 * (it may have); and the recovery of the batches a run that died left `sending`.
 */
import type { App } from "../app.ts";
import { SendOutcomeUnknown, SfmcConnectionError, SfmcError } from "../sfmc/errors.ts";

/** What became of a send that did not answer with a tokenId. */
export type Failure =
  | { state: "failed"; retryable: boolean; error: string }
  | { state: "unknown"; error: string };

/** What became of a send. */
export type Outcome = { state: "sent"; tokenId: string } | Failure;

/**
 * A send's failure as a batch state: SFMC refused it (a 4xx other than 401/429: permanent), did
 * not take it for a passing reason (429, 503, 401, no connection: retryable), or may have taken it.
 */
export function sendFailure(error: unknown): Failure {
  if (error instanceof SendOutcomeUnknown) return { state: "unknown", error: error.message };
  if (error instanceof SfmcConnectionError)
    return { state: "failed", retryable: true, error: error.message };
  if (error instanceof SfmcError) {
    const status = error.httpStatus;
    const passing = status === 401 || status === 429 || status === 503 || error.kind === "config";
    if (status >= 500 && status !== 503) return { state: "unknown", error: error.message };
    return { state: "failed", retryable: passing, error: error.message };
  }
  // Nothing says the call did not go out.
  const message = error instanceof Error ? error.message : String(error);
  return { state: "unknown", error: `the send ended in an unexpected error: ${message}` };
}

/** Marks every batch and test send found `sending` as `unknown`: its call may have reached SFMC. */
export async function recoverInterrupted(app: App): Promise<number> {
  const now = app.clock.now();
  const error =
    "the run handing it over stopped during its call (found sending at the next run): SFMC may have received it";
  const batches = await app.db.kysely
    .updateTable("send_batches")
    .set({ state: "unknown", error, answered_at: now })
    .where("state", "=", "sending")
    .executeTakeFirst();
  await app.db.kysely
    .updateTable("test_sends")
    .set({ state: "unknown", error })
    .where("state", "=", "sending")
    .execute();
  return Number(batches.numUpdatedRows);
}
