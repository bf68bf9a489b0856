/**
 * Who gets which campaign on a night: the one order of selection that the plan counts and the
 * freeze (next issue) stores — reachable members of each occurrence's group (the global control
 * already out) → exclusive campaigns assigned by priority (each customer to the highest-priority
 * one; ties by the lower campaign id) → each occurrence's members split into test and control by
 * a stable hash of (campaign, contact key) → the frequency cap, which drops a customer's test
 * pushes beyond what the cap still allows (the night's in priority order). A customer in campaign
 * A's control group therefore gets no lower-priority exclusive campaign that night, and A's
 * uplift measures push against no push.
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

/** How a night's selection is taken. */
export interface SelectionOptions {
  /** The date the members are taken as of. */
  asOf: string;
  /**
   * The frequency cap, with the instant from which the pushes already frozen count (Default:
   * none).
   */
  frequencyCap?: { maxPushes: number; since: Date } | null;
  /**
   * The nightly run date whose already frozen exclusive occurrences have taken their members
   * (test and control) from the exclusive occurrences selected now (Default: none).
   */
  takenOn?: string | null;
}

/**
 * Fills the temporary table `selection` (occ, contact_key, assigned, control, capped) for the
 * occurrences, in the caller's transaction (it is dropped at commit). `occ` is the occurrence's
 * index in `occurrences`.
 */
export async function selectRecipients(
  trx: Db,
  config: NightjarConfig,
  occurrences: readonly SelectionOccurrence[],
  options: SelectionOptions,
): Promise<void> {
  await sql`create temporary table selection (occ integer not null, contact_key text not null, assigned boolean not null, control boolean not null, capped boolean not null default false) on commit drop`.execute(
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
  const values = sql`values ${sql.join(params)}`;
  const taken =
    options.takenOn == null
      ? sql`false`
      : sql`(r.exclusive and exists (select 1 from occurrence_recipients x join campaign_occurrences o on o.id = x.occurrence_id
          where o.run_date = ${options.takenOn}::date and o.exclusive and x.contact_key = r.contact_key))`;
  const bucketBySeed = occurrences.map(
    (o, index) =>
      sql`when ${index} then ${stableBucket(controlSeed(o.campaignId), sql.ref("r.contact_key"))}`,
  );
  await sql`
    insert into selection (occ, contact_key, assigned, control)
    with members as (${sql.join(members, sql` union all `)}),
    params (occ, priority, campaign_id, exclusive, control_bp) as (${values}),
    ranked as (
      select m.occ, m.contact_key, p.exclusive, p.control_bp,
        row_number() over (partition by m.contact_key, p.exclusive order by p.priority, p.campaign_id) as rank
      from members m join params p on p.occ = m.occ
    )
    select r.occ, r.contact_key, (not r.exclusive or r.rank = 1) and not ${taken} as assigned,
      (case r.occ ${sql.join(bucketBySeed, sql` `)} end) < r.control_bp as control
    from ranked r`.execute(trx);
  const cap = options.frequencyCap;
  if (cap) await applyFrequencyCap(trx, values, cap);
}

/**
 * Drops the test pushes a customer may no longer get: the pushes of occurrences frozen since
 * `since` count first, then tonight's in priority order (ties: the lower campaign id).
 */
async function applyFrequencyCap(
  trx: Db,
  values: RawBuilder<unknown>,
  cap: { maxPushes: number; since: Date },
): Promise<void> {
  await sql`
    with params (occ, priority, campaign_id, exclusive, control_bp) as (${values}),
    prior as (
      select r.contact_key, count(*)::integer as n
      from occurrence_recipients r join campaign_occurrences o on o.id = r.occurrence_id
      where not r.control and o.send_at >= ${cap.since}
      group by r.contact_key
    ),
    ranked as (
      select s.occ, s.contact_key,
        row_number() over (partition by s.contact_key order by p.priority, p.campaign_id) as n
      from selection s join params p on p.occ = s.occ
      where s.assigned and not s.control
    )
    update selection s set assigned = false, capped = true
    from ranked r left join prior pr on pr.contact_key = r.contact_key
    where s.occ = r.occ and s.contact_key = r.contact_key
      and r.n > ${cap.maxPushes}::integer - coalesce(pr.n, 0)`.execute(trx);
}

/** What the selection gave one occurrence. */
export interface SelectionCount {
  reachable: number;
  /** Left after the priorities (test and control). */
  assigned: number;
  control: number;
  test: number;
  /** Lost to a higher-priority exclusive occurrence. */
  lost: number;
  /** Test pushes the frequency cap dropped. */
  capped: number;
}

/** Per occurrence: reachable, assigned after priorities, control, test, lost to a higher priority, capped. */
export async function selectionCounts(trx: Db): Promise<Map<number, SelectionCount>> {
  const rows = await sql<{
    occ: number;
    reachable: number;
    assigned: number;
    control: number;
    test: number;
    capped: number;
  }>`
    select occ, count(*)::integer as reachable,
      (count(*) filter (where assigned or capped))::integer as assigned,
      (count(*) filter (where assigned and control))::integer as control,
      (count(*) filter (where assigned and not control))::integer as test,
      (count(*) filter (where capped))::integer as capped
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
        capped: r.capped,
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
