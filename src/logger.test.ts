import { describe, expect, it } from "vitest";
import { SecretVault } from "./config/secrets.ts";
import { createLogger } from "./logger.ts";

function collector(isTTY: boolean) {
  const lines: string[] = [];
  return { lines, destination: { isTTY, write: (line: string) => lines.push(line) } };
}

describe("the log", () => {
  it("writes pino JSON lines to files and pipes, readable lines to a terminal, secrets redacted", () => {
    const vault = new SecretVault({});
    vault.remember("t0ken-S3cret");
    for (const isTTY of [false, true]) {
      const { lines, destination } = collector(isTTY);
      const logger = createLogger({ vault, destination, level: "info" });
      logger.warn(
        { component: "sfmc", account: "demo", token: "t0ken-S3cret" },
        "SFMC is throttling",
      );
      expect(lines).toHaveLength(1);
      const line = lines[0] as string;
      expect(line).not.toContain("t0ken-S3cret");
      if (isTTY) {
        expect(line).toMatch(/^\[\d\d:\d\d:\d\d\] WARN: SFMC is throttling\n/);
        expect(line).toContain('component: "sfmc"');
        expect(line).toContain('token: "[redacted]"');
        expect(() => JSON.parse(line)).toThrow();
      } else {
        expect(JSON.parse(line)).toMatchObject({
          level: 40,
          msg: "SFMC is throttling",
          component: "sfmc",
          token: "[redacted]",
        });
      }
    }
  });

  it("refuses an unknown NIGHTJAR_LOG_LEVEL as a config error", () => {
    expect(() =>
      createLogger({
        vault: new SecretVault({}),
        destination: collector(false).destination,
        level: "loud",
      }),
    ).toThrow(
      'NIGHTJAR_LOG_LEVEL must be one of trace, debug, info, warn, error, fatal, silent, not "loud"',
    );
  });
});
