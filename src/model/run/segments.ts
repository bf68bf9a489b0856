import { type RawBuilder, sql } from "kysely";
import { kmeans } from "ml-kmeans";
import type { ModelSettings, SEGMENT_FEATURES, SegmentLayer } from "../../config/schema.ts";
import type { Db } from "../../db/connect.ts";
import type { Stage } from "./stages.ts";

type Feature = (typeof SEGMENT_FEATURES)[number];

/** Each feature as SQL over a row of the scores table (alias `sc`). */
const FEATURE_SQL: Record<Feature, RawBuilder<number>> = {
  value: sql`coalesce(sc.clv, 0)`,
  frequency: sql`sc.purchases`,
  recency: sql`coalesce(sc.recency_days, 0)`,
  tenure: sql`coalesce(sc.tenure_days, 0)`,
  spend: sql`coalesce(sc.mean_repeat_spend, 0)`,
  alive: sql`coalesce(sc.p_alive, 1)`,
};

/**
 * Features are clustered on their logarithms (log1p), since money, counts and days are skewed:
 * a tenth of the customers would otherwise make every cluster but one. P(alive) is a probability
 * and is clustered as it is.
 */
function transformSql(feature: Feature): RawBuilder<number> {
  const value = FEATURE_SQL[feature];
  return feature === "alive" ? value : sql`ln(1 + greatest(${value}, 0)::float8)`;
}

function untransform(feature: Feature, value: number): number {
  return feature === "alive" ? value : Math.expm1(value);
}

/** One cluster of one layer within one stage. */
export interface SegmentCluster {
  stage: Stage;
  layer: string;
  /** 1-based; cluster 1 has the lowest centre in the layer's first feature. */
  cluster: number;
  /** The centre in the features' own units. */
  centre: number[];
  /** Customers of the sample in this cluster. */
  customers: number;
}

/** A layer's clusters within one stage, in the form the assignment needs. */
interface LayerModel {
  stage: Stage;
  layer: SegmentLayer;
  /** Per feature, in transformed units: the sample mean and deviation used to standardize. */
  means: number[];
  deviations: number[];
  /** Standardized centres, sorted by their first feature. */
  centres: number[][];
}

/** The clusters found for a run: what to store, and how to assign every customer. */
export interface Segmentation {
  clusters: SegmentCluster[];
  /** The micro-segment id as SQL over a scores row `sc` with its stage in `stage`. */
  segmentSql(stage: RawBuilder<unknown>): RawBuilder<string>;
}

function usedFeatures(layers: readonly SegmentLayer[]): Feature[] {
  return [...new Set(layers.flatMap((layer) => layer.features))];
}

/**
 * Finds the clusters of every layer within every stage on a sample of each stage's customers
 * (chosen by a hash of the contact key and the seed, so the same data and seed give the same
 * clusters), with k-means++ seeded the same way.
 */
export async function findSegments(
  db: Db,
  scoresTable: string,
  stageColumn: string,
  settings: ModelSettings["segments"],
): Promise<Segmentation> {
  const features = usedFeatures(settings.layers);
  const columns = features.map((f, i) => sql`${transformSql(f)} as ${sql.id(`f${i}`)}`);
  const sample = await sql<Record<string, number> & { stage: Stage }>`
    select * from (
      select ${sql.ref(`sc.${stageColumn}`)} as stage, ${sql.join(columns)},
        row_number() over (partition by ${sql.ref(`sc.${stageColumn}`)}
          order by hashtextextended(sc.contact_key, ${settings.seed}), sc.contact_key) as pick
      from ${sql.id(scoresTable)} sc
      where ${sql.ref(`sc.${stageColumn}`)} <> 'prospect'
    ) s where pick <= ${settings.sampleSize}
    order by stage, pick`.execute(db);
  const byStage = new Map<Stage, number[][]>();
  for (const row of sample.rows) {
    const points = byStage.get(row.stage) ?? [];
    points.push(features.map((_, i) => Number(row[`f${i}`])));
    byStage.set(row.stage, points);
  }
  const models: LayerModel[] = [];
  const clusters: SegmentCluster[] = [];
  for (const [stage, points] of byStage) {
    for (const layer of settings.layers) {
      const indexes = layer.features.map((f) => features.indexOf(f));
      const model = clusterLayer(
        stage,
        layer,
        points.map((p) => indexes.map((i) => p[i] as number)),
        settings.seed,
      );
      models.push(model.layerModel);
      clusters.push(...model.clusters);
    }
  }
  return {
    clusters,
    segmentSql: (stage) => segmentExpression(stage, settings.layers, models),
  };
}

