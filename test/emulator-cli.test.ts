import { type ChildProcessByStdio, spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { Readable } from "node:stream";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator } from "../emulator/server.ts";
import { EXAMPLE_CONFIG } from "../src/config/example.ts";

const BIN = fileURLToPath(new URL("../bin/nightjar.js", import.meta.url));

interface Started {
  child: ChildProcessByStdio<null, Readable, Readable>;
  firstLine: string;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

/** Spawns `nightjar emulator ARGS` in `cwd` and resolves once it printed its first stdout line. */
function startCli(cwd: string, args: string[]): Promise<Started> {
  const { NIGHTJAR_CONFIG: _config, DATABASE_URL: _database, ...env } = process.env;
  const child = spawn(process.execPath, [BIN, "emulator", ...args], {
    cwd,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
  return new Promise((resolve, reject) => {
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
    });
    child.stdout.on("data", (chunk) => {
      const before = stdout;
      stdout += chunk;
      if (!before.includes("\n") && stdout.includes("\n"))
        resolve({
          child,
          firstLine: stdout.slice(0, stdout.indexOf("\n")),
          stdout: () => stdout,
          stderr: () => stderr,
          exited,
        });
    });
    void exited.then((code) => reject(new Error(`exited ${code} before listening: ${stderr}`)));
  });
}

async function demoToken(url: string, accountId?: number): Promise<Response> {
  return fetch(new URL("v2/token", url), {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      grant_type: "client_credentials",
      client_id: "demo-client",
      client_secret: "demo-secret",
      ...(accountId ? { account_id: accountId } : {}),
    }),
  });
}

let empty = "";
beforeAll(async () => {
  empty = await mkdtemp(path.join(os.tmpdir(), "nightjar-emulator-cli-"));
});
afterAll(async () => {
  await rm(empty, { recursive: true, force: true });
});

describe("nightjar emulator", () => {
  it("starts in an empty folder, prints one JSON line, serves the demo client, stops on SIGTERM", async () => {
    const run = await startCli(empty, ["--port", "0", "--json", "--log-level", "silent"]);
    const printed = JSON.parse(run.firstLine) as {
      url: string;
      clients: { clientId: string; clientSecret?: string; mids: number[] }[];
    };
    expect(printed.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(printed.clients).toEqual([
      { clientId: "demo-client", clientSecret: "demo-secret", homeMid: 100, mids: [100, 200] },
    ]);
    const answer = await demoToken(printed.url);
    expect(answer.status).toBe(200);
    const body = (await answer.json()) as { access_token: string; rest_instance_url: string };
    expect(body.rest_instance_url).toBe(printed.url);
    run.child.kill("SIGTERM");
    expect(await run.exited).toBe(0);
    // stdout is the one JSON line alone.
    expect(run.stdout().trimEnd().split("\n")).toHaveLength(1);
    expect(run.stderr()).toContain("SFMC emulator stopped (SIGTERM)");
  });

  it("prints the URL and credentials for people, logs requests without secrets, writes --state on SIGINT", async () => {
    const state = path.join(empty, "state.json");
    const run = await startCli(empty, ["--port", "0", "--state", state]);
    const url = /listening on (\S+)/.exec(run.firstLine)?.[1] ?? "";
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const token = ((await (await demoToken(url)).json()) as { access_token: string }).access_token;
    await fetch(new URL("push/v1/message", url), { headers: { authorization: `Bearer ${token}` } });
    run.child.kill("SIGINT");
    expect(await run.exited).toBe(0);
    expect(run.stdout()).toContain("client: demo-client / demo-secret (MIDs 100 (home), 200)");
    expect(run.stderr()).toContain('"url":"/push/v1/message"');
    expect(run.stderr()).not.toContain(token);
    const saved = JSON.parse(await readFile(state, "utf8")) as { tokens: { token: string }[] };
    expect(saved.tokens.map((t) => t.token)).toEqual([token]);
  });

  it("exits 1 with a clear message when the port is taken, and 2 on a bad option", async () => {
    const holder = await startEmulator({ port: 0 });
    try {
      const run = spawn(process.execPath, [BIN, "emulator", "--port", String(holder.port)], {
        cwd: empty,
        stdio: ["ignore", "pipe", "pipe"],
      });
      let stderr = "";
      run.stderr.on("data", (chunk) => {
        stderr += chunk;
      });
      const code = await new Promise((resolve) => run.on("close", resolve));
      expect(code).toBe(1);
      expect(stderr).toContain(`port ${holder.port} on 127.0.0.1 is already in use`);
    } finally {
      await holder.close();
    }
    const bad = spawn(process.execPath, [BIN, "emulator", "--budget-mode", "maybe"], {
      cwd: empty,
      stdio: "ignore",
    });
    expect(await new Promise((resolve) => bad.on("close", resolve))).toBe(2);
  });
});

describe("the demo tenant and the config `nightjar init` writes", () => {
  it("agree on client, BUs, prefixes and app ids", async () => {
    const emulator = await startEmulator({ port: 0 });
    try {
      const account = EXAMPLE_CONFIG.sfmc.accounts[0];
      expect(account?.clientId).toBe("demo-client");
      expect(account?.authBaseUrl).toBe("http://127.0.0.1:4010/");
      for (const bu of account?.businessUnits ?? []) {
        const answer = await demoToken(emulator.url, Number(bu.mid));
        expect(answer.status).toBe(200);
        const bearer = ((await answer.json()) as { access_token: string }).access_token;
        const apps = (await (
          await fetch(new URL("push/v1/application", emulator.url), {
            headers: { authorization: `Bearer ${bearer}` },
          })
        ).json()) as { id: string; name: string }[];
        const configured = EXAMPLE_CONFIG.sfmc.apps.filter((app) => app.businessUnit === bu.mid);
        expect(apps.map(({ id, name }) => ({ id, name }))).toEqual(
          configured.map(({ id, name }) => ({ id, name })),
        );
        const filter = encodeURIComponent(`name like '${bu.templatePrefix}%'`);
        const messages = (await (
          await fetch(new URL(`push/v1/message?$filter=${filter}`, emulator.url), {
            headers: { authorization: `Bearer ${bearer}` },
          })
        ).json()) as { count: number };
        expect(messages.count).toBeGreaterThanOrEqual(4);
      }
    } finally {
      await emulator.close();
    }
  });
});
