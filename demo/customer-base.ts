/**
 * The demo's generated customer base: customers with attributes and push consent, and a year of
 * purchases with the rhythms of a real shop — evenings, weekends, paydays, a summer lull, Black
 * Friday and the weeks before Christmas — from customers who buy at a rate of their own and may
 * stop after any purchase (what the BG/NBD model assumes). Seeded: the same scale gives the same
 * customers and the same purchases.
 */
import { gammaDraw, seededRandom } from "../src/model/stats/simulate.ts";
import { addDays } from "../src/time/zones.ts";

const DAY_MS = 86_400_000;
const COUNTRIES: [string, number][] = [
  ["DE", 0.38],
  ["FR", 0.2],
  ["AT", 0.1],
  ["NL", 0.12],
  ["IT", 0.1],
  ["ES", 0.1],
];
const NAMES = [
  "Anna",
  "Ben",
  "Clara",
  "David",
  "Elif",
  "Finn",
  "Greta",
  "Hugo",
  "Ines",
  "Jonas",
  "Lea",
  "Luca",
  "Marie",
  "Noah",
  "Olivia",
  "Paul",
  "Sofia",
  "Tom",
];
// Share of a day's purchases made in each hour (UTC), the evening peak of a web shop.
const HOURS = [
  0.6, 0.3, 0.2, 0.2, 0.2, 0.4, 0.8, 1.6, 2.6, 3.4, 3.8, 4.0, 4.6, 4.4, 4.0, 4.0, 4.4, 5.2, 6.8,
  8.4, 9.0, 7.6, 4.6, 2.0,
];
// Monday … Sunday (getUTCDay order: Sunday first).
const WEEKDAYS = [1.25, 1.05, 0.95, 0.95, 1.0, 0.9, 1.1];

/** The contact key of customer `i`, as the emulator's demo tenant registers them. */
export const contactKey = (i: number) => `C${String(i).padStart(6, "0")}`;

/** One generated customer. */
export interface DemoCustomer {
  index: number;
  contactKey: string;
  firstName: string;
  country: string;
  signupDate: string;
  allowPush: boolean;
  /** The date from which the customer's push consent is the other way round, if it changes. */
  consentFlipsOn: string | null;
  /** The customer's typical basket, in the shop's currency. */
  spend: number;
}

/** A purchase (or, with a negative amount, a refund). */
export interface DemoPurchase {
  customer: number;
  at: number;
  amount: number;
  id: string;
}

/** The base and its purchases from a year before `firstNight` to the end of `lastDay`. */
export interface CustomerBase {
  /** Everyone: those who signed up before `firstNight`, then those who joined on a later day. */
  customers: DemoCustomer[];
  /** Purchases before `firstNight` (its file is imported by the first night). */
  history: DemoPurchase[];
  /** Purchases of each later day (`YYYY-MM-DD` → purchases), imported the night after. */
  days: Map<string, DemoPurchase[]>;
}

/** How much more (or less) a shop sells on the day of `at`, relative to an ordinary day. */
function seasonFactor(at: number): number {
  const date = new Date(at);
  const month = date.getUTCMonth();
  const day = date.getUTCDate();
  let factor = WEEKDAYS[date.getUTCDay()] ?? 1;
  if (month === 6 || month === 7) factor *= 0.8; // summer lull
  if (day >= 25 || day <= 2) factor *= 1.15; // payday
  if (month === 10 && day >= 24 && day <= 30) factor *= 1.9; // Black Friday week
  if (month === 11 && day <= 22) factor *= 1.5; // Christmas shopping
  if (month === 11 && day >= 24 && day <= 26) factor *= 0.5;
  return factor;
}
const MAX_FACTOR = 1.25 * 1.15 * 1.9;

function pick<T>(rnd: () => number, weighted: [T, number][]): T {
  let roll = rnd();
  for (const [value, weight] of weighted) {
    roll -= weight;
    if (roll < 0) return value;
  }
  return (weighted.at(-1) as [T, number])[0];
}

function hourOf(rnd: () => number): number {
  const total = HOURS.reduce((s, h) => s + h, 0);
  let roll = rnd() * total;
  for (let h = 0; h < HOURS.length; h++) {
    roll -= HOURS[h] as number;
    if (roll < 0) return h;
  }
  return 20;
}

/**
 * Generates `size` customers who signed up over the three years before `firstNight`, and
 * `joinersPerDay` more on each day from `firstNight` to `lastDay`, with their purchases from 365
 * days before `firstNight` to the end of `lastDay`. One customer in five never buys; one in sixty
 * changes their push consent on one of the days.
 */
