import type { Command } from "commander";
import type { LoadedConfig } from "../../config/load.ts";
import { NightjarError, ReportedFailure } from "../../errors.ts";
import { type AccountCheck, checkAccount } from "../../sfmc/check.ts";
import { createSfmcClient, type SfmcClient } from "../../sfmc/client.ts";
import { listUsableMessages, storeMessages, syncMessages } from "../../sfmc/sync.ts";
import { commandConfig, type GlobalOptions, withDatabase } from "../context.ts";
import { cliLogger } from "../logger.ts";
import { count, createOutput } from "../output.ts";

/** A client per configured account; each secret is read from the vault when first needed. */
function accountClients(loaded: LoadedConfig): { client: SfmcClient; index: number }[] {
  const logger = cliLogger();
  return loaded.config.sfmc.accounts.map((account, index) => ({
    index,
    client: createSfmcClient({
      account,
      secret: () =>
        loaded.vault.resolve(account.clientSecret, `sfmc.accounts[${index}].clientSecret`),
      logger,
    }),
  }));
}

/** Runs `fn`, scrubbing any secret the vault knows from what it throws. */
async function scrubbed<T>(loaded: LoadedConfig, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof Error) error.message = loaded.vault.redact(error.message);
    throw error;
  }
}

function checkLines(report: AccountCheck, loaded: LoadedConfig): string[] {
  const account = loaded.config.sfmc.accounts.find((a) => a.name === report.name);
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

/** Problems found; what could not be checked because of one of them does not count again. */
function problemCount(report: AccountCheck): number {
  return (
    (report.problem ? 1 : 0) +
    report.businessUnits.reduce(
      (sum, bu) =>
        sum +
        (bu.checked && !bu.ok && bu.problem ? 1 : 0) +
        bu.apps.filter((app) => app.checked && !app.ok).length,
      0,
    )
  );
}

export function registerSfmc(program: Command): void {
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
      const out = createOutput(Boolean(options.json));
      const loaded = await commandConfig(command.optsWithGlobals<GlobalOptions>());
      const reports = await scrubbed(loaded, async () => {
        const all: AccountCheck[] = [];
        for (const { client, index } of accountClients(loaded)) {
          const account = loaded.config.sfmc.accounts[index];
          if (account) all.push(await checkAccount(client, account, loaded.config.sfmc.apps));
        }
        return all;
      });
      const ok = reports.every((report) => report.ok);
      const problems = reports.reduce((sum, report) => sum + problemCount(report), 0);
      out.result({ ok, accounts: reports }, () =>
        [
          ...reports.flatMap((report) => checkLines(report, loaded)),
          reports.length === 0
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
    });

  sfmc
    .command("sync")
    .description(
      "import the API-triggered push messages of the configured apps (by template prefix) and mark vanished or inactive ones removed",
    )
    .option("--json", "print the result as one JSON line")
    .action(async (options: { json?: boolean }, command: Command) => {
      const out = createOutput(Boolean(options.json));
      const loaded = await commandConfig(command.optsWithGlobals<GlobalOptions>());
      const { apps, accounts } = loaded.config.sfmc;
      // Everything is read before anything is stored: a failure changes nothing.
      const found = await scrubbed(loaded, async () => {
        const all = [];
        for (const { client, index } of accountClients(loaded)) {
          const account = accounts[index];
          if (account) all.push(await syncMessages(client, account, apps));
        }
        return all;
      });
      for (const problem of found.flatMap((account) => account.problems)) out.warn(problem.message);
      const counts = await withDatabase(loaded, (db) => storeMessages(db.kysely, found));
      out.result({ accounts: found.length, messages: counts }, () => {
        const usable = counts.added + counts.updated + counts.kept;
        return `Synced the push messages of ${count(found.length)} account${found.length === 1 ? "" : "s"}: ${count(usable)} usable — ${count(counts.added)} added, ${count(counts.updated)} updated, ${count(counts.kept)} unchanged; ${count(counts.removed)} removed.`;
      });
    });

  sfmc
    .command("messages")
    .description("list the usable push messages (synced by `nightjar sfmc sync`)")
    .option("--app <id>", "only the messages of this app (an id of sfmc.apps)")
    .option("--json", "print the messages as one JSON line (an array)")
    .action(async (options: { app?: string; json?: boolean }, command: Command) => {
      const out = createOutput(Boolean(options.json));
      const loaded = await commandConfig(command.optsWithGlobals<GlobalOptions>());
      const apps = loaded.config.sfmc.apps;
      if (options.app !== undefined && !apps.some((app) => app.id === options.app))
        throw new NightjarError(`app ${options.app} is not one of the configured apps (sfmc.apps)`);
      const messages = await withDatabase(loaded, (db) =>
        listUsableMessages(db.kysely, options.app === undefined ? {} : { appId: options.app }),
      );
      const appName = new Map(apps.map((app) => [app.id, app.name]));
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
}
