/**
 * Finding customers by the start of their contact key, for the web app's search box: the first
 * matches with a few attributes, whether they are present, and their lifecycle stage.
 */
import { sql } from "kysely";
import type { App } from "../app.ts";
import { likePattern } from "../targeting/values.ts";

/** How many configured attributes a search answers for each customer. */
const SHOWN_ATTRIBUTES = 4;

/** One customer a search found. */
export interface FoundCustomer {
  contactKey: string;
  present: boolean;
  /** The first configured attributes, current values. */
  attributes: Record<string, unknown>;
  /** The latest model run's stage; null before the customer's first run. */
  stage: string | null;
}

/** Use case: the first `limit` customers whose contact key starts with `prefix` (byte order). */
export async function searchCustomers(
  app: Pick<App, "db" | "config">,
  prefix: string,
  options: { limit: number },
): Promise<FoundCustomer[]> {
  const names = app.config.customers.attributes.slice(0, SHOWN_ATTRIBUTES).map((a) => a.name);
  const columns = names.map((name) => sql`, ${sql.ref(`c.${name}`)}`);
  // Contact keys are case-sensitive identifiers: the prefix matches exactly, and in byte order
  // "C00001" finds C000010… before C000100….
  const result = await sql<Record<string, unknown>>`
    select c.contact_key, c.present, m.stage as nightjar_stage${sql.join(columns, sql``)}
    from customers c left join customer_model m on m.contact_key = c.contact_key
    where c.contact_key like ${likePattern(prefix, "starts_with")}::text escape '\\'
    order by c.contact_key collate "C"
    limit ${Math.max(0, Math.floor(options.limit))}::int`.execute(app.db.kysely);
  return result.rows.map((row) => ({
    contactKey: String(row.contact_key),
    present: row.present === true,
    attributes: Object.fromEntries(names.map((name) => [name, row[name] ?? null])),
    stage: (row.nightjar_stage as string | null) ?? null,
  }));
}
