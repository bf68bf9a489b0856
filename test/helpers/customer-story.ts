import { sql } from "kysely";
import type { NightjarDb } from "../../src/db/connect.ts";

/**
 * Gives C000001 (of `f.customers(n)`, first seen 2026-11-01) a past: a first name and country
 * FR from 2026-10-01 before the current version, three purchases and a refund, and two model
 * runs (new, then active). Its current attributes stay those of the fixture (FR, push consent).
 */
export async function customerStory(db: NightjarDb): Promise<void> {
  const k = db.kysely;
  await sql`update customers set first_seen_on = '2026-10-01', first_name = 'Ada'
    where contact_key = 'C000001'`.execute(k);
  await sql`insert into customer_history (contact_key, valid_from, valid_to, present, first_name, country, allow_push)
    values ('C000001', '2026-10-01', '2026-11-01', true, 'Ada', 'DE', false)`.execute(k);
  await sql`insert into transactions (contact_key, transaction_id, occurred_at, amount, import_id)
    values ('C000001', 'T1', '2026-10-03T12:00:00Z', '25.00', 0),
      ('C000001', 'T2', '2026-10-20T12:00:00Z', '40.50', 0),
      ('C000001', 'R2', '2026-10-22T09:00:00Z', '-40.50', 0),
      ('C000001', 'T3', '2026-11-15T18:30:00Z', '61.20', 0)`.execute(k);
  await sql`insert into customer_model (contact_key, run_id, run_date, stage, stage_since, segment,
      valid_from, value_tier, purchases, first_purchase_on, last_purchase_on, recency_days,
      tenure_days, p_alive, expected_purchases, expected_spend, clv)
    values ('C000001', 2, '2026-11-30', 'active', '2026-11-15', 'active-high', '2026-11-15', 9, 3,
      '2026-10-03', '2026-11-15', 15, 58, 0.87, 1.9, 48.3, 212.4)`.execute(k);
  await sql`insert into customer_model_history (contact_key, valid_from, valid_to, stage, stage_since, segment)
    values ('C000001', '2026-10-03', '2026-11-15', 'new', '2026-10-03', 'new-mid')`.execute(k);
}
