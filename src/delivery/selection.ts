/**
 * Who gets which campaign on a night: the one order of selection that the plan counts and the
 * freeze (next issue) stores — reachable members of each occurrence's group (the global control
 * already out) → exclusive campaigns assigned by priority (each customer to the highest-priority
 * one; ties by the lower campaign id) → each occurrence's members split into test and control by
 * a stable hash of (campaign, contact key). A customer in campaign A's control group therefore
 * gets no lower-priority exclusive campaign that night, and A's uplift measures push against no
 * push.
 */
import { type RawBuilder, sql } from "kysely";
import type { NightjarConfig } from "../config/schema.ts";
import type { Db } from "../db/connect.ts";
import { memberQuery } from "../targeting/count.ts";
import { stableBucket } from "../targeting/reachable.ts";
import type { Rule } from "../targeting/rule.ts";

/** One occurrence as the selection sees it. */
export interface SelectionOccurrence {
  campaignId: number;
  rule: Rule;
  priority: number;
  exclusive: boolean;
  controlGroupPercent: number;
}

/**
 * The seed of a campaign's control-group hash, `md5('<campaign id>:<contact key>')`: the same on
 * every re-run of every night, and reproducible by an auditor on either engine.
 */
export function controlSeed(campaignId: number): string {
  return String(campaignId);
}

/**
 * Fills the temporary table `selection` (occ, contact_key, assigned, control) for the
 * occurrences, in the caller's transaction (it is dropped at commit). `occ` is the occurrence's
 * index in `occurrences`.
 */
export async function selectRecipients(
  trx: Db,
  config: NightjarConfig,
  occurrences: readonly SelectionOccurrence[],
  options: { asOf: string },
): Promise<void> {
  await sql`create temporary table selection (occ integer not null, contact_key text not null, assigned boolean not null, control boolean not null) on commit drop`.execute(
    trx,
  );
  if (occurrences.length === 0) return;
  const members: RawBuilder<unknown>[] = [];
  for (const [index, occurrence] of occurrences.entries()) {
    const query = await memberQuery(trx, config, occurrence.rule, {
      asOf: options.asOf,
      reachableOnly: true,
    });
    members.push(sql`select ${index}::integer as occ, q.contact_key from (${query}) q`);
  }
  const params = occurrences.map(
    (o, index) =>
      sql`(${index}::integer, ${o.priority}::integer, ${o.campaignId}::integer, ${o.exclusive}::boolean, ${Math.round(o.controlGroupPercent * 100)}::integer)`,
  );
  const bucketBySeed = occurrences.map(
    (o, index) =>
      sql`when ${index} then ${stableBucket(controlSeed(o.campaignId), sql.ref("r.contact_key"))}`,
  );
  await sql`
    insert into selection (occ, contact_key, assigned, control)
    with members as (${sql.join(members, sql` union all `)}),
    params (occ, priority, campaign_id, exclusive, control_bp) as (values ${sql.join(params)}),
    ranked as (
      select m.occ, m.contact_key, p.exclusive, p.control_bp,
        row_number() over (partition by m.contact_key, p.exclusive order by p.priority, p.campaign_id) as rank
      from members m join params p on p.occ = m.occ
    )
    select r.occ, r.contact_key, (not r.exclusive or r.rank = 1) as assigned,
      (case r.occ ${sql.join(bucketBySeed, sql` `)} end) < r.control_bp as control
    from ranked r`.execute(trx);
}

/** Per occurrence: reachable, assigned after priorities, control, test, lost to a higher priority. */
export async function selectionCounts(
  trx: Db,
): Promise<
  Map<number, { reachable: number; assigned: number; control: number; test: number; lost: number }>
> {
  const rows = await sql<{
    occ: number;
    reachable: number;
    assigned: number;
    control: number;
    test: number;
  }>`
    select occ, count(*)::integer as reachable,
      (count(*) filter (where assigned))::integer as assigned,
      (count(*) filter (where assigned and control))::integer as control,
      (count(*) filter (where assigned and not control))::integer as test
    from selection group by occ`.execute(trx);
  return new Map(
    rows.rows.map((r) => [
      r.occ,
      {
        reachable: r.reachable,
        assigned: r.assigned,
        control: r.control,
        test: r.test,
        lost: r.reachable - r.assigned,
      },
    ]),
  );
}

/** Reachable customers in two or more of the night's occurrences, and per pair. */
export async function selectionOverlaps(trx: Db): Promise<{
  customersInSeveral: number;
  pairs: { a: number; b: number; customers: number }[];
}> {
  const several = await sql<{ n: number }>`
    select count(*)::integer as n from (select contact_key from selection group by contact_key having count(*) > 1) s`.execute(
    trx,
  );
  const pairs = await sql<{ a: number; b: number; customers: number }>`
    select x.occ as a, y.occ as b, count(*)::integer as customers
    from selection x join selection y on y.contact_key = x.contact_key and y.occ > x.occ
    group by x.occ, y.occ order by x.occ, y.occ`.execute(trx);
  return { customersInSeveral: several.rows[0]?.n ?? 0, pairs: pairs.rows };
}
