import { describe, expect, it } from "vitest";
import { type AccessGrant, TokenCache } from "./tokens.ts";

function cache(options: { lifetimeMs?: number; fail?: () => boolean } = {}) {
  let now = 0;
  let issued = 0;
  const requests: string[] = [];
  const tokens = new TokenCache({
    now: () => now,
    refreshBeforeMs: 60_000,
    fetchToken: async (mid) => {
      requests.push(mid);
      await new Promise((resolve) => setImmediate(resolve));
      if (options.fail?.()) throw new Error("token refused");
      issued += 1;
      const grant: AccessGrant = {
        mid,
        accessToken: `token-${mid}-${issued}`,
        restUrl: "https://rest.example/",
        scopes: ["push_read"],
        expiresAt: now + (options.lifetimeMs ?? 1_079_000),
      };
      return grant;
    },
  });
  return { tokens, requests, advance: (ms: number) => (now += ms) };
}

describe("TokenCache", () => {
  it("keeps one token per MID and renews it when less than a minute of expires_in is left", async () => {
    const { tokens, requests, advance } = cache();
    expect((await tokens.get("100")).accessToken).toBe("token-100-1");
    expect((await tokens.get("200")).accessToken).toBe("token-200-2");
    advance(1_018_000); // 61 s left
    expect((await tokens.get("100")).accessToken).toBe("token-100-1");
    advance(2_000); // 59 s left
    expect((await tokens.get("100")).accessToken).toBe("token-100-3");
    expect(requests).toEqual(["100", "200", "100"]);
  });

  it("asks once for concurrent callers", async () => {
    const { tokens, requests } = cache();
    const grants = await Promise.all([tokens.get("100"), tokens.get("100"), tokens.get("100")]);
    expect(new Set(grants.map((g) => g.accessToken)).size).toBe(1);
    expect(requests).toHaveLength(1);
  });

  it("replaces a refused token once, even when several callers saw it refused", async () => {
    const { tokens, requests } = cache();
    const first = await tokens.get("100");
    const renewed = await Promise.all([
      tokens.get("100", first.accessToken),
      tokens.get("100", first.accessToken),
    ]);
    expect(renewed.map((g) => g.accessToken)).toEqual(["token-100-2", "token-100-2"]);
    // A caller that saw the old token refused later gets the renewed one, without a new request.
    expect((await tokens.get("100", first.accessToken)).accessToken).toBe("token-100-2");
    expect(requests).toHaveLength(2);
  });

  it("does not keep a failure: the next caller asks again", async () => {
    let failing = true;
    const { tokens, requests } = cache({ fail: () => failing });
    await expect(tokens.get("100")).rejects.toThrow("token refused");
    failing = false;
    expect((await tokens.get("100")).accessToken).toBe("token-100-1");
    expect(requests).toHaveLength(2);
  });
});
