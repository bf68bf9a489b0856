// The embedded database folder's lock: one process inside at a time, however many start at once;
// a dead holder never blocks; a waiting process says so; the real `nightjar` refuses to share.
import { type ChildProcess, fork } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EXIT_CODES } from "../src/cli/main.ts";
import { DatabaseBusyError, lockFolder } from "../src/db/folder-lock.ts";
import { bundleChild } from "./helpers/bundle.ts";
import { nightjar, onlyJson } from "./helpers/cli.ts";
import { seedDataFolder } from "./helpers/engines.ts";
import type { LockTrial, LockTrialResult } from "./helpers/lock-child.ts";

let dir = "";
let child = "";
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "nightjar-folder-lock-"));
  child = path.join(dir, "lock-child.mjs");
  await bundleChild(new URL("./helpers/lock-child.ts", import.meta.url), child);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A trial process (see helpers/lock-child.ts), started and ready for trials. */
async function trialProcess(): Promise<ChildProcess> {
  const proc = fork(child, [], { stdio: ["ignore", "ignore", "inherit", "ipc"] });
  await new Promise((resolve) => proc.once("message", resolve));
  return proc;
}

function runTrial(proc: ChildProcess, trial: LockTrial): Promise<LockTrialResult> {
  return new Promise((resolve) => {
    proc.once("message", (result) => resolve(result as LockTrialResult));
    proc.send(trial);
  });
}

/** Fails if two processes were inside at once; returns how many were inside. */
function expectOneAtATime(results: LockTrialResult[], trial: number): number {
  const visits = results.flatMap((r) => (r.inside ? [r] : [])).sort((a, b) => a.enter - b.enter);
  for (let i = 1; i < visits.length; i++)
    expect(
      visits[i]?.enter,
      `trial ${trial}: a process entered while another was inside`,
    ).toBeGreaterThanOrEqual(visits[i - 1]?.leave as number);
  return visits.length;
}

