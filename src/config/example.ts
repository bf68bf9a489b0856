import { writeFile } from "node:fs/promises";
import { NightjarError } from "../errors.ts";
import type { NightjarConfig } from "./schema.ts";

/**
 * The config `nightjar init` writes: every key, pointing at the local SFMC emulator's demo tenant
 * (client `demo-client`, secret from SFMC_CLIENT_SECRET, BUs 100 `NJA_` and 200 `NJB_`).
 */
export const EXAMPLE_CONFIG = {
  database: { url: null, dataDir: ".nightjar" },
  customers: {
    attributes: [
      { name: "first_name", type: "text", required: false },
      { name: "country", type: "text", required: false },
      { name: "signup_date", type: "date", required: false },
      { name: "allow_push", type: "boolean", required: true },
    ],
    maxRemovedPercent: 10,
    ignoreColumns: [],
    pushConsent: "allow_push",
    exclusionFlags: [],
  },
  imports: { maxLineBytes: 1024 * 1024, dropFolder: null },
  sfmc: {
    accounts: [
      {
        name: "demo",
        authBaseUrl: "http://127.0.0.1:4010/",
        clientId: "demo-client",
        clientSecret: "env:SFMC_CLIENT_SECRET",
        sendBudget: { recipients: 250_000, perMinutes: 30, reservePercent: 0 },
        maxInFlight: 4,
        businessUnits: [
          { mid: "100", name: "Demo Main", templatePrefix: "NJA_" },
          { mid: "200", name: "Demo Second", templatePrefix: "NJB_" },
        ],
      },
    ],
    apps: [
      { id: "6f1c3a52-1000-4a6e-9b3d-0000000000a1", name: "Demo Shop iOS", businessUnit: "100" },
      {
        id: "6f1c3a52-1000-4a6e-9b3d-0000000000a2",
        name: "Demo Shop Android",
        businessUnit: "100",
      },
      { id: "6f1c3a52-2000-4a6e-9b3d-0000000000b1", name: "Demo Outlet iOS", businessUnit: "200" },
      {
        id: "6f1c3a52-2000-4a6e-9b3d-0000000000b2",
        name: "Demo Outlet Android",
        businessUnit: "200",
      },
    ],
  },
  schedule: { nightlyAt: "02:00", timeZone: "UTC", requireFreshData: false },
  campaigns: { globalControlPercent: 0, frequencyCap: null, testContacts: [] },
  delivery: { handOverLeadMinutes: null, maxLatenessMinutes: 360, retentionDays: 400 },
  server: {
    port: 3000,
    host: "127.0.0.1",
    publicUrl: null,
    secureCookies: false,
    trustProxy: false,
    sessionIdleMinutes: 60,
    sessionMaxHours: 12,
  },
  model: {
    period: "week",
    predictionDays: 90,
    clv: { months: 12, monthlyDiscountRate: 0.01 },
    fitSample: 200_000,
    stages: {
      newDays: 30,
      reactivatedDays: 60,
      atRisk: { maxPAlive: 0.6, overdueFactor: 2 },
      churned: { maxPAlive: 0.3, overdueFactor: 4 },
    },
    segments: {
      seed: 1,
      sampleSize: 20_000,
      layers: [
        { key: "v", name: "value", features: ["value"], clusters: 4 },
        { key: "f", name: "frequency", features: ["frequency"], clusters: 3 },
        { key: "r", name: "recency", features: ["recency"], clusters: 3 },
      ],
    },
  },
} satisfies NightjarConfig;

/** `file` already exists and was not to be overwritten. */
export class ConfigExistsError extends NightjarError {
  override name = "ConfigExistsError";
  override readonly kind = "conflict";
}

/** Use case: writes the example config to `file` (refused when it exists, unless `force`). */
export async function writeExampleConfig(
  file: string,
  options: { force: boolean },
): Promise<string> {
  const text = `${JSON.stringify(EXAMPLE_CONFIG, null, 2)}\n`;
  try {
    await writeFile(file, text, { flag: options.force ? "w" : "wx" });
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === "EEXIST")
      throw new ConfigExistsError(`${file} already exists; use --force to overwrite it`, { cause });
    throw cause;
  }
  return file;
}
