import { writeFile } from "node:fs/promises";
import type { Command } from "commander";
import { EXAMPLE_CONFIG } from "../../config/example.ts";
import { configFilePath } from "../../config/load.ts";
import { NightjarError } from "../../errors.ts";
import type { GlobalOptions } from "../context.ts";
import { createOutput } from "../output.ts";

export function registerInit(program: Command): void {
  program
    .command("init")
    .description("write an example nightjar.config.json pointing at the local SFMC emulator")
    .option("--force", "overwrite an existing config file")
    .option("--json", "print the result as one JSON line")
    .action(async (options: { force?: boolean; json?: boolean }, command: Command) => {
      const out = createOutput(Boolean(options.json));
      const file = configFilePath(command.optsWithGlobals<GlobalOptions>().config);
      const text = `${JSON.stringify(EXAMPLE_CONFIG, null, 2)}\n`;
      try {
        await writeFile(file, text, { flag: options.force ? "w" : "wx" });
      } catch (cause) {
        if ((cause as NodeJS.ErrnoException).code === "EEXIST") {
          throw new NightjarError(`${file} already exists; use --force to overwrite it`, { cause });
        }
        throw cause;
      }
      out.result({ file }, () =>
        [
          `Wrote ${file}.`,
          "It points at the SFMC emulator's demo tenant; set SFMC_CLIENT_SECRET before talking to SFMC.",
          "Next: nightjar import customers FILE",
        ].join("\n"),
      );
    });
}