describe("the embedded database folder's lock", () => {
  it("lets exactly one of three processes in at a time, in 20 trials", async () => {
    const processes = await Promise.all([1, 2, 3].map(() => trialProcess()));
    try {
      for (let trial = 0; trial < 20; trial++) {
        const folder = path.join(dir, `db-${trial}`);
        const results = await Promise.all(
          processes.map((proc) => runTrial(proc, { folder, holdMs: 60 })),
        );
        for (const result of results)
          if (!result.inside) expect(result, `trial ${trial}`).toMatchObject({ busy: true });
        expect(expectOneAtATime(results, trial), `trial ${trial}`).toBeGreaterThanOrEqual(1);
      }
    } finally {
      for (const proc of processes) proc.kill();
    }
  });

  it("is free again when its holder is gone, whatever the holder's note says", async () => {
    const folder = path.join(dir, "stale");
    // A note left by a dead process, and one naming a pid now used by another program: neither
    // holds anything.
    for (const pid of [999_999_999, 1]) {
      await writeFile(
        `${folder}.lock`,
        JSON.stringify({ pid, command: "gone", since: "2026-01-01T00:00:00Z" }),
      );
      const lock = await lockFolder(folder);
      await lock.release();
    }
    // A holder that died without releasing: its process is gone, so is its lock.
    const holder = await trialProcess();
    void runTrial(holder, { folder, holdMs: 60_000 });
    // The holder writes its note once the lock is its own.
    const note = () => readFile(`${folder}.lock`, "utf8").catch(() => "");
    for (let i = 0; i < 200 && !(await note()).includes(`"pid":${holder.pid}`); i++)
      await new Promise((resolve) => setTimeout(resolve, 25));
    await expect(lockFolder(folder)).rejects.toThrow(DatabaseBusyError);
    holder.kill("SIGKILL");
    await new Promise((resolve) => holder.on("close", resolve));
    const after = await lockFolder(folder);
    await after.release();
  });

  it("names its holder when busy, and waits for it when asked, saying so once", async () => {
    const folder = path.join(dir, "waited");
    const held = await lockFolder(folder, { command: "nightjar import customers" });
    const busy = await lockFolder(folder).catch((error: unknown) => error);
    expect(busy).toBeInstanceOf(DatabaseBusyError);
    expect((busy as Error).message).toMatch(
      new RegExp(
        `is in use by another nightjar process \\(pid ${process.pid}: nightjar import customers, since .*\\); wait for it to finish \\(or use --wait SECONDS\\)`,
      ),
    );
    const said: string[] = [];
    setTimeout(() => void held.release(), 300);
    const waited = await lockFolder(folder, { waitMs: 10_000, onWait: (m) => said.push(m) });
    await waited.release();
    expect(said).toEqual([
      expect.stringMatching(
        /^waiting for another nightjar process \(pid \d+: nightjar import customers, since .*\) to release the embedded database \(up to 10 s\)…$/,
      ),
    ]);
    const again = await lockFolder(folder, { command: "x" });
    const gaveUp = await lockFolder(folder, { waitMs: 300 }).catch((error: unknown) => error);
    await again.release();
    expect((gaveUp as Error).message).toContain("; gave up after waiting 0 s");
  });

  it("keeps a second nightjar process out, with the busy exit code, and lets it wait", async () => {
    const work = await mkdtemp(path.join(os.tmpdir(), "nightjar-lock-cli-"));
    try {
      await writeFile(path.join(work, "nightjar.config.json"), "{}");
      await seedDataFolder(path.join(work, ".nightjar"));
      // This test process stands in for a running import.
      const held = await lockFolder(path.join(work, ".nightjar"), { command: "nightjar import" });
      const busy = await nightjar(work, ["migrate"]);
      expect(busy.code).toBe(EXIT_CODES.busy);
      expect(busy.stderr).toContain(`is in use by another nightjar process (pid ${process.pid}`);
      // Released once the waiting process has said that it waits.
      const waiting = nightjar(work, ["--wait", "30", "migrate", "--json"], {}, (stderr) => {
        if (stderr.includes("nightjar: waiting for another nightjar process")) void held.release();
      });
      const waited = await waiting;
      expect(waited.code, waited.stderr).toBe(0);
      expect(waited.stderr).toContain(
        `nightjar: waiting for another nightjar process (pid ${process.pid}: nightjar import, since `,
      );
      expect(onlyJson(waited)).toMatchObject({ schemaVersion: expect.any(Number) });
      // Three migrates at once, then two imports: one inside at a time, the others refused as
      // busy or done after it.
      await writeFile(path.join(work, "customers.csv"), "contact_key\nA\nB\n");
      const debug = { NIGHTJAR_LOG_LEVEL: "debug" };
      const importArgs = ["import", "customers", "customers.csv", "--date", "2026-11-01"];
      for (const args of [
        [["migrate"], ["migrate"], ["migrate"]],
        [importArgs, importArgs],
      ]) {
        const runs = await Promise.all(args.map((a) => nightjar(work, a, debug)));
        const visits = runs.map((run) => {
          const at = (message: string) =>
            run.stderr
              .split("\n")
              .filter((line) => line.includes(message))
              .map((line) => (JSON.parse(line) as { time: number }).time)[0];
          return {
            code: run.code,
            enter: at("took the embedded database's lock"),
            leave: at("released the embedded database"),
          };
        });
        for (const v of visits) expect([0, EXIT_CODES.busy]).toContain(v.code);
        const inside = visits
          .filter((v) => v.code === 0)
          .sort((a, b) => (a.enter ?? 0) - (b.enter ?? 0));
        expect(inside.length).toBeGreaterThanOrEqual(1);
        for (let i = 1; i < inside.length; i++)
          expect(inside[i]?.enter).toBeGreaterThanOrEqual(inside[i - 1]?.leave as number);
      }
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  });
});
