import type { App } from "../app.ts";
import { stopwatch } from "../clock.ts";
import { shareDatabase } from "../db/share.ts";
import { type NightlySchedule, startNightlySchedule } from "../delivery/scheduler.ts";
import { buildServer, type NightjarServer } from "./server.ts";

/** A listening API server. */
export interface RunningServer {
  readonly server: NightjarServer;
  /** Where it listens, e.g. `http://127.0.0.1:3000`. */
  readonly url: string;
  /** Seconds from the start of `serveApi` until it listened. */
  readonly startSeconds: number;
  /** The nightly schedule, when asked for. */
  readonly schedule: NightlySchedule | null;
  /** Stops accepting, lets the requests in flight finish, and closes. */
  close(): Promise<void>;
}

/**
 * Use case: builds the API server on the app and listens on `host:port` (port 0: any free one);
 * with `schedule`, also runs the night every day at `schedule.nightlyAt` (and one it missed).
 */
export async function serveApi(
  app: App,
  options: {
    host: string;
    port: number;
    version: string;
    schedule?: boolean;
    dataReady?: () => boolean;
  },
): Promise<RunningServer> {
  const started = stopwatch();
  const server = await buildServer(app, {
    version: options.version,
    ...(options.dataReady ? { dataReady: options.dataReady } : {}),
  });
  // PGlite serves this one process: the CLI commands run beside the server use it through the
  // share (only the process that opened the folder shares it).
  const { dataDir } = app.db;
  const share = dataDir ? await shareDatabase(app.db, dataDir, { logger: app.logger }) : undefined;
  try {
    await server.http.listen({ host: options.host, port: options.port });
  } catch (error) {
    await share?.close();
    await server.http.close();
    throw error;
  }
  const address = server.http.server.address();
  const url =
    address && typeof address === "object"
      ? `http://${address.family === "IPv6" ? `[${address.address}]` : address.address}:${address.port}`
      : `http://${options.host}:${options.port}`;
  const startSeconds = started();
  app.logger.info({ component: "http", url, startSeconds }, "Nightjar API listening");
  const schedule = options.schedule ? startNightlySchedule(app) : null;
  return {
    server,
    url,
    startSeconds,
    schedule,
    close: async () => {
      // A scheduled run in progress hands over no further batch, and ends before the database is let go.
      await schedule?.close();
      // A keep-alive connection whose request finishes during the stop would otherwise hold it
      // open until the client lets go: each one is closed as soon as it falls idle.
      const sweep = setInterval(() => server.http.server.closeIdleConnections(), 50);
      try {
        await server.http.close();
      } finally {
        clearInterval(sweep);
      }
      await share?.close();
    },
  };
}
