// A process that takes an embedded database folder's lock, as `nightjar` does, holds it briefly
// and writes when it was inside: the lock trials run many of these at once.
import { appendFileSync } from "node:fs";
import { setTimeout as delay } from "node:timers/promises";
import { DatabaseBusyError, lockFolder } from "../../src/db/folder-lock.ts";

const [folder, log, holdMs] = process.argv.slice(2) as [string, string, string];
try {
  const lock = await lockFolder(folder, { command: "lock trial" });
  const entered = process.hrtime.bigint();
  appendFileSync(log, `enter ${process.pid} ${Date.now()}\n`);
  await delay(Number(holdMs));
  appendFileSync(log, `leave ${process.pid} ${Date.now()} ${process.hrtime.bigint() - entered}\n`);
  await lock.release();
  process.exitCode = 0;
} catch (error) {
  process.exitCode = error instanceof DatabaseBusyError ? 4 : 1;
  if (!(error instanceof DatabaseBusyError)) process.stderr.write(`${(error as Error).stack}\n`);
}