export function generateCustomerBase(options: {
  size: number;
  joinersPerDay: number;
  firstNight: string;
  lastDay: string;
  seed?: number;
}): CustomerBase {
  const rnd = seededRandom(options.seed ?? 20_261_201);
  const firstNight = Date.parse(`${options.firstNight}T00:00:00Z`);
  const start = firstNight - 365 * DAY_MS;
  const end = Date.parse(`${addDays(options.lastDay, 1)}T00:00:00Z`);
  const dates: string[] = [];
  for (let day = options.firstNight; day <= options.lastDay; day = addDays(day, 1)) dates.push(day);
  const base: CustomerBase = { customers: [], history: [], days: new Map() };
  for (const day of dates) base.days.set(day, []);
  const add = (purchase: DemoPurchase) => {
    if (purchase.at < firstNight) base.history.push(purchase);
    else base.days.get(new Date(purchase.at).toISOString().slice(0, 10))?.push(purchase);
  };
  const customer = (signup: number, firstBuyWithinDays: number) => {
    const index = base.customers.length;
    const spend = Math.round(Math.exp(3.4 + 0.6 * gammaDraw(rnd, 2, 1) - 1.2) * 100) / 100;
    base.customers.push({
      index,
      contactKey: contactKey(index),
      firstName: NAMES[Math.floor(rnd() * NAMES.length)] as string,
      country: pick(rnd, COUNTRIES),
      signupDate: new Date(signup).toISOString().slice(0, 10),
      allowPush: rnd() < 0.74,
      consentFlipsOn: rnd() < 1 / 60 ? (dates[Math.floor(rnd() * dates.length)] as string) : null,
      spend,
    });
    if (rnd() < 0.2) return; // signed up, never bought
    // Purchases a day (Gamma across customers, about one a month on average) and a chance to
    // stop after each purchase.
    const rate = (gammaDraw(rnd, 1.4, 1) / 1.4) * (1 / 30);
    const dropout = 0.03 + rnd() * 0.22;
    let t = Math.max(signup, start) + rnd() * firstBuyWithinDays * DAY_MS;
    let n = 0;
    while (t < end) {
      // Thinning: candidates at the busiest rate, kept by how busy their day is.
      if (rnd() < seasonFactor(t) / MAX_FACTOR) {
        const at = Math.floor(t / DAY_MS) * DAY_MS + purchaseMinute(rnd) * 60_000;
        const amount = Math.round(spend * (0.5 + rnd()) * 100) / 100;
        add({ customer: index, at, amount, id: `T${index}-${n++}` });
        // One purchase in thirty is returned within two weeks.
        if (rnd() < 1 / 30) {
          const back = at + (1 + Math.floor(rnd() * 14)) * DAY_MS;
          if (back < end)
            add({ customer: index, at: back, amount: -amount, id: `T${index}-${n++}` });
        }
        if (n > 1 && rnd() < dropout) break;
      }
      t += (-Math.log(1 - rnd()) / (rate * MAX_FACTOR)) * DAY_MS;
    }
  };
  // Three years of sign-ups, more of them recent.
  for (let i = 0; i < options.size; i++)
    customer(firstNight - Math.floor(rnd() ** 1.6 * 3 * 365) * DAY_MS - DAY_MS, 60);
  for (const day of dates)
    for (let i = 0; i < options.joinersPerDay; i++)
      customer(Date.parse(`${day}T00:00:00Z`) + purchaseMinute(rnd) * 60_000, 10);
  return base;
}

/** A minute of the day (UTC) for a purchase, as the shop's evenings are busier. */
export function purchaseMinute(rnd: () => number): number {
  return hourOf(rnd) * 60 + Math.floor(rnd() * 60);
}

/** The customers present on `date`'s snapshot (signed up before it), consent as of that date. */
export function customersOn(base: CustomerBase, date: string): DemoCustomer[] {
  return base.customers
    .filter((c) => c.signupDate < date)
    .map((c) =>
      c.consentFlipsOn !== null && c.consentFlipsOn <= date ? { ...c, allowPush: !c.allowPush } : c,
    );
}

/** The customer snapshot file's text (the config's attributes, in its column order). */
export function customerFile(customers: DemoCustomer[]): string {
  const lines = ["contact_key,first_name,country,signup_date,allow_push"];
  for (const c of customers)
    lines.push(`${c.contactKey},${c.firstName},${c.country},${c.signupDate},${c.allowPush}`);
  return `${lines.join("\n")}\n`;
}

/** A transactions file's text. */
export function transactionsFile(purchases: DemoPurchase[]): string {
  const lines = ["contact_key,occurred_at,amount,transaction_id"];
  for (const p of purchases) {
    const at = new Date(p.at).toISOString().slice(0, 16).replace("T", " ");
    lines.push(`${contactKey(p.customer)},${at},${p.amount.toFixed(2)},${p.id}`);
  }
  return `${lines.join("\n")}\n`;
}
