/**
 * What the latest model run says about the customer base, without SQL (on PGlite there is no
 * other way to look inside): the stages and how customers moved between them since the run
 * before, the micro-segments with what their clusters mean, and the value tiers.
 */
import { sql } from "kysely";
import type { App } from "../../app.ts";
import type { SegmentLayer } from "../../config/schema.ts";
import { NightjarError } from "../../errors.ts";
import { stageMoveCounts } from "./history.ts";
import { STAGE_LABELS, STAGES, type Stage } from "./stages.ts";

/** The model has not run yet. */
export class NoModelRunError extends NightjarError {
  override name = "NoModelRunError";
  override readonly kind = "not_found";
}

/** One layer of a micro-segment: its cluster and the cluster's centre in the features' units. */
export interface SegmentLayerPart {
  layer: string;
  name: string;
  cluster: number;
  /** Clusters of this layer in the segment's stage. */
  of: number;
  centre: Record<string, number>;
}

export interface ModelSummary {
  run: { id: number; date: string; customers: number; fitReused: boolean };
  /** The run before, which `moves` compare with; null for the first run. */
  previousDate: string | null;
  stages: { stage: Stage; label: string; customers: number }[];
  /** Customers whose stage changed on this run's date, by from and to. */
  moves: { from: Stage; to: Stage; customers: number }[];
  segments: { segment: string; stage: Stage; customers: number; layers: SegmentLayerPart[] }[];
  valueTiers: {
    tier: number;
    customers: number;
    minClv: number;
    maxClv: number;
    meanClv: number;
  }[];
}

/** `active.v3.f2.r1` → the layer letters with their clusters. */
function segmentParts(segment: string): { stage: string; clusters: Map<string, number> } {
  const [stage = "", ...parts] = segment.split(".");
  return {
    stage,
    clusters: new Map(parts.map((part) => [part.slice(0, 1), Number(part.slice(1))])),
  };
}

/** Use case: the summary of the latest model run. */
export async function modelSummary(app: Pick<App, "db" | "config">): Promise<ModelSummary> {
  const db = app.db.kysely;
  const runs = await db
    .selectFrom("model_runs")
    .select(["id", "run_date", "customers", "fit_reused"])
    .orderBy("run_date", "desc")
    .orderBy("id", "desc")
    .limit(50)
    .execute();
  const latest = runs[0];
  if (!latest)
    throw new NoModelRunError("the customer model has not run yet (run `nightjar model run`)");
  const previousDate = runs.find((r) => r.run_date < latest.run_date)?.run_date ?? null;

  const counts = await sql<{ stage: Stage; customers: number }>`
    select stage, count(*)::int as customers from customer_model group by 1`.execute(db);
  const byStage = new Map(counts.rows.map((r) => [r.stage, r.customers]));
  const moves = await stageMoveCounts(db, {
    since: latest.run_date,
    until: latest.run_date,
  });

  const clusters = await db
    .selectFrom("model_segment_clusters")
    .select(["stage", "layer", "cluster", "centre"])
    .where("run_id", "=", latest.id)
    .execute();
  const layers = new Map<string, SegmentLayer>(
    app.config.model.segments.layers.map((layer) => [layer.key, layer]),
  );
  const sizes = await sql<{ segment: string; customers: number }>`
    select segment, count(*)::int as customers from customer_model
    group by 1 order by 2 desc, 1`.execute(db);
  const segments = sizes.rows.map(({ segment, customers }) => {
    const { stage, clusters: picked } = segmentParts(segment);
    const parts: SegmentLayerPart[] = [];
    for (const [key, cluster] of picked) {
      const layer = layers.get(key);
      const ofStage = clusters.filter((c) => c.stage === stage && c.layer === key);
      const centre = ofStage.find((c) => c.cluster === cluster)?.centre ?? [];
      parts.push({
        layer: key,
        name: layer?.name ?? key,
        cluster,
        of: ofStage.length,
        centre: Object.fromEntries(
          (layer?.features ?? []).map((feature, i) => [feature, Number(centre[i] ?? Number.NaN)]),
        ),
      });
    }
    return { segment, stage: stage as Stage, customers, layers: parts };
  });

  const tiers = await sql<{
    tier: number;
    customers: number;
    min_clv: number;
    max_clv: number;
    mean_clv: number;
  }>`
    select value_tier as tier, count(*)::int as customers, min(clv) as min_clv,
      max(clv) as max_clv, avg(clv) as mean_clv
    from customer_model where value_tier is not null group by 1 order by 1`.execute(db);

  return {
    run: {
      id: latest.id,
      date: latest.run_date,
      customers: latest.customers,
      fitReused: latest.fit_reused,
    },
    previousDate,
    stages: STAGES.map((stage) => ({
      stage,
      label: STAGE_LABELS[stage],
      customers: byStage.get(stage) ?? 0,
    })),
    moves,
    segments,
    valueTiers: tiers.rows.map((t) => ({
      tier: t.tier,
      customers: t.customers,
      minClv: Number(t.min_clv),
      maxClv: Number(t.max_clv),
      meanClv: Number(t.mean_clv),
    })),
  };
}
