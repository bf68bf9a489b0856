/**
 * Campaign analysis: per occurrence, the frozen test group against the frozen control group
 * (intention to treat: every test member counts, whatever became of its batch), from the
 * imported transactions. The window is the campaign's `measurementDays` calendar days from the
 * send date, in the campaign's zone; the pre-period (the CUPED covariate) is the 28 days before
 * the campaign's first occurrence, so that a recurring campaign's later pre-periods do not hold
 * the effect of its earlier pushes. Each analysis is kept (occurrence_analyses) and answered
 * again until transactions of its periods arrive or its window ends; once ended, the kept one
 * outlives the recipient list.
 */
import { sql } from "kysely";
import type { App } from "../app.ts";
import { type Campaign, getCampaign } from "../campaigns/campaigns.ts";
import type { Db } from "../db/connect.ts";
import { NightjarError } from "../errors.ts";
import { addDays, startOfLocalDay, todayIn } from "../time/zones.ts";
import { type AnalysisPeriods, type CumulativeDay, occurrenceGroupSums } from "./group-moments.ts";
import { type OccurrenceMetrics, occurrenceMetrics } from "./send-metrics.ts";
import { compareGroups, type GroupComparison, minimumDetectableUplift } from "./stats.ts";

/** Calendar days before the campaign's first occurrence that make the pre-period. */
export const PREPERIOD_DAYS = 28;

/** The campaign has no occurrence (of that date) to analyze. */
export class NoOccurrenceError extends NightjarError {
  override name = "NoOccurrenceError";
  override readonly kind = "not_found";
}

/** One occurrence's analysis: the issue's JSON shape, with the statistics of stats.ts. */
export interface OccurrenceAnalysis extends GroupComparison {
  campaignId: number;
  occurrence: string;
  /** Whether the measurement window has ended (until then: the purchases so far). */
  complete: boolean;
  /** Calendar days in the campaign's zone, both inclusive. */
  window: { from: string; to: string };
  preperiod: { from: string; to: string };
  /** In fraction units (points ÷ 100), at 95% confidence and 80% power. */
  minimumDetectableUplift: number | null;
  /** Per day of the window: the share of each group that has responded by its end. */
  cumulative: CumulativeDay[];
  metrics: OccurrenceMetrics;
}

/** A campaign's analysis: the chosen occurrence in full, and every occurrence side by side. */
export interface CampaignAnalysis extends OccurrenceAnalysis {
  campaignName: string;
  timeZone: string;
  occurrences: OccurrenceAnalysis[];
}

interface OccurrenceRow {
  id: number;
  local_date: string;
  measurement_days: number;
  lists_purged_at: Date | null;
}

/** What occurrence_analyses keeps: the figures, and the transaction import they saw last. */
interface KeptAnalysis {
  figures: Omit<OccurrenceAnalysis, "metrics">;
  lastTransactionsImport: number | null;
}

/** Use case: the analysis of a campaign's occurrence (Default: its latest), and all of them. */
export async function analyzeCampaign(
  app: App,
  campaignId: number,
  options: { occurrence?: string | undefined } = {},
): Promise<CampaignAnalysis> {
  const campaign = await getCampaign(app, campaignId);
  const rows = await app.db.kysely
    .selectFrom("campaign_occurrences")
    .select(["id", "local_date", "measurement_days", "lists_purged_at"])
    .where("campaign_id", "=", campaignId)
    .orderBy("local_date")
    .execute();
  if (rows.length === 0)
    throw new NoOccurrenceError(
      `campaign #${campaignId} (${campaign.name}) has not been sent yet: it has no occurrence to analyze`,
    );
  const chosen =
    options.occurrence === undefined
      ? rows[rows.length - 1]
      : rows.find((r) => r.local_date === options.occurrence);
  if (!chosen)
    throw new NoOccurrenceError(
      `campaign #${campaignId} has no occurrence on ${options.occurrence}; its occurrences: ${listed(rows.map((r) => r.local_date))}`,
    );
  const first = rows[0]?.local_date as string;
  const occurrences: OccurrenceAnalysis[] = [];
  for (const row of rows) occurrences.push(await analyzeOccurrence(app, campaign, row, first));
  const analysis = occurrences[rows.indexOf(chosen)] as OccurrenceAnalysis;
  return { ...analysis, campaignName: campaign.name, timeZone: campaign.timeZone, occurrences };
}

/** Dates for a message: all of a few, the first and last five of many. */
function listed(dates: string[]): string {
  if (dates.length <= 10) return dates.join(", ");
  return `${dates.slice(0, 5).join(", ")}, … (${dates.length - 10} more), ${dates.slice(-5).join(", ")}`;
}

/**
 * Keeps the analysis of the occurrences whose window has ended (before retention deletes their
 * lists); answers how many it computed.
 */
export async function keepAnalyses(app: App, occurrenceIds: readonly number[]): Promise<number> {
  let kept = 0;
  for (const id of occurrenceIds) {
    const row = await app.db.kysely
      .selectFrom("campaign_occurrences")
      .select(["id", "campaign_id", "local_date", "measurement_days", "lists_purged_at"])
      .where("id", "=", id)
      .executeTakeFirstOrThrow();
    const campaign = await getCampaign(app, row.campaign_id);
    const first = await firstOccurrenceDate(app.db.kysely, row.campaign_id);
    const analysis = await analyzeOccurrence(app, campaign, row, first);
    if (analysis.complete) kept += 1;
  }
  return kept;
}

