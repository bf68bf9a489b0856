-- The customer model: fits, runs, each customer's current scores, stage and micro-segment, and the
-- history of stage and segment changes. customer_model and customer_model_history are keyed by
-- contact_key (distributable with Citus); the others are small reference tables.

-- One maximum-likelihood fit, reused by later runs on the same data (same data_key).
create table model_fits (
  id bigint generated always as identity primary key,
  -- What the fit was made from: the purchases up to the calibration end, the period, the sample.
  data_key text not null unique,
  calibration_end date not null,
  period text not null check (period in ('day', 'week')),
  -- Customers with a purchase in the fit (a deterministic sample when there are many).
  customers integer not null,
  -- {params, standardErrors, logLikelihood, iterations, converged}; null when the data could not
  -- support a fit (no repeat purchases, too few customers).
  bgnbd jsonb,
  gamma_gamma jsonb,
  seconds double precision not null,
  fitted_at timestamptz not null default now()
);

create table model_runs (
  id bigint generated always as identity primary key,
  run_date date not null,
  fit_id bigint references model_fits (id),
  fit_reused boolean not null,
  customers integer not null,
  -- {"prospect": N, "new": N, ...}
  stage_counts jsonb not null,
  seconds double precision not null,
  started_at timestamptz not null,
  finished_at timestamptz not null default now()
);
create index model_runs_date on model_runs (run_date);

-- The clusters of one run's micro-segment layers, per stage: what "v3" meant that day.
create table model_segment_clusters (
  run_id bigint not null references model_runs (id) on delete cascade,
  stage text not null,
  layer text not null,
  cluster smallint not null,
  -- The cluster's centre in the layer's features, in their own units (CLV in money, recency in
  -- days, …; clustered on their logarithms), and its size.
  centre double precision[] not null,
  customers integer not null,
  primary key (run_id, stage, layer, cluster)
);

-- Each present customer's model as of the latest run. The (stage, segment) version in force
-- started on valid_from; earlier versions are in customer_model_history.
create table customer_model (
  contact_key text primary key,
  run_id bigint not null,
  run_date date not null,
  stage text not null check (stage in ('prospect', 'new', 'active', 'at_risk', 'churned', 'reactivated')),
  stage_since date not null,
  segment text not null,
  valid_from date not null,
  -- Decile of predicted CLV among customers with a purchase (10 = the most valuable tenth).
  value_tier smallint check (value_tier between 1 and 10),
  -- Purchase days up to the run date; repeat purchase days are purchases - 1.
  purchases integer not null,
  first_purchase_on date,
  last_purchase_on date,
  recency_days integer,
  tenure_days integer,
  mean_repeat_spend double precision,
  p_alive double precision,
  expected_purchases double precision,
  expected_spend double precision,
  clv double precision
);

create table customer_model_history (
  contact_key text not null,
  valid_from date not null,
  valid_to date not null,
  stage text not null,
  stage_since date not null,
  segment text not null,
  primary key (contact_key, valid_from),
  check (valid_to > valid_from)
);
