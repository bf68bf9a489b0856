/**
 * The campaign builder's form: its fields as the inputs hold them, the API body made from them,
 * the form of a stored campaign, and the server's field paths mapped back to the inputs.
 */
import type { Schemas } from "../../api/client";

export const WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;
export type Weekday = (typeof WEEKDAYS)[number];
export const SCHEDULE_TYPES = ["once", "daily", "weekly", "monthly"] as const;
export type ScheduleType = (typeof SCHEDULE_TYPES)[number];

export interface CampaignForm {
  name: string;
  targetGroupId: string;
  businessUnit: string;
  appId: string;
  messageId: string;
  scheduleType: ScheduleType;
  /** once: the date; daily, weekly, monthly: the first date. */
  date: string;
  /** daily, weekly, monthly: the last date, or "" for none. */
  end: string;
  days: Weekday[];
  monthDay: number | string;
  sendTime: string;
  timeZone: string;
  controlGroupPercent: number | string;
  priority: number | string;
  exclusive: boolean;
}

/** The fields of the form an error can be shown at. */
export type FieldName = keyof CampaignForm;
export type FieldErrors = Partial<Record<FieldName, string>>;

/** A YYYY-MM-DD date `days` after today in the browser's zone. */
export function localDate(days = 0): string {
  const d = new Date();
  d.setDate(d.getDate() + days);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

export function browserZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
}

export function emptyForm(): CampaignForm {
  return {
    name: "",
    targetGroupId: "",
    businessUnit: "",
    appId: "",
    messageId: "",
    scheduleType: "once",
    date: localDate(1),
    end: "",
    days: ["mon"],
    monthDay: 1,
    sendTime: "10:00",
    timeZone: browserZone(),
    controlGroupPercent: 10,
    priority: 1,
    exclusive: true,
  };
}

const num = (v: number | string) => (typeof v === "number" ? v : v === "" ? Number.NaN : Number(v));

function schedule(form: CampaignForm): Record<string, unknown> {
  const end = form.end ? { end: form.end } : {};
  switch (form.scheduleType) {
    case "once":
      return { type: "once", date: form.date };
    case "daily":
      return { type: "daily", start: form.date, ...end };
    case "weekly":
      return { type: "weekly", days: form.days, start: form.date, ...end };
    case "monthly":
      return { type: "monthly", day: num(form.monthDay), start: form.date, ...end };
  }
}

/** The API body of the form (the server checks every field; nothing is refused here). */
export function toBody(form: CampaignForm): Record<string, unknown> {
  return {
    name: form.name,
    targetGroupId: form.targetGroupId === "" ? undefined : Number(form.targetGroupId),
    businessUnit: form.businessUnit,
    appId: form.appId,
    messageId: form.messageId,
    schedule: schedule(form),
    sendTime: form.sendTime,
    timeZone: form.timeZone,
    controlGroupPercent: num(form.controlGroupPercent),
    priority: num(form.priority),
    exclusive: form.exclusive,
  };
}

/** The form of a stored campaign. */
export function fromCampaign(c: Schemas["Campaign"]): CampaignForm {
  const s = c.schedule;
  return {
    ...emptyForm(),
    name: c.name,
    targetGroupId: String(c.targetGroupId),
    businessUnit: c.businessUnit,
    appId: c.appId,
    messageId: c.messageId,
    scheduleType: s.type,
    date: s.type === "once" ? s.date : s.start,
    end: s.type === "once" ? "" : (s.end ?? ""),
    days: s.type === "weekly" ? [...s.days] : ["mon"],
    monthDay: s.type === "monthly" ? s.day : 1,
    sendTime: c.sendTime,
    timeZone: c.timeZone,
    controlGroupPercent: c.controlGroupPercent,
    priority: c.priority,
    exclusive: c.exclusive,
  };
}

const PATHS: Record<string, FieldName> = {
  name: "name",
  targetGroupId: "targetGroupId",
  businessUnit: "businessUnit",
  appId: "appId",
  messageId: "messageId",
  schedule: "scheduleType",
  "schedule.type": "scheduleType",
  "schedule.date": "date",
  "schedule.start": "date",
  "schedule.end": "end",
  "schedule.days": "days",
  "schedule.day": "monthDay",
  sendTime: "sendTime",
  timeZone: "timeZone",
  controlGroupPercent: "controlGroupPercent",
  priority: "priority",
  exclusive: "exclusive",
};

/** The form field a server path (`body.name`, `schedule.days[1]`) is about, if any. */
export function fieldOf(path: string): FieldName | undefined {
  const bare = path.replace(/^body\.?/, "").replace(/\[\d+\]$/, "");
  return PATHS[bare];
}

/** The server's field problems at the form's fields; the rest in `other`. */
export function fieldErrors(problems: { path: string; message: string }[]): {
  fields: FieldErrors;
  other: string[];
} {
  const fields: FieldErrors = {};
  const other: string[] = [];
  for (const p of problems) {
    const field = fieldOf(p.path);
    if (field) fields[field] = fields[field] ? `${fields[field]}; ${p.message}` : p.message;
    else other.push(`${p.path}: ${p.message}`);
  }
  return { fields, other };
}

/** Each field's label, as the builder shows it. */
export const FIELD_LABELS: Record<FieldName, string> = {
  name: "Name",
  targetGroupId: "Target group",
  businessUnit: "Business unit",
  appId: "App",
  messageId: "Push message",
  scheduleType: "Schedule",
  date: "Date",
  end: "Last date",
  days: "Weekdays",
  monthDay: "Day of the month",
  sendTime: "Send time",
  timeZone: "Time zone",
  controlGroupPercent: "Control group %",
  priority: "Priority",
  exclusive: "Exclusive",
};
