#!/usr/bin/env node
// The `nightjar` command. Nightjar runs its TypeScript sources through tsx's loader, so there is
// no build step: `npm ci` is enough.
import { register } from "tsx/esm/api";

register();
const { runCli } = await import("../src/cli/main.ts");
process.exitCode = await runCli(process.argv.slice(2));
