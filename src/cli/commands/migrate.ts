import type { Command } from "commander";
import { syncAttributeColumns } from "../../customers/attributes.ts";
import { schemaVersion } from "../../db/migrate.ts";
import { commandConfig, type GlobalOptions, withDatabase } from "../context.ts";
import { createOutput } from "../output.ts";

export function registerMigrate(program: Command): void {
  program
    .command("migrate")
    .description("apply pending database migrations and add columns for new customer attributes")
    .option("--json", "print the result as one JSON line")
    .action(async (options: { json?: boolean }, command: Command) => {
      const out = createOutput(Boolean(options.json));
      const loaded = await commandConfig(command.optsWithGlobals<GlobalOptions>());
      await withDatabase(loaded, async (db, applied) => {
        const added = await syncAttributeColumns(db.kysely, loaded.config.customers.attributes);
        const version = await schemaVersion(db);
        out.result({ applied, attributesAdded: added, schemaVersion: version }, () =>
          [
            applied.length ? `Applied ${applied.join(", ")}.` : "No migration to apply.",
            added.length ? `Added attribute columns: ${added.join(", ")}.` : "",
            `Schema version ${version} (${db.engine}).`,
          ]
            .filter(Boolean)
            .join("\n"),
        );
      });
    });
}
