import type { Command } from "commander";
import { type CustomerDetails, customerDetails } from "../../customers/show.ts";
import type { CommandContext } from "../context.ts";

const show = (value: unknown) =>
  value === null || value === undefined
    ? "—"
    : value instanceof Date
      ? value.toISOString()
      : String(value);

const number = (value: number | null, digits = 2) => (value === null ? "—" : value.toFixed(digits));

function humanDetails(c: CustomerDetails): string {
  const lines = [
    `${c.contactKey}: ${c.present ? "present" : "no longer in the snapshots"}, first seen ${c.firstSeenOn}`,
    ...Object.entries(c.attributes).map(([name, value]) => `  ${name}: ${show(value)}`),
  ];
  if (c.model) {
    const m = c.model;
    lines.push(
      "",
      `Customer model (run of ${m.runDate}): ${m.stage} since ${m.stageSince}, micro-segment ${m.segment}, value tier ${m.valueTier ?? "—"}`,
      `  purchases ${m.purchases} (first ${m.firstPurchaseOn ?? "—"}, last ${m.lastPurchaseOn ?? "—"}, ${m.recencyDays ?? "—"} days ago)`,
      `  P(alive) ${number(m.pAlive, 3)} · expected purchases ${number(m.expectedPurchases)} · expected spend ${number(m.expectedSpend)} · CLV ${number(m.clv)}`,
    );
  } else lines.push("", "Customer model: not scored yet (run `nightjar model run`).");
  if (c.stages.length > 1) {
    lines.push("", "Stages:");
    for (const s of c.stages)
      lines.push(`  ${s.validFrom} – ${s.validTo ?? "now"}: ${s.stage} (${s.segment})`);
  }
  lines.push("", "History of the attributes:");
  for (const v of c.history) {
    const what =
      v.changed.length > 0
        ? v.changed.map((name) => `${name} ${show(v.attributes[name])}`).join(", ")
        : v === c.history.at(-1)
          ? "first seen"
          : v.present
            ? "back in the snapshot"
            : "";
    lines.push(
      `  ${v.validFrom} – ${v.validTo ?? "now"}: ${v.present ? what : "removed from the snapshot"}`,
    );
  }
  lines.push("", c.lastPurchases.length ? "Last purchases:" : "No purchases.");
  for (const p of c.lastPurchases)
    lines.push(
      `  ${p.occurredAt.toISOString()}  ${p.amount}${p.transactionId ? `  (${p.transactionId})` : ""}`,
    );
  return lines.join("\n");
}

/** Registers `nightjar customers` (looking inside the customer base). */
export function registerCustomers(program: Command, context: CommandContext): void {
  const customers = program
    .command("customers")
    .description("look at customers: attributes, history, stage and scores, purchases");
  customers
    .command("show")
    .description(
      "one customer: current attributes, history of changes, stage and its history, scores, last purchases",
    )
    .argument("<contact-key>", "the customer's contact key")
    .option("--purchases <n>", "how many of the last purchases to show", (v) => Number(v), 10)
    .option("--json", "print the customer as one JSON line")
    .action(
      async (key: string, options: { json?: boolean; purchases: number }, command: Command) => {
        const out = context.output(options.json);
        await context.withApp(command, async (app) => {
          const details = await customerDetails(app, key, { purchases: options.purchases });
          out.result(details, () => humanDetails(details));
        });
      },
    );
}