function meanAndDeviation(values: number[]): [number, number] {
  const mean = values.reduce((sum, v) => sum + v, 0) / values.length;
  const variance = values.reduce((sum, v) => sum + (v - mean) ** 2, 0) / values.length;
  const deviation = Math.sqrt(variance);
  return [mean, deviation > 1e-12 ? deviation : 1];
}

function clusterLayer(
  stage: Stage,
  layer: SegmentLayer,
  points: number[][],
  seed: number,
): { layerModel: LayerModel; clusters: SegmentCluster[] } {
  const dimensions = layer.features.length;
  const stats = Array.from({ length: dimensions }, (_, d) =>
    meanAndDeviation(points.map((p) => p[d] as number)),
  );
  const means = stats.map(([mean]) => mean);
  const deviations = stats.map(([, deviation]) => deviation);
  const standardized = points.map((p) =>
    p.map((v, d) => (v - (means[d] as number)) / (deviations[d] as number)),
  );
  // No more clusters than distinct points: k-means cannot split identical customers.
  const distinct = new Set(standardized.map((p) => p.join(","))).size;
  const k = Math.min(layer.clusters, distinct);
  let centres: number[][];
  let sizes: number[];
  if (k <= 1) {
    centres = [standardized[0] ?? new Array<number>(dimensions).fill(0)];
    sizes = [points.length];
  } else {
    const result = kmeans(standardized, k, {
      seed,
      initialization: "kmeans++",
      maxIterations: 100,
    });
    sizes = new Array<number>(k).fill(0);
    for (const cluster of result.clusters) sizes[cluster] = (sizes[cluster] ?? 0) + 1;
    centres = result.centroids;
  }
  const order = centres
    .map((_, i) => i)
    .sort((a, b) => (centres[a]?.[0] ?? 0) - (centres[b]?.[0] ?? 0));
  const sortedCentres = order.map((i) => centres[i] as number[]);
  return {
    layerModel: { stage, layer, means, deviations, centres: sortedCentres },
    clusters: order.map((i, rank) => ({
      stage,
      layer: layer.key,
      cluster: rank + 1,
      centre: (centres[i] as number[]).map((z, d) =>
        untransform(
          layer.features[d] as Feature,
          z * (deviations[d] as number) + (means[d] as number),
        ),
      ),
      customers: sizes[i] ?? 0,
    })),
  };
}

/** The nearest cluster (1-based) of a row, as SQL. */
function nearestClusterSql(model: LayerModel): RawBuilder<number> {
  const standardized = model.layer.features.map(
    (feature, d) =>
      sql`((${transformSql(feature)} - ${model.means[d]}::float8) / ${model.deviations[d]}::float8)`,
  );
  const centres = model.centres;
  if (centres.length === 1) return sql<number>`1`;
  if (standardized.length === 1) {
    // One feature: the nearest centre is found by the midpoints between sorted centres.
    const z = standardized[0] as RawBuilder<number>;
    const cases = centres.slice(1).map((centre, i) => {
      const midpoint = (((centres[i] as number[])[0] as number) + (centre[0] as number)) / 2;
      return sql`when ${z} < ${midpoint}::float8 then ${i + 1}::int`;
    });
    return sql<number>`(case ${sql.join(cases, sql` `)} else ${centres.length}::int end)`;
  }
  const distances = centres.map(
    (centre) =>
      sql`(${sql.join(
        standardized.map((z, d) => sql`(${z} - ${centre[d] as number}::float8) ^ 2`),
        sql` + `,
      )})`,
  );
  const list = sql.join(distances);
  return sql<number>`array_position(array[${list}], least(${list}))`;
}

function segmentExpression(
  stage: RawBuilder<unknown>,
  layers: readonly SegmentLayer[],
  models: readonly LayerModel[],
): RawBuilder<string> {
  const stages = [...new Set(models.map((m) => m.stage))];
  if (stages.length === 0 || layers.length === 0) return sql<string>`${stage}::text`;
  const parts = layers.map((layer) => {
    const cases = stages.map((s) => {
      const model = models.find((m) => m.stage === s && m.layer.key === layer.key) as LayerModel;
      return sql`when ${s}::text then ${nearestClusterSql(model)}`;
    });
    return sql`${layer.key}::text || (case ${stage} ${sql.join(cases, sql` `)} else 1 end)::text`;
  });
  return sql<string>`case when ${stage} = 'prospect' then 'prospect'
    else ${stage} || '.' || ${sql.join(parts, sql` || '.' || `)} end`;
}
