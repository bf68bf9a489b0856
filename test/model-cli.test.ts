import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readCdnowSample } from "./helpers/cdnow.ts";
import { cli, onlyJson } from "./helpers/cli.ts";

const FIT = [
  "model",
  "fit",
  "--transactions",
  "cdnow.csv",
  "--calibration-end",
  "1997-09-30",
  "--period",
  "week",
];

let dir = "";
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "nightjar-model-"));
  const lines = readCdnowSample().map((l) => `${l.sampleId},${l.date},${l.dollars}`);
  await writeFile(
    path.join(dir, "cdnow.csv"),
    `contact_key,occurred_at,amount\n${lines.join("\n")}\n`,
  );
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("nightjar model fit", () => {
  it("fits CDNOW from a transactions CSV in a folder without config, as one JSON line", async () => {
    const run = await cli(dir, [...FIT, "--json"]);
    expect(run.code, run.stderr).toBe(0);
    const result = onlyJson(run) as {
      customers: number;
      bgnbd: Record<string, number>;
      gammaGamma: Record<string, number>;
    };
    expect(result).toEqual({
      customers: 2357,
      bgnbd: {
        r: expect.closeTo(0.243, 3),
        alpha: expect.closeTo(4.414, 3),
        a: expect.closeTo(0.793, 3),
        b: expect.closeTo(2.426, 3),
        logLikelihood: expect.closeTo(-9582.43, 2),
        standardErrors: {
          r: expect.any(Number),
          alpha: expect.any(Number),
          a: expect.any(Number),
          b: expect.any(Number),
        },
        converged: true,
      },
      gammaGamma: {
        p: expect.closeTo(6.25, 2),
        q: expect.closeTo(3.74, 2),
        gamma: expect.closeTo(15.44, 2),
        logLikelihood: expect.any(Number),
        customers: 946,
        standardErrors: { p: expect.any(Number), q: expect.any(Number), gamma: expect.any(Number) },
        converged: true,
      },
    });
    expect(result.bgnbd.standardErrors).toMatchObject({ r: expect.closeTo(0.01256, 4) });
    expect(run.stderr).toBe("");
    // Nothing written next to the data: no config, no database.
    expect(await readdir(dir)).toEqual(["cdnow.csv"]);
  });

  it("prints a readable table without --json", async () => {
    const run = await cli(dir, FIT);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain("Fitted on 2,357 customers: 4,960 purchases up to 1997-09-30");
    expect(run.stdout).toContain("BG/NBD (purchase rate and dropout), log-likelihood -9582.43");
    expect(run.stdout).toMatch(/^ {2}alpha +4\.413\d {2}± 0\.378\d$/m);
    expect(run.stdout).toContain("Gamma-Gamma (spend per purchase), 946 repeat buyers");
  });

  it("refuses a file with bad rows, naming each line and column, and exits 1", async () => {
    await writeFile(
      path.join(dir, "bad.csv"),
      "contact_key,occurred_at,amount\nA,2024-01-01,10\nB,2024-02-30,5\n,2024-01-02,ten\n",
    );
    const run = await cli(dir, [...FIT.slice(0, 3), "bad.csv", ...FIT.slice(4), "--json"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      'line 3, column occurred_at, value "2024-02-30": not a valid timestamp',
    );
    expect(onlyJson(run)).toEqual({
      error: {
        type: "TransactionsFileError",
        kind: "refused",
        message: expect.stringContaining("bad.csv cannot be used for the model (3 problems)"),
        file: path.join(dir, "bad.csv"),
        totalProblems: 3,
        problems: [
          {
            line: 3,
            column: "occurred_at",
            value: "2024-02-30",
            reason: expect.stringMatching(/^not a valid timestamp/),
          },
          { line: 4, column: "contact_key", value: "", reason: "required value is missing" },
          {
            line: 4,
            column: "amount",
            value: "ten",
            reason: expect.stringMatching(/^not a number/),
          },
        ],
      },
    });
    const missing = await cli(dir, [...FIT.slice(0, 3), "missing.csv", ...FIT.slice(4)]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(
      "missing.csv cannot be used for the model (1 problem):\n  file: no such file",
    );
  });

  it("exits 2 on bad options, and shows help without a config", async () => {
    const period = await cli(dir, [...FIT.slice(0, -1), "month"]);
    expect(period.code).toBe(2);
    expect(period.stderr).toContain('expected "day" or "week"');
    const date = await cli(dir, [...FIT.slice(0, 5), "1997-09-31", ...FIT.slice(6)]);
    expect(date.code).toBe(2);
    for (const command of ["model", "model fit"]) {
      const help = await cli(dir, [...command.split(" "), "--help"]);
      expect(help.code, command).toBe(0);
      expect(help.stdout).toContain(`Usage: nightjar ${command}`);
    }
  });
});
