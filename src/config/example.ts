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
  },
  sfmc: {
    accounts: [
      {
        name: "demo",
        authBaseUrl: "http://127.0.0.1:4010/",
        clientId: "demo-client",
        clientSecret: "env:SFMC_CLIENT_SECRET",
        sendBudget: { recipients: 250_000, perMinutes: 30 },
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
  schedule: { nightlyAt: "02:00", timeZone: "UTC" },
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
