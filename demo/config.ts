/**
 * The demo's config and emulator tenant: the example config (`nightjar init`'s) with its account's
 * send budget at 25,000 recipients per 30 minutes — in Nightjar's config and in the emulator alike,
 * so that the big campaign exceeds it and goes out spread — and a drop folder for the nightly
 * run's files.
 */
import { DEMO_CLIENT, demoSeed } from "../emulator/demo-tenant.ts";
import type { SeedInput } from "../emulator/seed.ts";
import { EXAMPLE_CONFIG } from "../src/config/example.ts";
import type { NightjarConfig } from "../src/config/schema.ts";

/** The demo account's send budget. */
export const DEMO_BUDGET = { recipients: 25_000, perMinutes: 30 } as const;

/** The demo's sign-in, printed when it is ready. */
export const DEMO_SIGN_IN = { email: "admin@example.com", password: "nightjar-demo" } as const;

/** A marketer (same password), to see the app without the admin's pages. */
export const DEMO_MARKETER = "marketer@example.com";

/** The folder, relative to the config, the nightly run imports the day's files from. */
export const DROP_FOLDER = "drop";

/** A send budget: recipients per so many minutes. */
export interface SendBudget {
  recipients: number;
  perMinutes: number;
}

/** The demo's config, its SFMC account at the emulator's `url` with `budget`. */
export function demoConfig(emulatorUrl: string, budget: SendBudget = DEMO_BUDGET): NightjarConfig {
  const config = structuredClone(EXAMPLE_CONFIG) as NightjarConfig;
  config.database = { url: null, dataDir: "data" };
  config.imports.dropFolder = DROP_FOLDER;
  for (const account of config.sfmc.accounts) {
    account.authBaseUrl = emulatorUrl;
    account.sendBudget = { ...budget, reservePercent: 0 };
  }
  return config;
}

/** The emulator's demo tenant with the demo client's budget set to `budget`, as in the config. */
export function demoTenant(budget: SendBudget = DEMO_BUDGET): SeedInput {
  const seed = demoSeed();
  for (const client of seed.clients ?? [])
    if (client.clientId === DEMO_CLIENT.clientId) client.sendBudget = { ...budget };
  return seed;
}
