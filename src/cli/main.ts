import { Command, CommanderError } from "commander";
import packageJson from "../../package.json" with { type: "json" };
import { rememberUrlPassword } from "../config/load.ts";
import { SecretVault } from "../config/secrets.ts";
import { ImportRefusedError } from "../customers/import-report.ts";
import { coerceError, type ErrorKind, NightjarError, ReportedFailure } from "../errors.ts";
import { TransactionsFileError } from "../model/transactions-file.ts";
import { registerAnalysis } from "./commands/analysis.ts";
import { registerAudit } from "./commands/audit.ts";
import { registerBatches } from "./commands/batches.ts";
import { registerCampaigns } from "./commands/campaigns.ts";
import { registerCustomers } from "./commands/customers.ts";
import { registerEmulator } from "./commands/emulator.ts";
import { registerImport } from "./commands/import.ts";
import { registerInit } from "./commands/init.ts";
import { registerMetrics } from "./commands/metrics.ts";
import { registerMigrate } from "./commands/migrate.ts";
import { registerModel } from "./commands/model.ts";
import { registerPlan } from "./commands/plan.ts";
import { registerRun } from "./commands/run.ts";
import { registerServe } from "./commands/serve.ts";
import { registerSfmc } from "./commands/sfmc.ts";
import { registerTargetGroups } from "./commands/target-groups.ts";
import { registerUsers } from "./commands/users.ts";
import { type CommandContext, commandContext } from "./context.ts";
import { type CliIo, processIo } from "./io.ts";
import { parseSeconds } from "./options.ts";

/** Exit codes: 0 success, 2 a usage error, and one per kind of expected failure. */
export const EXIT_CODES: Record<ErrorKind | "usage" | "unexpected", number> = {
  refused: 1,
  usage: 2,
  config: 3,
  busy: 4,
  conflict: 5,
  not_found: 6,
  unavailable: 7,
  unauthenticated: 8,
  forbidden: 8,
  rate_limited: 4,
  unexpected: 70,
};

/** Builds the `nightjar` command line for one invocation. */
export function buildProgram(context: CommandContext): Command {
  const { io } = context;
  const program = new Command("nightjar")
    .description("Nightjar: customer data, customer model and SFMC MobilePush campaigns")
    .version(packageJson.version, "-V, --version", "print the version of nightjar")
    .option("--config <path>", "config file (default: $NIGHTJAR_CONFIG or ./nightjar.config.json)")
    .option(
      "--wait <seconds>",
      "wait up to this long for a lock another nightjar process holds (default: 0, give up at once)",
      parseSeconds,
    )
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    })
    .showHelpAfterError()
    .exitOverride();
  registerInit(program, context);
  registerMigrate(program, context);
  registerImport(program, context);
  registerCustomers(program, context);
  registerEmulator(program, context);
  registerModel(program, context);
  registerSfmc(program, context);
  registerServe(program, context);
  registerUsers(program, context);
  registerAudit(program, context);
  registerTargetGroups(program, context);
  registerCampaigns(program, context);
  registerPlan(program, context);
  registerRun(program, context);
  registerBatches(program, context);
  registerMetrics(program, context);
  registerAnalysis(program, context);
  return program;
}

/** The JSON document printed on stdout under --json when a command fails. */
function errorJson(error: Error, redact: (text: string) => string): unknown {
  const kind = error instanceof NightjarError ? error.kind : "unexpected";
  const base = { type: error.name, kind, message: redact(error.message) };
  // A refused file (an import, or `model fit`'s transactions) lists its problems by line.
  if (error instanceof ImportRefusedError || error instanceof TransactionsFileError) {
    return {
      error: {
        ...base,
        file: error.file,
        totalProblems: error.totalProblems,
        problems: error.problems,
        ...(error instanceof ImportRefusedError ? { errorsFile: error.errorsFile ?? null } : {}),
      },
    };
  }
  return { error: base };
}

/** Runs the CLI; resolves to the process exit code (see EXIT_CODES). */
export async function runCli(argv: string[], io: CliIo = processIo()): Promise<number> {
  const wantsJson = argv.includes("--json");
  // One vault for the invocation: it learns the database password and every secret the command
  // resolves, and scrubs them from everything printed.
  const vault = new SecretVault(io.env);
  if (io.env.DATABASE_URL) rememberUrlPassword(vault, io.env.DATABASE_URL);
  const context = commandContext(io, vault);
  const program = buildProgram(context);
  try {
    await program.parseAsync(argv, { from: "user" });
    return 0;
  } catch (thrown) {
    if (thrown instanceof CommanderError) {
      // Help and version are successes; usage errors were already printed by commander.
      if (thrown.exitCode === 0) return 0;
      if (wantsJson) {
        const message = thrown.message.replace(/^error: /, "");
        io.stdout.write(
          `${JSON.stringify({ error: { type: "UsageError", kind: "usage", code: thrown.code, message } })}\n`,
        );
      }
      return EXIT_CODES.usage;
    }
    const error = coerceError(thrown);
    const expected = error instanceof NightjarError;
    const message = vault.redact(
      expected ? error.message : `unexpected error: ${error.stack ?? error.message}`,
    );
    io.stderr.write(`nightjar: ${message}\n`);
    // A reported failure already printed its document.
    if (wantsJson && !(error instanceof ReportedFailure))
      io.stdout.write(`${JSON.stringify(errorJson(error, (t) => vault.redact(t)))}\n`);
    return expected ? EXIT_CODES[error.kind] : EXIT_CODES.unexpected;
  }
}
