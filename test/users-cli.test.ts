// `nightjar users …` and `nightjar audit`, in-process on both engines.
import { expect, it } from "vitest";
import { verifyPassword } from "../src/access/passwords.ts";
import { EXIT_CODES } from "../src/cli/main.ts";
import { cli, onlyJson } from "./helpers/cli.ts";
import { describeEachEngine } from "./helpers/engines.ts";
import { tempFolder } from "./helpers/files.ts";
import { PASSWORD } from "./helpers/server.ts";

const folder = tempFolder({ config: {} });

describeEachEngine("nightjar users and audit", (test) => {
  const run = (args: string[], stdin?: string) =>
    cli(folder.dir(), args, { db: test().db, ...(stdin === undefined ? {} : { stdin }) });

  it("adds users with a password from stdin, lists them, changes roles, disables and resets", async () => {
    const added = await run(
      ["users", "add", "ada@example.com", "--role", "admin", "--password-stdin", "--json"],
      `${PASSWORD}\n`,
    );
    expect(added.code, added.stderr).toBe(0);
    expect(onlyJson(added)).toMatchObject({
      email: "ada@example.com",
      role: "admin",
      disabled: false,
    });
    const row = await test()
      .db.kysely.selectFrom("users")
      .select("password_hash")
      .executeTakeFirstOrThrow();
    expect(row.password_hash).toMatch(/^\$argon2id\$/);
    // The trailing newline of stdin is not part of the password.
    expect(await verifyPassword(row.password_hash, PASSWORD)).toBe(true);

    const short = await run(
      ["users", "add", "bob@example.com", "--role", "viewer", "--password-stdin"],
      "too short\n",
    );
    expect(short.code).toBe(EXIT_CODES.refused);
    expect(short.stderr).toContain("at least 12 characters");
    const badRole = await run(
      ["users", "add", "bob@example.com", "--role", "boss", "--password-stdin"],
      PASSWORD,
    );
    expect(badRole.code).toBe(EXIT_CODES.usage);
    const noTty = await run(["users", "add", "bob@example.com", "--role", "viewer"]);
    expect(noTty.code).toBe(EXIT_CODES.refused);
    expect(noTty.stderr).toContain("--password-stdin");
    expect(
      (
        await run(
          ["users", "add", "bob@example.com", "--role", "viewer", "--password-stdin"],
          PASSWORD,
        )
      ).code,
    ).toBe(0);
    const twice = await run(
      ["users", "add", "BOB@example.com", "--role", "viewer", "--password-stdin"],
      PASSWORD,
    );
    expect(twice.code).toBe(EXIT_CODES.conflict);

    const list = await run(["users", "list"]);
    expect(list.stdout).toMatch(/ada@example\.com {2}admin/);
    expect(list.stdout).toMatch(/bob@example\.com {2}viewer/);
    expect(list.stdout).not.toContain("argon2");

    const last = await run(["users", "set-role", "ada@example.com", "viewer"]);
    expect(last.code).toBe(EXIT_CODES.conflict);
    expect(last.stderr).toContain("last enabled admin");
    expect((await run(["users", "disable", "ada@example.com"])).code).toBe(EXIT_CODES.conflict);
    expect((await run(["users", "set-role", "bob@example.com", "admin"])).stdout).toContain(
      "bob@example.com is now admin.",
    );
    expect((await run(["users", "disable", "ada@example.com"])).code).toBe(0);
    expect((await run(["users", "list", "--json"])).stdout).toContain('"disabled":true');
    expect((await run(["users", "enable", "ada@example.com"])).code).toBe(0);
    const reset = await run(
      ["users", "reset-password", "ada@example.com", "--password-stdin"],
      "a completely new passphrase",
    );
    expect(reset.code, reset.stderr).toBe(0);
    const after = await test()
      .db.kysely.selectFrom("users")
      .select("password_hash")
      .where("email", "=", "ada@example.com")
      .executeTakeFirstOrThrow();
    expect(await verifyPassword(after.password_hash, "a completely new passphrase")).toBe(true);
    expect((await run(["users", "set-role", "nobody@example.com", "viewer"])).code).toBe(
      EXIT_CODES.not_found,
    );
  });

  it("makes an API key, prints it once, lists and revokes keys; the audit log shows every change", async () => {
    await run(
      ["users", "add", "ada@example.com", "--role", "marketer", "--password-stdin"],
      PASSWORD,
    );
    const made = await run(["users", "api-key", "ada@example.com", "--name", "nightly export"]);
    expect(made.code, made.stderr).toBe(0);
    const key = made.stdout.split("\n")[0] ?? "";
    expect(key).toMatch(/^nj_[A-Za-z0-9_-]{43}$/);
    const listed = await run(["users", "api-keys", "ada@example.com"]);
    expect(listed.stdout).toContain('"nightly export"');
    expect(listed.stdout).toContain("last used never");
    expect(listed.stdout).not.toContain(key);
    const json = onlyJson(await run(["users", "api-keys", "--json"])) as { id: number }[];
    expect(json).toHaveLength(1);
    const revoked = await run(["users", "revoke-key", String(json[0]?.id)]);
    expect(revoked.stdout).toContain("is revoked");
    expect((await run(["users", "revoke-key", "999"])).code).toBe(EXIT_CODES.not_found);
    expect((await run(["users", "revoke-key", "abc"])).code).toBe(EXIT_CODES.usage);

    const audit = onlyJson(await run(["audit", "--json"])) as {
      actor: string;
      entity: string;
      action: string;
    }[];
    expect(audit.map((e) => `${e.entity} ${e.action}`)).toEqual([
      "api_key revoke",
      "api_key create",
      "user create",
    ]);
    expect(audit.every((e) => /^cli:.+/.test(e.actor))).toBe(true);
    expect(JSON.stringify(audit)).not.toContain(key);
    const users = await run(["audit", "--entity", "user"]);
    expect(users.stdout.trim().split("\n")).toHaveLength(1);
    expect(users.stdout).toMatch(/cli:\S+ {2}create user #\d+/);
  });
});
