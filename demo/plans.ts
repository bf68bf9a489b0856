/**
 * What the demo's marketer plans: its target groups and campaigns, and when tonight's campaign
 * goes out.
 */
import { DEMO_APPS } from "../emulator/demo-tenant.ts";
import { addDays } from "../src/time/zones.ts";

/** A campaign of the demo, its target group and push message named. */
export interface CampaignPlan {
  name: string;
  group: string;
  businessUnit: string;
  appId: string;
  message: string;
  schedule: Record<string, string>;
  sendTime: string;
  timeZone: string;
  controlGroupPercent: number;
  priority: number;
  exclusive: boolean;
}

export const GROUPS: { name: string; description: string; rule: unknown }[] = [
  {
    name: "At risk",
    description: "Customers the model sees slipping away",
    rule: { all: [{ field: "lifecycle_stage", op: "eq", value: "at_risk" }] },
  },
  {
    name: "All customers",
    description: "Everyone in the customer base",
    rule: { all: [{ field: "contact_key", op: "starts_with", value: "C" }] },
  },
  {
    name: "France",
    description: "Customers in France",
    rule: { all: [{ field: "country", op: "eq", value: "FR" }] },
  },
  {
    name: "New sign-ups",
    // The last 2 days, the run date included: each night's file brings yesterday's sign-ups.
    description: "Signed up since yesterday",
    rule: { all: [{ field: "signup_date", op: "within_last_days", value: 2 }] },
  },
  {
    name: "Lapsing big spenders",
    description: "At risk or churned, with a high customer lifetime value",
    rule: {
      all: [
        { any: [{ field: "lifecycle_stage", op: "in", value: ["at_risk", "churned"] }] },
        { field: "value_tier", op: "gte", value: 3 },
      ],
    },
  },
];

export function campaignPlans(
  sendDate: string,
  tonight: { date: string; time: string },
): CampaignPlan[] {
  const once = { type: "once", date: sendDate };
  return [
    {
      name: "Win-back: at-risk customers",
      group: "At risk",
      businessUnit: "100",
      appId: DEMO_APPS.shopAndroid,
      message: "NJA_WinBack",
      schedule: once,
      sendTime: "10:00",
      timeZone: "Europe/Berlin",
      controlGroupPercent: 20,
      priority: 1,
      exclusive: true,
    },
    {
      name: "New arrivals: all customers",
      group: "All customers",
      businessUnit: "100",
      appId: DEMO_APPS.shopAndroid,
      message: "NJA_NewArrivals",
      schedule: once,
      sendTime: "10:00",
      timeZone: "Europe/Berlin",
      controlGroupPercent: 10,
      priority: 2,
      exclusive: true,
    },
    {
      name: "Outlet clearance: France",
      group: "France",
      businessUnit: "200",
      appId: DEMO_APPS.outletIos,
      message: "NJB_Clearance",
      schedule: once,
      sendTime: "18:00",
      timeZone: "Europe/Paris",
      controlGroupPercent: 10,
      priority: 3,
      exclusive: false,
    },
    {
      name: "Welcome: new sign-ups",
      group: "New sign-ups",
      businessUnit: "100",
      appId: DEMO_APPS.shopIos,
      message: "NJA_Welcome",
      schedule: { type: "daily", start: sendDate },
      sendTime: "09:00",
      timeZone: "Europe/Berlin",
      controlGroupPercent: 10,
      priority: 1,
      exclusive: false,
    },
    {
      name: "Winter collection: all customers",
      group: "All customers",
      businessUnit: "100",
      appId: DEMO_APPS.shopAndroid,
      message: "NJA_NewArrivals",
      schedule: { type: "once", date: tonight.date },
      sendTime: tonight.time,
      timeZone: "Europe/Berlin",
      controlGroupPercent: 10,
      priority: 2,
      exclusive: true,
    },
  ];
}

/**
 * When tonight's campaign goes out: today, two hours after the hour that is now in Berlin (where
 * a marketer sees it in tonight's plan, over the budget); tomorrow morning when today is nearly
 * over.
 */
export function tonightsSend(today: string, now: Date): { date: string; time: string } {
  const hour = Number(
    new Intl.DateTimeFormat("en-GB", {
      hour: "2-digit",
      hourCycle: "h23",
      timeZone: "Europe/Berlin",
    }).format(now),
  );
  const berlinDate = new Intl.DateTimeFormat("en-CA", { timeZone: "Europe/Berlin" }).format(now);
  if (berlinDate === today && hour + 2 <= 22)
    return { date: today, time: `${String(hour + 2).padStart(2, "0")}:00` };
  return { date: addDays(berlinDate, 1), time: "10:00" };
}
