// `nightjar serve` as a real process, in a folder made by `nightjar init`-style config, on the
// embedded database and on PostgreSQL: it prints where it listens, answers, lets the CLI work on
// the same database meanwhile (an import, a lookup), and stops cleanly on SIGTERM.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, expect, it } from "vitest";
import { BIN, cli, nightjar, onlyJson } from "./helpers/cli.ts";
import { describeEachEngine, seedDataFolder } from "./helpers/engines.ts";
import { PASSWORD } from "./helpers/server.ts";

interface Serving {
  child: ChildProcess;
  url: string;
  exit: Promise<{ code: number | null; stderr: string }>;
}

function serve(dir: string, env: NodeJS.ProcessEnv): Promise<Serving> {
  const { DATABASE_URL: _url, ...base } = process.env;
  const child = spawn(process.execPath, [BIN, "serve", "--port", "0", "--json"], {
    cwd: dir,
    env: { ...base, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (chunk) => {
    stderr += chunk;
  });
  const exit = new Promise<{ code: number | null; stderr: string }>((resolve) =>
    child.on("close", (code) => resolve({ code, stderr })),
  );
  return new Promise((resolve, reject) => {
    let stdout = "";
    child.stdout?.on("data", (chunk) => {
      stdout += chunk;
      if (stdout.includes("\n")) resolve({ child, url: JSON.parse(stdout).url, exit });
    });
    void exit.then(({ code }) => reject(new Error(`serve exited ${code}: ${stderr}`)));
  });
}

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0)) await step();
});

describeEachEngine("nightjar serve", (test) => {
  it("serves the API while CLI commands import and read on the same database, and stops on SIGTERM", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "nightjar-serve-"));
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    const env: NodeJS.ProcessEnv = test().engine === "postgres" ? { DATABASE_URL: test().url } : {};
    expect((await cli(dir, ["init"], { env })).code).toBe(0);
    if (test().engine === "pglite") await seedDataFolder(path.join(dir, ".nightjar"));
    const lines = ["contact_key,first_name,country,signup_date,allow_push"];
    for (let i = 0; i < 20_000; i++)
      lines.push(`C${String(i).padStart(6, "0")},Ann,DE,2026-01-02,true`);
    await writeFile(path.join(dir, "customers.csv"), `${lines.join("\n")}\n`);
    const added = await cli(
      dir,
      ["users", "add", "admin@example.com", "--role", "admin", "--password-stdin"],
      { env, stdin: PASSWORD },
    );
    expect(added.code, added.stderr).toBe(0);
    const key = (
      onlyJson(await cli(dir, ["users", "api-key", "admin@example.com", "--json"], { env })) as {
        key: string;
      }
    ).key;

    const server = await serve(dir, env);
    cleanup.push(async () => {
      if (server.child.exitCode === null) server.child.kill("SIGKILL");
    });
    const health = await (await fetch(`${server.url}/api/health`)).json();
    expect(health).toMatchObject({ status: "ok", ready: true, database: test().engine });
    const auth = { authorization: `Bearer ${key}` };
    expect((await fetch(`${server.url}/api/apps`)).status).toBe(401);

    // The server keeps answering while the CLI imports beside it.
    const statuses: number[] = [];
    let importing = true;
    const load = (async () => {
      while (importing) {
        statuses.push((await fetch(`${server.url}/api/apps`, { headers: auth })).status);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    })();
    const imported = await nightjar(
      dir,
      ["import", "customers", "customers.csv", "--date", "2026-11-01", "--json"],
      env,
    );
    importing = false;
    await load;
    expect(imported.code, imported.stderr).toBe(0);
    expect(onlyJson(imported)).toMatchObject({ rows: 20_000, inserted: 20_000 });
    expect(statuses.length).toBeGreaterThan(2);
    expect(statuses.every((s) => s === 200)).toBe(true);
    const shown = await nightjar(dir, ["customers", "show", "C000042", "--json"], env);
    expect(shown.code, shown.stderr).toBe(0);
    expect(onlyJson(shown)).toMatchObject({ contactKey: "C000042" });
    const users = await nightjar(dir, ["users", "list"], env);
    expect(users.stdout).toContain("admin@example.com");
    const signIn = await fetch(`${server.url}/api/session`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: "admin@example.com", password: PASSWORD }),
    });
    expect(signIn.status).toBe(200);

    server.child.kill("SIGTERM");
    const { code, stderr } = await server.exit;
    expect(code, stderr).toBe(0);
    expect(stderr).toContain("Stopped.");
    // The request log names the route and the user, never the key or the password.
    expect(stderr).toMatch(/"route":"\/api\/apps","status":200,"ms":[\d.]+,"userId":1/);
    expect(stderr).not.toContain(key);
    expect(stderr).not.toContain(PASSWORD);
    // The database is free again: an ordinary command opens it itself.
    expect((await nightjar(dir, ["users", "list"], env)).code).toBe(0);
  }, 60_000);
});
