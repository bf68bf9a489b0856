/**
 * `nightjar sfmc check`: for every business unit of an account, get a token and read each
 * configured app, and say what works and what does not in words an operator can act on.
 */
import type { App } from "../app.ts";
import type { SfmcAccount, SfmcApp } from "../config/schema.ts";
import { MissingSecretError } from "../config/secrets.ts";
import type { SfmcClient } from "./client.ts";
import { SfmcConfigError, SfmcConnectionError } from "./errors.ts";

export interface AppCheck {
  id: string;
  name: string;
  ok: boolean;
  /** False when it could not be checked (its business unit has no usable token). */
  checked: boolean;
  problem?: string;
  /** Worth knowing, not a problem (e.g. SFMC names the app differently). */
  note?: string;
}

export interface BusinessUnitCheck {
  mid: string;
  name: string;
  ok: boolean;
  /** False when it could not be checked (the account's credentials do not work). */
  checked: boolean;
  /** The token's scopes; null when no token was issued. */
  scopes: string[] | null;
  problem?: string;
  apps: AppCheck[];
}

export interface AccountCheck {
  name: string;
  ok: boolean;
  /** A problem of the whole account (its credentials). */
  problem?: string;
  businessUnits: BusinessUnitCheck[];
}

/** Scopes Nightjar needs, and what fails without each. */
const NEEDED_SCOPES = [
  ["push_read", "reading messages, apps and deliveries will fail: grant MobilePush Read"],
  ["push_send", "sends will fail: grant MobilePush Send"],
] as const;

const describe = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** Checks one account: a token per business unit, then each configured app of each BU. */
export async function checkAccount(
  client: SfmcClient,
  account: SfmcAccount,
  apps: readonly SfmcApp[],
): Promise<AccountCheck> {
  const report: AccountCheck = { name: account.name, ok: true, businessUnits: [] };
  const readable = new Map<string, string>(); // MID → BU name, for BUs whose apps can be read
  for (const bu of account.businessUnits) {
    const check: BusinessUnitCheck = {
      mid: bu.mid,
      name: bu.name,
      ok: true,
      checked: true,
      scopes: null,
      apps: [],
    };
    report.businessUnits.push(check);
    if (report.problem !== undefined) {
      check.ok = false;
      check.checked = false;
      check.problem = "not checked: the account's credentials do not work";
      continue;
    }
    try {
      check.scopes = (await client.authenticate(bu.mid)).scopes;
    } catch (error) {
      check.ok = false;
      const accountWide =
        error instanceof MissingSecretError ||
        error instanceof SfmcConnectionError ||
        (error instanceof SfmcConfigError &&
          (error.problem === "client_id" || error.problem === "client_secret"));
      if (accountWide) {
        report.problem = describe(error);
        check.checked = false;
        check.problem = "not checked: the account's credentials do not work";
      } else check.problem = describe(error);
      continue;
    }
    const missing = NEEDED_SCOPES.filter(([scope]) => !check.scopes?.includes(scope));
    if (missing.length > 0) {
      check.ok = false;
      check.problem = `the token lacks ${missing.map(([scope, effect]) => `${scope} (${effect})`).join(" and ")} on the installed package`;
    }
    if (check.scopes.includes("push_read")) readable.set(bu.mid, bu.name);
  }

  for (const check of report.businessUnits) {
    for (const app of apps.filter((a) => a.businessUnit === check.mid)) {
      const result: AppCheck = { id: app.id, name: app.name, ok: false, checked: true };
      check.apps.push(result);
      if (!readable.has(check.mid)) {
        result.checked = false;
        result.problem = "not checked: no usable token for its business unit";
        continue;
      }
      try {
        const found = await client.getApplication(check.mid, app.id);
        if (found) {
          result.ok = true;
          if (found.name !== app.name) result.note = `SFMC names it "${found.name}"`;
        } else result.problem = await whereElse(client, app, check, readable);
      } catch (error) {
        result.problem = describe(error);
      }
    }
  }
  report.ok =
    report.problem === undefined &&
    report.businessUnits.every((bu) => bu.ok && bu.apps.every((app) => app.ok));
  return report;
}

/** The problem text for an app SFMC does not know in its BU: found in another BU, or nowhere. */
async function whereElse(
  client: SfmcClient,
  app: SfmcApp,
  bu: BusinessUnitCheck,
  readable: ReadonlyMap<string, string>,
): Promise<string> {
  const missing = `SFMC has no app ${app.id} in business unit ${bu.mid} (${bu.name})`;
  for (const [mid, name] of readable) {
    if (mid === bu.mid) continue;
    const found = await client.getApplication(mid, app.id).catch(() => null);
    if (found)
      return `${missing}: it is an app of business unit ${mid} (${name}); set its businessUnit to "${mid}" in sfmc.apps`;
  }
  return `${missing}: check the app id on the MobilePush Administration page, and that the app belongs to this business unit`;
}

/** Problems found; what could not be checked because of one of them does not count again. */
export function problemCount(report: AccountCheck): number {
  return (
    (report.problem ? 1 : 0) +
    report.businessUnits.reduce(
      (sum, bu) =>
        sum +
        (bu.checked && !bu.ok && bu.problem ? 1 : 0) +
        bu.apps.filter((app) => app.checked && !app.ok).length,
      0,
    )
  );
}

/** What `sfmc check` found for every configured account. */
export interface SfmcCheck {
  ok: boolean;
  accounts: AccountCheck[];
  /** Problems in all (see `problemCount`). */
  problems: number;
}

/** Use case: checks every configured account, business unit and app (see `checkAccount`). */
export async function checkSfmc(app: Pick<App, "config" | "sfmc">): Promise<SfmcCheck> {
  const accounts: AccountCheck[] = [];
  // A check says at once that SFMC cannot be reached, rather than retrying a refused connection.
  for (const { client, account } of app.sfmc)
    accounts.push(
      await checkAccount(
        client.withRetry({ retryConnectFailures: false }),
        account,
        app.config.sfmc.apps,
      ),
    );
  return {
    ok: accounts.every((report) => report.ok),
    accounts,
    problems: accounts.reduce((sum, report) => sum + problemCount(report), 0),
  };
}
