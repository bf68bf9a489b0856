#!/usr/bin/env node
// The `nightjar` command. It runs the bundle that `npm run build` (run by `npm ci`) writes to
// dist/, or, when there is none or src/ or emulator/ has changed since, the TypeScript sources
// through tsx.
import { readdirSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));

function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = `${dir}/${entry.name}`;
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs);
  }
  return newest;
}

function bundleIsFresh() {
  try {
    const built = statSync(`${root}dist/cli.js`).mtimeMs;
    // The bundle holds the emulator too.
    return built >= newestSource(`${root}src`) && built >= newestSource(`${root}emulator`);
  } catch {
    return false;
  }
}

let cli;
if (bundleIsFresh()) {
  cli = await import("../dist/cli.js");
} else {
  const { register } = await import("tsx/esm/api");
  register();
  cli = await import("../src/cli/main.ts");
}
process.exitCode = await cli.runCli(process.argv.slice(2));
