import { type Command, InvalidArgumentError, Option } from "commander";
import { createApiKey, listApiKeys, revokeApiKey } from "../../access/api-keys.ts";
import { ROLES, type Role } from "../../access/roles.ts";
import { addUser, listUsers, resetPassword, type User, updateUser } from "../../access/users.ts";
import { cliActor } from "../../audit/audit.ts";
import type { CommandContext } from "../context.ts";
import { readNewPassword } from "../password.ts";

type Json = { json?: boolean };

const roleOption = () => new Option("--role <role>", "admin, marketer or viewer").choices(ROLES);

function parseKeyId(value: string): number {
  if (!/^\d+$/.test(value))
    throw new InvalidArgumentError("expected the key's number (see `users api-keys`)");
  return Number(value);
}

const userLine = (u: User) =>
  `${u.email}  ${u.role}${u.disabled ? "  (disabled)" : ""}  since ${u.createdAt.toISOString().slice(0, 10)}`;

/** `nightjar users …`: who may use the API and the web app. */
export function registerUsers(program: Command, context: CommandContext): void {
  const users = program
    .command("users")
    .description(
      "users of the API and the web app: add, list, roles, disable, passwords, API keys",
    );

  users
    .command("add <email>")
    .description("add a user (password typed at a prompt, or from stdin with --password-stdin)")
    .addOption(roleOption().makeOptionMandatory())
    .option("--password-stdin", "read the password from standard input")
    .option("--json", "print the user as one JSON line")
    .action(
      async (
        email: string,
        options: Json & { role: Role; passwordStdin?: boolean },
        command: Command,
      ) => {
        const out = context.output(options.json);
        const password = await readNewPassword(context.io, options.passwordStdin);
        await context.withApp(command, async (app) => {
          const user = await addUser(app, cliActor(), { email, role: options.role, password });
          out.result(user, () => `Added ${user.email} as ${user.role}.`);
        });
      },
    );

  users
    .command("list")
    .description("list the users")
    .option("--json", "print the users as one JSON line (an array)")
    .action(async (options: Json, command: Command) => {
      const out = context.output(options.json);
      await context.withApp(command, async (app) => {
        const all = await listUsers(app.db.kysely);
        out.result(all, () =>
          all.length === 0
            ? "No users yet (add one with `nightjar users add EMAIL --role admin`)."
            : all.map(userLine).join("\n"),
        );
      });
    });

  users
    .command("set-role <email> <role>")
    .description("give a user another role (the last enabled admin keeps theirs)")
    .option("--json", "print the user as one JSON line")
    .action(async (email: string, role: string, options: Json, command: Command) => {
      if (!(ROLES as readonly string[]).includes(role))
        throw new InvalidArgumentError(`role must be one of ${ROLES.join(", ")}`);
      const out = context.output(options.json);
      await context.withApp(command, async (app) => {
        const user = await updateUser(app, cliActor(), email, { role: role as Role });
        out.result(user, () => `${user.email} is now ${user.role}.`);
      });
    });

  for (const [name, disabled, done] of [
    ["disable", true, "disabled: their sessions ended and their API keys stopped working"],
    ["enable", false, "enabled again"],
  ] as const)
    users
      .command(`${name} <email>`)
      .description(
        disabled
          ? "disable a user (ends their sessions; their API keys stop working)"
          : "enable a disabled user",
      )
      .option("--json", "print the user as one JSON line")
      .action(async (email: string, options: Json, command: Command) => {
        const out = context.output(options.json);
        await context.withApp(command, async (app) => {
          const user = await updateUser(app, cliActor(), email, { disabled });
          out.result(user, () => `${user.email} is ${done}.`);
        });
      });

  users
    .command("reset-password <email>")
    .description("set a new password (ends the user's sessions)")
    .option("--password-stdin", "read the password from standard input")
    .option("--json", "print the user as one JSON line")
    .action(
      async (email: string, options: Json & { passwordStdin?: boolean }, command: Command) => {
        const out = context.output(options.json);
        const password = await readNewPassword(context.io, options.passwordStdin);
        await context.withApp(command, async (app) => {
          const user = await resetPassword(app, cliActor(), email, password);
          out.result(user, () => `New password set for ${user.email}; their sessions ended.`);
        });
      },
    );

  users
    .command("api-key <email>")
    .description("make an API key for a user's scripts; it is printed once and never again")
    .option("--name <name>", "what the key is for", "script")
    .option("--json", "print the key and its details as one JSON line")
    .action(async (email: string, options: Json & { name: string }, command: Command) => {
      const out = context.output(options.json);
      await context.withApp(command, async (app) => {
        const { key, info } = await createApiKey(app, cliActor(), email, options.name);
        out.result({ key, ...info }, () =>
          [
            key,
            "",
            `API key #${info.id} "${info.name}" for ${info.email}. Send it as "Authorization: Bearer <key>".`,
            "It is shown only now: store it where your script reads secrets.",
          ].join("\n"),
        );
      });
    });

  users
    .command("api-keys [email]")
    .description("list the API keys (of one user, or everyone's): name, created, last used")
    .option("--json", "print the keys as one JSON line (an array)")
    .action(async (email: string | undefined, options: Json, command: Command) => {
      const out = context.output(options.json);
      await context.withApp(command, async (app) => {
        const keys = await listApiKeys(app.db.kysely, email);
        const day = (d: Date | null) => (d ? d.toISOString().replace(".000Z", "Z") : "never");
        out.result(keys, () =>
          keys.length === 0
            ? "No API keys."
            : keys
                .map(
                  (k) =>
                    `#${k.id}  ${k.email}  "${k.name}"  created ${day(k.createdAt)}  last used ${day(k.lastUsedAt)}${k.revokedAt ? `  revoked ${day(k.revokedAt)}` : ""}`,
                )
                .join("\n"),
        );
      });
    });

  users
    .command("revoke-key <id>")
    .description("revoke an API key (requests with it are refused from now on)")
    .option("--json", "print the key as one JSON line")
    .action(async (id: string, options: Json, command: Command) => {
      const out = context.output(options.json);
      const keyId = parseKeyId(id);
      await context.withApp(command, async (app) => {
        const key = await revokeApiKey(app, cliActor(), keyId);
        out.result(key, () => `API key #${key.id} "${key.name}" of ${key.email} is revoked.`);
      });
    });
}
