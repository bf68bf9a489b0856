/** The send-rate budget of a client: at most `recipients` per rolling `perMinutes`. */
export interface BudgetLimit {
  recipients: number;
  perMinutes: number;
}

/** One executed (or scheduled) send as the budget sees it. */
interface Execution {
  at: number;
  recipients: number;
}

/**
 * The per-client ledger of send executions. A send is placed at the earliest time, not before it is
 * due, at which every rolling window that contains it stays within the budget; past the budget it
 * is thus executed late, which is what the integration guide warns of.
 */
export class SendBudgets {
  readonly #ledgers = new Map<string, Execution[]>();

  /** Forgets every execution. */
  clear(): void {
    this.#ledgers.clear();
  }

  /** Records an execution (also used to rebuild the ledger from a state file). */
  record(clientId: string, at: number, recipients: number): void {
    const ledger = this.#ledgers.get(clientId) ?? [];
    ledger.push({ at, recipients });
    ledger.sort((a, b) => a.at - b.at);
    this.#ledgers.set(clientId, ledger);
  }

  /** The earliest time ≥ `due` at which `recipients` fit in the client's budget. */
  earliestFit(clientId: string, due: number, recipients: number, limit: BudgetLimit): number {
    const window = limit.perMinutes * 60_000;
    // Executions a window or more before `due` cannot share a window with this send.
    const ledger = (this.#ledgers.get(clientId) ?? []).filter((e) => e.at > due - window);
    // A send larger than the whole budget can only go out into an otherwise empty window.
    const size = Math.min(recipients, limit.recipients);
    const candidates = [due, ...ledger.map((e) => e.at + window).filter((t) => t > due)].sort(
      (a, b) => a - b,
    );
    for (const at of candidates) {
      if (this.#fits(ledger, at, size, window, limit.recipients)) return at;
    }
    // Unreachable: past the last execution plus a window, every window is empty.
    return candidates[candidates.length - 1] ?? due;
  }

  /** Recipients executed in the window (at − perMinutes, at]. */
  usedAt(clientId: string, at: number, limit: BudgetLimit): number {
    const window = limit.perMinutes * 60_000;
    return sumIn(this.#ledgers.get(clientId) ?? [], at - window, at);
  }

  /** Recipients scheduled after `at` (queued or future sends). */
  pendingAfter(clientId: string, at: number): number {
    let total = 0;
    for (const e of this.#ledgers.get(clientId) ?? []) if (e.at > at) total += e.recipients;
    return total;
  }

  #fits(ledger: Execution[], at: number, size: number, window: number, budget: number): boolean {
    // Every window (end − window, end] that holds `at` ends at `at` or at a later execution.
    const ends = [at, ...ledger.filter((e) => e.at > at && e.at < at + window).map((e) => e.at)];
    return ends.every((end) => sumIn(ledger, end - window, end) + size <= budget);
  }
}

function sumIn(ledger: Execution[], after: number, upTo: number): number {
  let total = 0;
  for (const e of ledger) if (e.at > after && e.at <= upTo) total += e.recipients;
  return total;
}
