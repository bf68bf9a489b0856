import type { PushMessageDefinition } from "./message-schema.ts";

/** An installed package's API integration: credentials, the BUs it may use, its scopes. */
export interface ApiClient {
  clientId: string;
  clientSecret: string;
  /** The BU the package was created in: tokens without `account_id` are for it. */
  homeMid: number;
  /** Every MID the package may get tokens for (home included). */
  mids: number[];
  scopes: string[];
  /** This client's send-rate budget; null uses the emulator's default. */
  sendBudget: { recipients: number; perMinutes: number } | null;
  userId: number;
}

/** A MobilePush app of a BU. */
export interface App {
  id: string;
  name: string;
  description: string;
  keys: { key: string; description: string }[];
  apnsEnabled: boolean;
  gcmEnabled: boolean;
  createdDate: number;
  modifiedDate: number;
}

/** A push message definition; `id` is the base64url `n:114:0` API key. */
export interface PushMessage {
  id: string;
  definition: PushMessageDefinition;
  createdDate: number;
  lastUpdated: number;
}

/** A contact's registration for one app. */
export interface Registration {
  optedIn: boolean;
  tags: string[];
  deviceTokens: string[];
}

/** Many registrations at once: contact keys `prefix` + zero-padded `from`…`to`, dealt round-robin to `appIds`. */
export interface ContactRange {
  prefix: string;
  digits: number;
  from: number;
  to: number;
  appIds: string[];
  optedIn: boolean;
  tags: string[];
}

/**
 * The contacts of one BU: explicit registrations (per app and contact key) over ranges, so that a
 * demo tenant with 200,000 contacts costs nothing to hold.
 */
export class ContactBook {
  readonly explicit = new Map<string, Map<string, Registration>>();
  ranges: ContactRange[] = [];

  /** Adds or replaces the registration of `contactKey` for `appId`. */
  register(appId: string, contactKey: string, registration: Registration): void {
    let forApp = this.explicit.get(appId);
    if (!forApp) {
      forApp = new Map();
      this.explicit.set(appId, forApp);
    }
    forApp.set(contactKey, registration);
  }

  /** The registration of `contactKey` for `appId`, explicit first, then from the ranges. */
  registration(appId: string, contactKey: string): Registration | undefined {
    const own = this.explicit.get(appId)?.get(contactKey);
    if (own) return own;
    for (const range of this.ranges) {
      if (!contactKey.startsWith(range.prefix)) continue;
      const digits = contactKey.slice(range.prefix.length);
      if (digits.length !== range.digits || !/^\d+$/.test(digits)) continue;
      const n = Number(digits);
      if (n < range.from || n > range.to) continue;
      if (range.appIds[(n - range.from) % range.appIds.length] !== appId) continue;
      return { optedIn: range.optedIn, tags: range.tags, deviceTokens: [] };
    }
    return undefined;
  }

  /** The registration holding `deviceToken` for `appId` (explicit registrations only). */
  byDeviceToken(appId: string, deviceToken: string): Registration | undefined {
    for (const registration of this.explicit.get(appId)?.values() ?? []) {
      if (registration.deviceTokens.includes(deviceToken)) return registration;
    }
    return undefined;
  }

  /** How many registrations the book holds (ranges counted by size). */
  size(): number {
    let total = 0;
    for (const forApp of this.explicit.values()) total += forApp.size;
    for (const range of this.ranges) total += range.to - range.from + 1;
    return total;
  }
}

/** A business unit (MID) with its apps, push messages, contacts and tags. */
export interface BusinessUnit {
  mid: number;
  name: string;
  apps: Map<string, App>;
  messages: Map<string, PushMessage>;
  contacts: ContactBook;
  tags: Set<string>;
}

/** Everything SFMC holds for the emulated account(s). */
export class Tenant {
  enterpriseId = 0;
  readonly clients = new Map<string, ApiClient>();
  readonly businessUnits = new Map<number, BusinessUnit>();
  /** The number the next created push message gets (ids are `n:114:0`). */
  nextMessageNumber = 1;

  /** The BU with `mid`, created empty if new. */
  businessUnit(mid: number, name?: string): BusinessUnit {
    let bu = this.businessUnits.get(mid);
    if (!bu) {
      bu = {
        mid,
        name: name ?? `BU ${mid}`,
        apps: new Map(),
        messages: new Map(),
        contacts: new ContactBook(),
        tags: new Set(),
      };
      this.businessUnits.set(mid, bu);
    } else if (name !== undefined) bu.name = name;
    return bu;
  }

  /** The BU that holds the app `appId`, if any. */
  appOwner(appId: string): BusinessUnit | undefined {
    for (const bu of this.businessUnits.values()) if (bu.apps.has(appId)) return bu;
    return undefined;
  }

  /** The BU that holds message `id`, if any. */
  messageOwner(id: string): BusinessUnit | undefined {
    for (const bu of this.businessUnits.values()) if (bu.messages.has(id)) return bu;
    return undefined;
  }
}
