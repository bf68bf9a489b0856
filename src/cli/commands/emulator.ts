import { type Command, InvalidArgumentError } from "commander";
import { DEMO_CLIENT } from "../../../emulator/demo-tenant.ts";
import { EmulatorError } from "../../../emulator/errors.ts";
import type { RunningEmulator } from "../../../emulator/server.ts";
import { NightjarError } from "../../errors.ts";
import type { CommandContext } from "../context.ts";

interface EmulatorOptions {
  port: number;
  host: string;
  seed?: string;
  state?: string;
  budgetMode?: "queue" | "reject";
  logLevel: string;
  json?: boolean;
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65_535)
    throw new InvalidArgumentError("expected a port number (0 picks a free one)");
  return port;
}

function parseBudgetMode(value: string): "queue" | "reject" {
  if (value !== "queue" && value !== "reject")
    throw new InvalidArgumentError("expected queue or reject");
  return value;
}

function parseLogLevel(value: string): string {
  const levels = ["trace", "debug", "info", "warn", "error", "fatal", "silent"];
  if (!levels.includes(value))
    throw new InvalidArgumentError(`expected one of ${levels.join(", ")}`);
  return value;
}

/** The clients to show on start; only the demo client's secret, which is public, is printed. */
function clientsOf(running: RunningEmulator) {
  return [...running.store.tenant.clients.values()].map((client) => {
    const demo =
      client.clientId === DEMO_CLIENT.clientId && client.clientSecret === DEMO_CLIENT.clientSecret;
    return {
      clientId: client.clientId,
      ...(demo ? { clientSecret: client.clientSecret } : {}),
      homeMid: client.homeMid,
      mids: client.mids,
    };
  });
}

/** Resolves on the first SIGINT or SIGTERM. */
function untilStopped(): Promise<string> {
  return new Promise((resolve) => {
    const stop = (signal: string) => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      resolve(signal);
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
}

export function registerEmulator(program: Command, context: CommandContext): void {
  program
    .command("emulator")
    .description(
      "run the local SFMC MobilePush emulator (the demo tenant unless --seed or --state); no config needed",
    )
    .option("--port <port>", "TCP port; 0 picks a free one", parsePort, 4010)
    .option("--host <host>", "interface to listen on", "127.0.0.1")
    .option("--seed <file>", "seed file (JSON, see emulator/README.md) instead of the demo tenant")
    .option(
      "--state <file>",
      "keep the state in this file: loaded at start when it exists, written on exit",
    )
    .option(
      "--budget-mode <mode>",
      "past the send-rate budget: queue (execute late, the default) or reject (429)",
      parseBudgetMode,
    )
    .option(
      "--log-level <level>",
      "request log on stderr (pino JSON), or silent",
      parseLogLevel,
      "info",
    )
    .option("--json", "print the URL and credentials as one JSON line")
    .action(async (options: EmulatorOptions) => {
      const out = context.output(options.json);
      let running: RunningEmulator;
      try {
        // Loaded here, so that other commands do not pay for Fastify at start-up.
        const { startEmulator } = await import("../../../emulator/server.ts");
        running = await startEmulator({
          port: options.port,
          host: options.host,
          seed: options.seed && context.resolve(options.seed),
          state: options.state && context.resolve(options.state),
          behaviour: options.budgetMode ? { budget: { mode: options.budgetMode } } : undefined,
          logger:
            options.logLevel === "silent"
              ? false
              : { level: options.logLevel, stream: context.io.stderr as NodeJS.WritableStream },
        });
      } catch (cause) {
        if (cause instanceof EmulatorError) throw new NightjarError(cause.message, { cause });
        throw cause;
      }
      const clients = clientsOf(running);
      out.result(
        {
          url: running.url,
          authBaseUrl: running.url,
          admin: `${running.url}_emulator`,
          clients,
          state: options.state ?? null,
        },
        () =>
          [
            `SFMC emulator listening on ${running.url}`,
            `  auth:   POST ${running.url}v2/token (the REST and SOAP instance URLs point here too)`,
            ...clients.map(
              (c) =>
                `  client: ${c.clientId}${c.clientSecret ? ` / ${c.clientSecret}` : ""}` +
                ` (MIDs ${c.mids.map((m) => (m === c.homeMid ? `${m} (home)` : m)).join(", ")})`,
            ),
            `  admin:  ${running.url}_emulator`,
            options.state ? `  state:  ${options.state} (written on exit)` : "",
            "Nightjar: `nightjar init` writes a config for the demo tenant; set SFMC_CLIENT_SECRET=demo-secret.",
            "Stop with Ctrl+C.",
          ]
            .filter(Boolean)
            .join("\n"),
      );
      const signal = await untilStopped();
      await running.close();
      out.info(
        `SFMC emulator stopped (${signal})${options.state ? `; state written to ${options.state}` : ""}.`,
      );
    });
}
