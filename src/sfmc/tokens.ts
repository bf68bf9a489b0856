/**
 * Access tokens per business unit of one account (so per account and MID): cached until shortly
 * before they expire, fetched once for concurrent callers, and renewed at once when SFMC refuses
 * one (a REST 401).
 */

/** A token for one business unit, with what came with it. */
export interface AccessGrant {
  mid: string;
  accessToken: string;
  /** The REST base URL from the token answer, with a trailing `/`. */
  restUrl: string;
  scopes: string[];
  /** Epoch ms at which SFMC's `expires_in` runs out. */
  expiresAt: number;
}

export interface TokenCacheOptions {
  /** Asks SFMC for a new token for the MID. */
  fetchToken: (mid: string) => Promise<AccessGrant>;
  now: () => number;
  /** A token is renewed when less than this is left of it (Default: 60 s). */
  refreshBeforeMs: number;
}

export class TokenCache {
  readonly #options: TokenCacheOptions;
  readonly #grants = new Map<string, AccessGrant>();
  readonly #pending = new Map<string, Promise<AccessGrant>>();

  constructor(options: TokenCacheOptions) {
    this.#options = options;
  }

  /**
   * A token for `mid` that is not about to expire. With `refused`, the token SFMC just refused
   * (401) is not handed out again: a newer one is, or a new one is fetched.
   */
  async get(mid: string, refused?: string): Promise<AccessGrant> {
    const cached = this.#grants.get(mid);
    if (cached && cached.accessToken !== refused && this.#fresh(cached)) return cached;
    if (cached && cached.accessToken === refused) this.#grants.delete(mid);
    const pending = this.#pending.get(mid);
    if (pending) {
      const grant = await pending;
      if (grant.accessToken !== refused) return grant;
    }
    return this.#fetch(mid);
  }

  /** Forgets every token (e.g. after the secret changed). */
  clear(): void {
    this.#grants.clear();
  }

  #fresh(grant: AccessGrant): boolean {
    return grant.expiresAt - this.#options.now() > this.#options.refreshBeforeMs;
  }

  #fetch(mid: string): Promise<AccessGrant> {
    const pending: Promise<AccessGrant> = this.#options
      .fetchToken(mid)
      .then((grant) => {
        this.#grants.set(mid, grant);
        return grant;
      })
      .finally(() => {
        if (this.#pending.get(mid) === pending) this.#pending.delete(mid);
      });
    this.#pending.set(mid, pending);
    return pending;
  }
}
