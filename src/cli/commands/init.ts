import type { Command } from "commander";
import { writeExampleConfig } from "../../config/example.ts";
import type { CommandContext } from "../context.ts";

export function registerInit(program: Command, context: CommandContext): void {
  program
    .command("init")
    .description("write an example nightjar.config.json pointing at the local SFMC emulator")
    .option("--force", "overwrite an existing config file")
    .option("--json", "print the result as one JSON line")
    .action(async (options: { force?: boolean; json?: boolean }, command: Command) => {
      const out = context.output(options.json);
      const file = await writeExampleConfig(context.configPath(command), {
        force: Boolean(options.force),
      });
      out.result({ file }, () =>
        [
          `Wrote ${file}.`,
          "It points at the SFMC emulator's demo tenant; set SFMC_CLIENT_SECRET before talking to SFMC.",
          "Next: nightjar import customers FILE",
        ].join("\n"),
      );
    });
}
