import type { Command } from "commander";
import { cliActor } from "../../audit/audit.ts";
import type { NightjarConfig } from "../../config/schema.ts";
import { ReportedFailure } from "../../errors.ts";
import { type AccountCheck, checkSfmc } from "../../sfmc/check.ts";
import { syncMessages, usableMessages } from "../../sfmc/sync.ts";
import type { CommandContext } from "../context.ts";
import { count } from "../output.ts";

function checkLines(report: AccountCheck, config: NightjarConfig): string[] {
  const account = config.sfmc.accounts.find((a) => a.name === report.name);
  const mark = (ok: boolean) => (ok ? "ok     " : "PROBLEM");
  const lines = [
    `account ${report.name} (client ${account?.clientId} at ${account?.authBaseUrl}): ${report.ok ? "ok" : "has problems"}`,
  ];
  if (report.problem) lines.push(`  PROBLEM ${report.problem}`);
  for (const bu of report.businessUnits) {
    const scopes = bu.scopes ? `token granted (${bu.scopes.join(" ") || "no scopes"})` : "no token";
    lines.push(`  ${mark(bu.ok)} business unit ${bu.mid} ${bu.name}: ${bu.problem ?? scopes}`);
    for (const app of bu.apps)
      lines.push(
        `    ${mark(app.ok)} app ${app.id} ${app.name}${app.problem ? `: ${app.problem}` : app.note ? ` (${app.note})` : ""}`,
      );
  }
  return lines;
}

export function registerSfmc(program: Command, context: CommandContext): void {
  const sfmc = program
    .command("sfmc")
    .description("SFMC MobilePush: check the accounts, sync the push messages, list them");

  sfmc
    .command("check")
    .description(
      "for every account and business unit: get a token and read each configured app; says what does not work (exit 1)",
    )
    .option("--json", "print the report as one JSON line")
    .action(async (options: { json?: boolean }, command: Command) => {
      const out = context.output(options.json);
      await context.withApp(
        command,
        async (app) => {
          const report = await checkSfmc(app);
          const { ok, accounts, problems } = report;
          out.result({ ok, accounts }, () =>
            [
              ...accounts.flatMap((account) => checkLines(account, app.config)),
              accounts.length === 0
                ? "No SFMC account is configured (sfmc.accounts)."
                : ok
                  ? "Everything works."
                  : `${problems} problem${problems === 1 ? "" : "s"} found.`,
            ].join("\n"),
          );
          if (!ok)
            throw new ReportedFailure(
              `sfmc check found ${problems} problem${problems === 1 ? "" : "s"}`,
            );
        },
        { database: false },
      );
    });

  sfmc
    .command("sync")
    .description(
      "import the API-triggered push messages of the configured apps (by template prefix) and mark vanished or inactive ones removed",
    )
    .option("--json", "print the result as one JSON line")
    .action(async (options: { json?: boolean }, command: Command) => {
      const out = context.output(options.json);
      await context.withApp(command, async (app) => {
        const result = await syncMessages(app, cliActor());
        for (const problem of result.problems) out.warn(problem.message);
        const counts = result.messages;
        out.result({ accounts: result.accounts, messages: counts }, () => {
          const usable = counts.added + counts.updated + counts.kept;
          return `Synced the push messages of ${count(result.accounts)} account${result.accounts === 1 ? "" : "s"}: ${count(usable)} usable — ${count(counts.added)} added, ${count(counts.updated)} updated, ${count(counts.kept)} kept; ${count(counts.removed)} removed.`;
        });
      });
    });

  sfmc
    .command("messages")
    .description("list the usable push messages (synced by `nightjar sfmc sync`)")
    .option("--app <id>", "only the messages of this app (an id of sfmc.apps)")
    .option("--json", "print the messages as one JSON line (an array)")
    .action(async (options: { app?: string; json?: boolean }, command: Command) => {
      const out = context.output(options.json);
      await context.withApp(command, async (app) => {
        const messages = await usableMessages(app, { appId: options.app });
        const appName = new Map(app.config.sfmc.apps.map((a) => [a.id, a.name]));
        out.result(messages, () =>
          messages.length === 0
            ? "No usable push messages (run `nightjar sfmc sync` first)."
            : messages
                .map(
                  (m) =>
                    `${m.name}  ${m.id}  app ${appName.get(m.appId) ?? m.appId} (${m.appId})  business unit ${m.businessUnit}`,
                )
                .join("\n"),
        );
      });
    });
}
