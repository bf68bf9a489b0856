// No client secret and no access token in any log line or error message: a whole scenario runs
// with a known secret, and every line and message is scanned for it and for every token issued.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { FaultRuleInput } from "../emulator/faults.ts";
import { call, DEMO_MESSAGES, useEmulator } from "../emulator/test-helpers.ts";
import { EXAMPLE_CONFIG } from "../src/config/example.ts";
import { SendOutcomeUnknown, SfmcConfigError } from "../src/sfmc/errors.ts";
import { readAccountMessages } from "../src/sfmc/sync.ts";
import { cli } from "./helpers/cli.ts";
import { useMemoryDatabase } from "./helpers/engines.ts";
import { DEMO_APP_CONFIG, demoAccount, harness } from "./helpers/sfmc.ts";

const emulator = useEmulator();
const database = useMemoryDatabase();
const SECRET = "Scan-S3cret-7731-xq";
const WRONG_SECRET = "Wrong-S3cret-0042-zz";

async function seedScanClient(): Promise<void> {
  const answer = await call(emulator(), "POST", "_emulator/seed", {
    body: {
      clients: [
        {
          clientId: "scan-client",
          clientSecret: SECRET,
          homeMid: 100,
          mids: [200],
          scopes: ["push_read", "push_write", "push_send"],
        },
      ],
    },
  });
  expect(answer.status, answer.text).toBe(200);
}

async function fault(rule: FaultRuleInput): Promise<void> {
  expect((await call(emulator(), "POST", "_emulator/faults", { body: rule })).status).toBe(201);
}

/** Every access token the emulator has issued. */
const issuedTokens = () => [...emulator().store.tokens.keys()];

/** Fails when `text` holds a secret or an issued token. */
function expectClean(texts: string[], tokens: string[]): void {
  expect(tokens.length).toBeGreaterThan(0);
  for (const text of texts) {
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain(WRONG_SECRET);
    for (const token of tokens) expect(text).not.toContain(token);
    expect(text.toLowerCase()).not.toContain("bearer ");
  }
}

describe("secrets and tokens stay out of logs and errors", () => {
  it("a whole client scenario: tokens, sync, sends, a 401 renewal, retries, an unknown outcome, a wrong secret", async () => {
    await seedScanClient();
    const { client, lines } = harness(emulator(), "socket", {
      account: { clientId: "scan-client", clientSecret: "env:SCAN_SECRET" },
      secret: () => SECRET,
    });
    const errors: unknown[] = [];
    const account = demoAccount(emulator().url, { clientId: "scan-client" });
    await readAccountMessages(client, account, DEMO_APP_CONFIG);
    const tokenId = await client.sendToContacts("100", DEMO_MESSAGES.welcome, ["C000000"]);
    await client.getDeliveries("100", DEMO_MESSAGES.welcome, tokenId);
    await fault({ kind: "expireToken", route: "send", times: 1 });
    await fault({ kind: "rateLimited", route: "deliveries", times: 1, retryAfterSeconds: 1 });
    await client.sendToContacts("100", DEMO_MESSAGES.welcome, ["C000002"]);
    await client.getDeliveries("100", DEMO_MESSAGES.welcome, tokenId);
    await fault({ kind: "dropConnection", route: "send", times: 1 });
    errors.push(
      await client
        .sendToContacts("200", DEMO_MESSAGES.outletWelcome, ["C000000"])
        .catch((e: unknown) => e),
    );
    errors.push(
      await client
        .sendToContacts("100", DEMO_MESSAGES.retired, ["C000000"])
        .catch((e: unknown) => e),
    );
    const wrong = harness(emulator(), "socket", {
      account: { clientId: "scan-client" },
      secret: () => WRONG_SECRET,
    });
    errors.push(await wrong.client.listMessages("100").catch((e: unknown) => e));

    expect(errors[0]).toBeInstanceOf(SendOutcomeUnknown);
    expect(errors[2]).toBeInstanceOf(SfmcConfigError);
    const messages = errors.map((error) => {
      const { message, stack, ...fields } = error as Error;
      return `${message}\n${stack}\n${JSON.stringify(fields)}\n${String((error as Error).cause ?? "")}`;
    });
    const all = [...lines, ...wrong.lines, ...messages];
    // The scenario did log what it went through.
    for (const event of [
      "token issued",
      "renewing it once",
      "retrying",
      "send outcome unknown",
      "send accepted",
    ])
      expect(
        lines.some((line) => line.includes(event)),
        event,
      ).toBe(true);
    expectClean(all, issuedTokens());
  });

  it("the CLI's debug log and output of check and sync", async () => {
    await seedScanClient();
    const dir = await mkdtemp(path.join(os.tmpdir(), "nightjar-sfmc-logs-"));
    try {
      const config = structuredClone(EXAMPLE_CONFIG);
      const [account] = config.sfmc.accounts;
      if (!account) throw new Error("no account in the example config");
      Object.assign(account, { authBaseUrl: emulator().url, clientId: "scan-client" });
      await writeFile(path.join(dir, "nightjar.config.json"), JSON.stringify(config));
      const outputs: string[] = [];
      for (const [args, secret] of [
        [["sfmc", "check", "--json"], SECRET],
        [["sfmc", "sync", "--json"], SECRET],
        [["sfmc", "check", "--json"], WRONG_SECRET],
      ] as const) {
        const run = await cli(dir, [...args], {
          env: { SFMC_CLIENT_SECRET: secret, NIGHTJAR_LOG_LEVEL: "debug" },
          db: database(),
        });
        expect(run.stderr).toContain('"component":"sfmc"');
        outputs.push(run.stdout, run.stderr);
      }
      expectClean(outputs, issuedTokens());
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
