/**
 * One customer as Nightjar knows it, without SQL: the current attributes and their history of
 * changes, the model's stage, segment and scores with the stage's history, the last purchases.
 */
import { sql } from "kysely";
import type { App } from "../app.ts";
import { NightjarError } from "../errors.ts";
import { recordedAttributes } from "./attributes.ts";
import { customerVersions } from "./history.ts";

/** No customer has this contact key. */
export class UnknownCustomerError extends NightjarError {
  override name = "UnknownCustomerError";
  override readonly kind = "not_found";
}

/** A version of the customer and what changed when it began. */
export interface CustomerVersionView {
  validFrom: string;
  /** null for the version in force. */
  validTo: string | null;
  present: boolean;
  attributes: Record<string, unknown>;
  /** The attributes that differ from the version before (empty for the first one). */
  changed: string[];
}

export interface CustomerDetails {
  contactKey: string;
  present: boolean;
  firstSeenOn: string;
  attributes: Record<string, unknown>;
  /** Every version, newest first. */
  history: CustomerVersionView[];
  /** The latest model run's scores; null before the first run (or for a removed customer). */
  model: {
    runDate: string;
    stage: string;
    stageSince: string;
    segment: string;
    valueTier: number | null;
    purchases: number;
    firstPurchaseOn: string | null;
    lastPurchaseOn: string | null;
    recencyDays: number | null;
    tenureDays: number | null;
    pAlive: number | null;
    expectedPurchases: number | null;
    expectedSpend: number | null;
    clv: number | null;
  } | null;
  /** Stage and segment versions, newest first. */
  stages: { validFrom: string; validTo: string | null; stage: string; segment: string }[];
  /** The last purchases and refunds, newest first (at most `purchases`). */
  lastPurchases: { occurredAt: Date; amount: string; transactionId: string | null }[];
}

/** Use case: what Nightjar knows of the customer `contactKey`. */
export async function customerDetails(
  app: Pick<App, "db">,
  contactKey: string,
  options: { purchases?: number } = {},
): Promise<CustomerDetails> {
  const db = app.db.kysely;
  const customer = await db
    .selectFrom("customers")
    .select(["contact_key", "present", "first_seen_on"])
    .where("contact_key", "=", contactKey)
    .executeTakeFirst();
  if (!customer)
    throw new UnknownCustomerError(`no customer has the contact key ${JSON.stringify(contactKey)}`);
  const names = (await recordedAttributes(db)).map((a) => a.name);
  const versions = await customerVersions(db, contactKey);
  const pick = (row: Record<string, unknown>) =>
    Object.fromEntries(names.map((name) => [name, row[name] ?? null]));
  const history = versions.map((version, index) => {
    const attributes = pick(version);
    const before = index > 0 ? pick(versions[index - 1] as Record<string, unknown>) : undefined;
    return {
      validFrom: version.valid_from,
      validTo: version.valid_to,
      present: version.present,
      attributes,
      changed: before
        ? names.filter((name) => JSON.stringify(before[name]) !== JSON.stringify(attributes[name]))
        : [],
    };
  });
  const model = await db
    .selectFrom("customer_model")
    .selectAll()
    .where("contact_key", "=", contactKey)
    .executeTakeFirst();
  const stages = await sql<{
    valid_from: string;
    valid_to: string | null;
    stage: string;
    segment: string;
  }>`
    select valid_from, null::date as valid_to, stage, segment from customer_model
    where contact_key = ${contactKey}
    union all
    select valid_from, valid_to, stage, segment from customer_model_history
    where contact_key = ${contactKey}
    order by valid_from desc`.execute(db);
  const purchases = await db
    .selectFrom("transactions")
    .select(["occurred_at", "amount", "transaction_id"])
    .where("contact_key", "=", contactKey)
    .orderBy("occurred_at", "desc")
    .orderBy("id", "desc")
    .limit(options.purchases ?? 10)
    .execute();
  const current = history.at(-1);
  return {
    contactKey,
    present: customer.present,
    firstSeenOn: customer.first_seen_on,
    attributes: current?.attributes ?? {},
    history: history.reverse(),
    model: model
      ? {
          runDate: model.run_date,
          stage: model.stage,
          stageSince: model.stage_since,
          segment: model.segment,
          valueTier: model.value_tier,
          purchases: model.purchases,
          firstPurchaseOn: model.first_purchase_on,
          lastPurchaseOn: model.last_purchase_on,
          recencyDays: model.recency_days,
          tenureDays: model.tenure_days,
          pAlive: model.p_alive,
          expectedPurchases: model.expected_purchases,
          expectedSpend: model.expected_spend,
          clv: model.clv,
        }
      : null,
    stages: stages.rows.map((s) => ({
      validFrom: s.valid_from,
      validTo: s.valid_to,
      stage: s.stage,
      segment: s.segment,
    })),
    lastPurchases: purchases.map((p) => ({
      occurredAt: p.occurred_at,
      amount: p.amount,
      transactionId: p.transaction_id,
    })),
  };
}
