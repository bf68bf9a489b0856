import { type Behaviour, defaultBehaviour } from "./behaviour.ts";
import { SendBudgets } from "./budget.ts";
import type { EmulatorClock } from "./clock.ts";
import { FaultBook } from "./faults.ts";
import type { SendRecord } from "./send-record.ts";
import { Tenant } from "./tenant.ts";

/** An issued access token: whose, for which BU, with which scopes, until when. */
export interface AccessToken {
  token: string;
  clientId: string;
  mid: number;
  scopes: string[];
  issuedAt: number;
  expiresAt: number;
}

/** Everything the emulator holds in memory: the tenant, tokens, sends, budgets, faults, clock. */
export class EmulatorStore {
  tenant = new Tenant();
  readonly tokens = new Map<string, AccessToken>();
  /** Accepted sends by tokenId, in the order they came. */
  readonly sends = new Map<string, SendRecord>();
  readonly budgets = new SendBudgets();
  readonly faults = new FaultBook();
  behaviour: Behaviour = defaultBehaviour();

  constructor(readonly clock: EmulatorClock) {}

  /** Forgets tenant, tokens, sends, budgets and faults (the clock and behaviour stay). */
  clear(): void {
    this.tenant = new Tenant();
    this.tokens.clear();
    this.sends.clear();
    this.budgets.clear();
    this.faults.clear();
  }

  /** Records an accepted send and books it in its client's budget. */
  addSend(send: SendRecord): void {
    this.sends.set(send.tokenId, send);
    this.budgets.record(send.clientId, send.executeAt, send.recipients);
  }

  /** The token a valid `Authorization: Bearer …` header carries, or null (missing, unknown, expired). */
  authenticate(header: string | undefined): AccessToken | null {
    const match = /^Bearer ([^\s]+)$/i.exec(header?.trim() ?? "");
    if (!match?.[1]) return null;
    const token = this.tokens.get(match[1]);
    if (!token || token.expiresAt <= this.clock.now()) return null;
    return token;
  }

  /** Expires the tokens of `clientId` (every client when absent) now; returns how many. */
  expireTokens(clientId?: string): number {
    const now = this.clock.now();
    let expired = 0;
    for (const token of this.tokens.values()) {
      if (clientId !== undefined && token.clientId !== clientId) continue;
      if (token.expiresAt > now) expired += 1;
      token.expiresAt = Math.min(token.expiresAt, now);
    }
    return expired;
  }

  /** Drops tokens long expired, so a long-running emulator does not grow. */
  pruneTokens(): void {
    const cutoff = this.clock.now() - 24 * 60 * 60 * 1000;
    for (const [key, token] of this.tokens) if (token.expiresAt < cutoff) this.tokens.delete(key);
  }
}
