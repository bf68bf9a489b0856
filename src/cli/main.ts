import { Command, CommanderError } from "commander";
import { rememberUrlPassword } from "../config/load.ts";
import { SecretVault } from "../config/secrets.ts";
import { ImportRefusedError } from "../customers/import-report.ts";
import { NightjarError, ReportedFailure } from "../errors.ts";
import { TransactionsFileError } from "../model/transactions-file.ts";
import { registerEmulator } from "./commands/emulator.ts";
import { registerImport } from "./commands/import.ts";
import { registerInit } from "./commands/init.ts";
import { registerMigrate } from "./commands/migrate.ts";
import { registerModel } from "./commands/model.ts";
import { registerSfmc } from "./commands/sfmc.ts";

/** Builds the `nightjar` command line. */
export function buildProgram(): Command {
  const program = new Command("nightjar")
    .description("Nightjar: customer data, customer model and SFMC MobilePush campaigns")
    .option("--config <path>", "config file (default: $NIGHTJAR_CONFIG or ./nightjar.config.json)")
    .showHelpAfterError()
    .exitOverride();
  registerInit(program);
  registerMigrate(program);
  registerImport(program);
  registerEmulator(program);
  registerModel(program);
  registerSfmc(program);
  for (const command of program.commands) {
    command.exitOverride();
    for (const sub of command.commands) sub.exitOverride();
  }
  return program;
}

/** The JSON document printed on stdout under --json when a command fails. */
function errorJson(error: Error, redact: (text: string) => string): unknown {
  const base = { error: { type: error.name, message: redact(error.message) } };
  // A refused file (an import, or `model fit`'s transactions) lists its problems by line.
  if (error instanceof ImportRefusedError || error instanceof TransactionsFileError) {
    return {
      error: {
        ...base.error,
        file: error.file,
        totalProblems: error.totalProblems,
        problems: error.problems,
        ...(error instanceof ImportRefusedError ? { errorsFile: error.errorsFile ?? null } : {}),
      },
    };
  }
  return base;
}

/** Runs the CLI; resolves to the process exit code (0 success, 1 failure, 2 usage error). */
export async function runCli(argv: string[]): Promise<number> {
  const program = buildProgram();
  const wantsJson = argv.includes("--json");
  // Secrets are resolved into a vault per command; this one scrubs the database password and any
  // env-referenced secret from last-resort error output.
  const vault = new SecretVault();
  if (process.env.DATABASE_URL) rememberUrlPassword(vault, process.env.DATABASE_URL);
  try {
    await program.parseAsync(argv, { from: "user" });
    return 0;
  } catch (thrown) {
    if (thrown instanceof CommanderError) {
      // Help and version are successes; usage errors were already printed by commander.
      return thrown.exitCode === 0 ? 0 : 2;
    }
    const error = thrown instanceof Error ? thrown : new Error(String(thrown));
    const expected = error instanceof NightjarError;
    const message = vault.redact(
      expected ? error.message : `unexpected error: ${error.stack ?? error.message}`,
    );
    process.stderr.write(`nightjar: ${message}\n`);
    // A reported failure already printed its document.
    if (wantsJson && !(error instanceof ReportedFailure))
      process.stdout.write(`${JSON.stringify(errorJson(error, (t) => vault.redact(t)))}\n`);
    return 1;
  }
}
