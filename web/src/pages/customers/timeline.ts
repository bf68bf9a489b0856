/** The customer's timeline: attribute changes and stage changes, newest first. */
import type { Schemas } from "../../api/client";
import { formatValue } from "./format";

type Customer = Schemas["Customer"];

/** One dated event of the timeline. */
export interface TimelineEvent {
  on: string;
  kind: "attributes" | "stage";
  title: string;
  details: string[];
}

/** Every attribute and stage change of `customer`, newest first (stages before attributes on one day). */
export function customerTimeline(customer: Customer): TimelineEvent[] {
  const events: TimelineEvent[] = [];
  const versions = customer.history;
  versions.forEach((version, index) => {
    const before = versions[index + 1];
    if (!before) {
      events.push({
        on: version.validFrom,
        kind: "attributes",
        title: "First seen",
        details: Object.entries(version.attributes).map(([k, v]) => `${k}: ${formatValue(v)}`),
      });
      return;
    }
    const details = version.changed.map(
      (name) =>
        `${name}: ${formatValue(before.attributes[name])} → ${formatValue(version.attributes[name])}`,
    );
    if (before.present !== version.present)
      details.unshift(
        version.present ? "back in the customer file" : "removed from the customer file",
      );
    events.push({
      on: version.validFrom,
      kind: "attributes",
      title: details.length === 1 ? "Attribute changed" : "Attributes changed",
      details,
    });
  });
  customer.stages.forEach((stage, index) => {
    const before = customer.stages[index + 1];
    const details: string[] = [];
    if (before && before.segment !== stage.segment)
      details.push(`micro-segment: ${before.segment} → ${stage.segment}`);
    else details.push(`micro-segment: ${stage.segment}`);
    events.push({
      on: stage.validFrom,
      kind: "stage",
      title: before ? `Stage ${before.stage} → ${stage.stage}` : `Stage ${stage.stage}`,
      details,
    });
  });
  return events.sort((a, b) =>
    a.on === b.on ? (a.kind === b.kind ? 0 : a.kind === "stage" ? -1 : 1) : a.on < b.on ? 1 : -1,
  );
}
