import type { Command } from "commander";
import { InvalidArgumentError } from "commander";
import packageJson from "../../../package.json" with { type: "json" };
import { serveApi } from "../../server/serve.ts";
import type { CommandContext } from "../context.ts";

function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535)
    throw new InvalidArgumentError("expected a port, 0–65535");
  return port;
}

/** `nightjar serve`: the HTTP API (and, later, the web app) until Ctrl-C or SIGTERM. */
export function registerServe(program: Command, context: CommandContext): void {
  program
    .command("serve")
    .description("serve the HTTP API on the configured database until Ctrl-C or SIGTERM")
    .option("--port <port>", "port to listen on (default: server.port, 3000)", parsePort)
    .option("--host <host>", "address to listen on (default: server.host, 127.0.0.1)")
    .option(
      "--no-schedule",
      "do not run the night at schedule.nightlyAt (nor one missed while serve was down); e.g. when cron runs `nightjar run`",
    )
    .option("--json", "print where it listens as one JSON line")
    .action(
      async (
        options: { port?: number; host?: string; schedule: boolean; json?: boolean },
        command: Command,
      ) => {
        const out = context.output(options.json);
        let stop: (signal: NodeJS.Signals) => void = () => {};
        const stopped = new Promise<NodeJS.Signals>((resolve) => {
          stop = resolve;
        });
        await context.withApp(
          command,
          async (app) => {
            const running = await serveApi(app, {
              host: options.host ?? app.config.server.host,
              port: options.port ?? app.config.server.port,
              version: packageJson.version,
              schedule: options.schedule,
            });
            out.result(
              {
                url: running.url,
                pid: process.pid,
                database: app.db.engine,
                startSeconds: running.startSeconds,
                nightly: options.schedule
                  ? { at: app.config.schedule.nightlyAt, timeZone: app.config.schedule.timeZone }
                  : null,
              },
              () =>
                `Nightjar API at ${running.url}/api (reference: ${running.url}/api/docs), on ${app.db.engine === "pglite" ? `the embedded database in ${app.loaded.database.engine === "pglite" ? app.loaded.database.dataDir : "memory"}` : "PostgreSQL"}. ${options.schedule ? `The nightly run starts every day at ${app.config.schedule.nightlyAt} ${app.config.schedule.timeZone}.` : "No nightly schedule (--no-schedule)."} Ctrl-C stops it.`,
            );
            const signal = await stopped;
            out.info(`${signal}: finishing the requests in flight, then stopping…`);
            await running.close();
            out.info("Stopped.");
          },
          { onSignal: (signal) => stop(signal), logLevel: "info" },
        );
      },
    );
}
