import type { Command } from "commander";
import { schemaVersion } from "../../db/migrate.ts";
import type { CommandContext } from "../context.ts";

export function registerMigrate(program: Command, context: CommandContext): void {
  program
    .command("migrate")
    .description(
      "apply pending database migrations, add columns for new customer attributes, and drop the work tables of imports that died",
    )
    .option("--json", "print the result as one JSON line")
    .action(async (options: { json?: boolean }, command: Command) => {
      const out = context.output(options.json);
      await context.withApp(command, async (app) => {
        const { migrations, attributesAdded, workTablesDropped } = app.upgrade;
        const version = await schemaVersion(app.db);
        out.result(
          {
            applied: migrations,
            attributesAdded,
            workTablesDropped: workTablesDropped.length,
            schemaVersion: version,
          },
          () =>
            [
              migrations.length ? `Applied ${migrations.join(", ")}.` : "No migration to apply.",
              attributesAdded.length
                ? `Added attribute columns: ${attributesAdded.join(", ")}.`
                : "",
              workTablesDropped.length
                ? `Dropped ${workTablesDropped.length} work tables left by imports or model runs that died.`
                : "",
              `Schema version ${version} (${app.db.engine}).`,
            ]
              .filter(Boolean)
              .join("\n"),
        );
      });
    });
}
