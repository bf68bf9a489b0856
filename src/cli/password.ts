import { createInterface } from "node:readline/promises";
import { Writable } from "node:stream";
import { NightjarError } from "../errors.ts";
import type { CliIo } from "./io.ts";

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  let text = "";
  for await (const chunk of stream) text += chunk.toString();
  return text;
}

/** Asks for a line on the terminal without echoing what is typed. */
async function ask(io: CliIo, stdin: NonNullable<CliIo["stdin"]>, prompt: string): Promise<string> {
  io.stderr.write(prompt);
  // readline echoes through its output; an output that swallows everything keeps the typing unseen.
  const silent = new Writable({ write: (_chunk, _encoding, done) => done() });
  const rl = createInterface({ input: stdin, output: silent, terminal: true });
  try {
    return await rl.question("");
  } finally {
    rl.close();
    io.stderr.write("\n");
  }
}

/**
 * A new password: the whole of stdin with `--password-stdin` (one trailing newline dropped), or
 * typed twice at a prompt on a terminal. Never echoed, never logged.
 */
export async function readNewPassword(io: CliIo, fromStdin: boolean | undefined): Promise<string> {
  const stdin = io.stdin;
  if (fromStdin) {
    if (!stdin) throw new NightjarError("--password-stdin: this process has no standard input");
    return (await readAll(stdin)).replace(/\r?\n$/, "");
  }
  if (!stdin?.isTTY)
    throw new NightjarError(
      "give the password on standard input with --password-stdin (no terminal to ask on)",
    );
  const password = await ask(io, stdin, "Password (at least 12 characters): ");
  const again = await ask(io, stdin, "The same password again: ");
  if (password !== again) throw new NightjarError("the two passwords differ; nothing was changed");
  return password;
}