async function firstOccurrenceDate(db: Db, campaignId: number): Promise<string> {
  const row = await db
    .selectFrom("campaign_occurrences")
    .select((eb) => eb.fn.min("local_date").as("first"))
    .where("campaign_id", "=", campaignId)
    .executeTakeFirstOrThrow();
  return row.first as string;
}

/** The analysis of one occurrence: the kept one while it is still current, else computed. */
async function analyzeOccurrence(
  app: App,
  campaign: Campaign,
  row: OccurrenceRow,
  firstDate: string,
): Promise<OccurrenceAnalysis> {
  const db = app.db.kysely;
  const metrics = await occurrenceMetrics(db, row.id);
  const kept = await db
    .selectFrom("occurrence_analyses")
    .select("analysis")
    .where("occurrence_id", "=", row.id)
    .executeTakeFirst();
  const zone = campaign.timeZone;
  const lastDay = addDays(row.local_date, row.measurement_days - 1);
  const preFrom = addDays(firstDate, -PREPERIOD_DAYS);
  const periods: AnalysisPeriods = {
    window: {
      from: startOfLocalDay(row.local_date, zone),
      to: startOfLocalDay(addDays(lastDay, 1), zone),
    },
    preperiod: { from: startOfLocalDay(preFrom, zone), to: startOfLocalDay(firstDate, zone) },
  };
  const latestImport = await lastTransactionsImport(db);
  const complete = todayIn(zone, app.clock) > lastDay;
  if (kept) {
    const stored = kept.analysis as KeptAnalysis;
    // Once the list is gone the kept figures are all there is. Before, they hold while the
    // window is as open (or ended) as when they were computed and no transactions imported since
    // fall in one of its periods: a million-recipient list is not summed again for every read.
    // Analyses kept before the cumulative series existed answer it empty.
    stored.figures = { ...stored.figures, cumulative: stored.figures.cumulative ?? [] };
    if (row.lists_purged_at !== null) return { ...stored.figures, metrics };
    if (stored.figures.complete === complete) {
      if (stored.lastTransactionsImport === latestImport) return { ...stored.figures, metrics };
      if (!(await importedSince(db, stored, periods))) {
        // Checked up to the latest import: the next reads need not look at those imports again.
        const checked: KeptAnalysis = { ...stored, lastTransactionsImport: latestImport };
        await db
          .updateTable("occurrence_analyses")
          .set({ analysis: JSON.stringify(checked) })
          .where("occurrence_id", "=", row.id)
          .execute();
        return { ...stored.figures, metrics };
      }
    }
  }
  if (row.lists_purged_at !== null)
    throw new NoOccurrenceError(
      `the recipient list of campaign #${campaign.id}'s occurrence on ${row.local_date} was deleted by retention before its analysis was kept`,
    );
  const sums = await occurrenceGroupSums(db, row.id, periods, {
    firstDay: row.local_date,
    days: row.measurement_days,
    zone,
  });
  // The rate without the push: the control group's in the window (so far, while it is open) —
  // exactly these customers, unlike their purchases before the send, which for a recency group
  // ("at risk") are by definition few. Without a control group there is no uplift to detect.
  const { control } = sums;
  const baselineRate = control.customers > 0 ? control.responders / control.customers : null;
  const figures: Omit<OccurrenceAnalysis, "metrics"> = {
    campaignId: campaign.id,
    occurrence: row.local_date,
    complete,
    window: { from: row.local_date, to: lastDay },
    preperiod: { from: preFrom, to: addDays(firstDate, -1) },
    ...compareGroups(sums.test, sums.control),
    minimumDetectableUplift: minimumDetectableUplift(
      baselineRate,
      sums.test.customers,
      sums.control.customers,
    ),
    cumulative: sums.cumulative,
  };
  const keep: KeptAnalysis = { figures, lastTransactionsImport: latestImport };
  await db
    .insertInto("occurrence_analyses")
    .values({ occurrence_id: row.id, computed_at: app.clock.now(), analysis: JSON.stringify(keep) })
    .onConflict((oc) =>
      oc.column("occurrence_id").doUpdateSet({
        computed_at: app.clock.now(),
        analysis: JSON.stringify(keep),
      }),
    )
    .execute();
  return { ...figures, metrics };
}

/** Whether transactions imported after the kept analysis fall in one of its periods. */
async function importedSince(
  db: Db,
  kept: KeptAnalysis,
  periods: AnalysisPeriods,
): Promise<boolean> {
  const since = kept.lastTransactionsImport ?? 0;
  const within = [periods.window, periods.preperiod].map(
    (p) => sql`(occurred_at >= ${p.from} and occurred_at < ${p.to})`,
  );
  const row = await sql<{ found: boolean }>`
    select exists (select 1 from transactions
      where import_id > ${since} and (${sql.join(within, sql` or `)})) as found`.execute(db);
  return row.rows[0]?.found ?? false;
}

async function lastTransactionsImport(db: Db): Promise<number | null> {
  const row = await sql<{ id: number | null }>`
    select max(id)::integer as id from imports where kind = 'transactions'`.execute(db);
  return row.rows[0]?.id ?? null;
}
