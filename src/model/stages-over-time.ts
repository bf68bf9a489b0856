/**
 * The customer base by lifecycle stage over time, from the model history: per model run date the
 * customers in each stage (as the run counted them), and how customers moved between stages in
 * the 7 days up to the latest run. The Overview page's charts.
 */
import type { App } from "../app.ts";
import { addDays } from "../time/zones.ts";
import { type StageMoveCount, stageMoveCounts } from "./run/history.ts";
import { STAGE_LABELS, STAGES, type Stage } from "./run/stages.ts";

/** Days of stage movements shown, the latest run date included. */
export const MOVEMENT_DAYS = 7;

export interface StagesOverTime {
  /** The stages in the UI's order, with their labels. */
  stages: { stage: Stage; label: string }[];
  /** One entry per run date in the window, oldest first (the last run of a date counts). */
  runs: { date: string; customers: number; stages: Record<Stage, number> }[];
  /** Stage movements on the run dates of [since, until]; null before the first model run. */
  movements: {
    since: string;
    until: string;
    moves: (StageMoveCount & { fromLabel: string; toLabel: string })[];
  } | null;
}

/** Use case: the customer base by stage for the run dates of the `days` up to the latest run. */
export async function stagesOverTime(
  app: Pick<App, "db">,
  request: { days: number },
): Promise<StagesOverTime> {
  const db = app.db.kysely;
  const stages = STAGES.map((stage) => ({ stage, label: STAGE_LABELS[stage] }));
  const latest = await db
    .selectFrom("model_runs")
    .select("run_date")
    .orderBy("run_date", "desc")
    .limit(1)
    .executeTakeFirst();
  if (!latest) return { stages, runs: [], movements: null };
  const until = latest.run_date;
  const rows = await db
    .selectFrom("model_runs")
    .select(["id", "run_date", "customers", "stage_counts"])
    .where("run_date", ">", addDays(until, -request.days))
    .orderBy("run_date")
    .orderBy("id")
    .execute();
  // The last run of each date wins: a rerun replaces what the date said.
  const byDate = new Map<string, StagesOverTime["runs"][number]>();
  for (const row of rows) {
    const counts = (row.stage_counts ?? {}) as Partial<Record<Stage, number>>;
    byDate.set(row.run_date, {
      date: row.run_date,
      customers: row.customers,
      stages: Object.fromEntries(STAGES.map((s) => [s, Number(counts[s] ?? 0)])) as Record<
        Stage,
        number
      >,
    });
  }
  const since = addDays(until, -(MOVEMENT_DAYS - 1));
  const moves = await stageMoveCounts(db, { since, until });
  return {
    stages,
    runs: [...byDate.values()],
    movements: {
      since,
      until,
      moves: moves.map((m) => ({
        ...m,
        fromLabel: STAGE_LABELS[m.from],
        toLabel: STAGE_LABELS[m.to],
      })),
    },
  };
}
