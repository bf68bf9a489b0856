import { expect, it } from "vitest";
import { withoutSecrets } from "./audit.ts";

it("removes secret-named fields at any depth and keeps the rest", () => {
  expect(
    withoutSecrets({
      email: "a@example.com",
      password: "x",
      password_hash: "$argon2id$…",
      account: { clientSecret: "s", clientId: "c", accessToken: "t" },
      keys: [{ apiKey: "nj_…", key_sha256: "ab", name: "ci" }],
      csrfToken: "c",
      tokenId: "8f1b…",
      at: new Date("2026-12-01T00:00:00Z"),
    }),
  ).toEqual({
    email: "a@example.com",
    password: "[redacted]",
    password_hash: "[redacted]",
    account: { clientSecret: "[redacted]", clientId: "c", accessToken: "[redacted]" },
    keys: [{ apiKey: "[redacted]", key_sha256: "[redacted]", name: "ci" }],
    csrfToken: "[redacted]",
    tokenId: "8f1b…",
    at: "2026-12-01T00:00:00.000Z",
  });
});
