import { readFile } from "node:fs/promises";
import { jsonErrorLocation } from "../config/json-errors.ts";
import { NightjarError } from "../errors.ts";
import type { CliIo } from "./io.ts";

/** A JSON input file that cannot be read or parsed. */
export class JsonFileError extends NightjarError {
  override name = "JsonFileError";
}

async function readStdin(io: CliIo): Promise<string> {
  if (!io.stdin) throw new JsonFileError("-: this process has no standard input");
  let text = "";
  for await (const chunk of io.stdin) text += chunk.toString();
  return text;
}

/** The JSON document in `file` (`-`: standard input); a bad one names the file, line and column. */
export async function readJsonFile(
  io: CliIo,
  file: string,
  resolve: (f: string) => string,
): Promise<unknown> {
  let text: string;
  try {
    text = file === "-" ? await readStdin(io) : await readFile(resolve(file), "utf8");
  } catch (cause) {
    if (cause instanceof JsonFileError) throw cause;
    throw new JsonFileError(
      `cannot read ${file}: ${(cause as NodeJS.ErrnoException).code ?? (cause as Error).message}`,
      { cause },
    );
  }
  try {
    return JSON.parse(text.replace(/^\uFEFF/, ""));
  } catch (cause) {
    throw new JsonFileError(
      `${file} is not valid JSON: ${jsonErrorLocation(text, cause as Error)}`,
      {
        cause,
      },
    );
  }
}
