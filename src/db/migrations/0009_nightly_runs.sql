-- The nightly run (src/delivery): runs and their steps, campaign occurrences with their frozen
-- recipient lists, send batches and test sends. Times are written by the application's clock.

create table nightly_runs (
  id serial primary key,
  run_date date not null,
  -- What started it: the CLI, serve's schedule (or its catch-up at start-up), the API.
  trigger text not null check (trigger in ('cli', 'schedule', 'api')),
  started_by text not null,
  -- The process that held the run lock: `nightjar run (pid 123 on host)`.
  holder text not null,
  status text not null check (status in ('running', 'completed', 'failed')),
  started_at timestamptz not null,
  finished_at timestamptz,
  error text
);
create index nightly_runs_date on nightly_runs (run_date, id);

create table nightly_run_steps (
  run_id integer not null references nightly_runs (id),
  position integer not null,
  step text not null,
  status text not null check (status in ('running', 'completed', 'failed', 'skipped', 'no_file')),
  started_at timestamptz not null,
  finished_at timestamptz,
  counts jsonb not null default '{}',
  note text,
  error text,
  primary key (run_id, position)
);

-- One dated execution of a campaign, with what it was frozen with (the campaign may change later).
create table campaign_occurrences (
  id serial primary key,
  campaign_id integer not null references campaigns (id),
  local_date date not null,
  -- The nightly run date that hands it over (src/campaigns/occurrences.ts).
  run_date date not null,
  send_at timestamptz not null,
  state text not null
    check (state in ('frozen', 'delivering', 'delivered', 'delivered_with_problems')),
  business_unit text not null,
  app_id text not null,
  message_id text not null,
  -- The SFMC client id whose send budget the batches share.
  budget_key text not null,
  priority integer not null,
  exclusive boolean not null,
  control_percent numeric(5, 2) not null,
  measurement_days integer not null,
  -- Reachable members of the group, assigned after priorities and the frequency cap, and split.
  reachable integer not null,
  test integer not null,
  control integer not null,
  frozen_at timestamptz not null,
  finished_at timestamptz,
  -- When the recipient list and batch keys were deleted (retention); the counts stay.
  lists_purged_at timestamptz,
  unique (campaign_id, local_date)
);
create index campaign_occurrences_run_date on campaign_occurrences (run_date);
create index campaign_occurrences_send_at on campaign_occurrences (send_at);

-- The frozen recipient list: every assigned member, test or control. Customer-keyed (Citus:
-- distributed by contact_key). No foreign key to campaign_occurrences: the freeze writes both in
-- one transaction, and a key checked per row would queue a million trigger events in memory.
create table occurrence_recipients (
  occurrence_id integer not null,
  contact_key text not null,
  control boolean not null,
  primary key (occurrence_id, contact_key)
);
create index occurrence_recipients_contact on occurrence_recipients (contact_key) where not control;

-- Up to 5000 test-group keys pushed in one messageContact send. `sending` is written and
-- committed before the call; a batch found `sending` after a crash becomes `unknown`.
create table send_batches (
  id serial primary key,
  occurrence_id integer not null references campaign_occurrences (id),
  seq integer not null,
  budget_key text not null,
  size integer not null check (size between 1 and 5000),
  -- Null once deleted by retention.
  contact_keys text[],
  state text not null
    check (state in ('planned', 'sending', 'sent', 'failed', 'unknown', 'expired', 'abandoned')),
  -- The slot the execution schedule gave it at the freeze, and the one it was handed over with.
  planned_at timestamptz not null,
  send_at timestamptz not null,
  late_minutes integer not null default 0,
  token_id text,
  -- A failed batch SFMC did not take for a passing reason (429, 503, no connection): re-sent by
  -- the next run while within the lateness limit.
  retryable boolean not null default false,
  error text,
  attempts integer not null default 0,
  handed_at timestamptz,
  answered_at timestamptz,
  -- A re-send of an unknown batch points at it.
  resend_of integer references send_batches (id),
  resolved_by text,
  resolved_at timestamptz,
  run_id integer references nightly_runs (id),
  unique (occurrence_id, seq)
);
create index send_batches_open on send_batches (state)
  where state in ('planned', 'sending', 'failed', 'unknown');
create index send_batches_budget on send_batches (budget_key, send_at);

-- Pushes of a campaign's message to the configured test contacts: apart from the occurrences.
create table test_sends (
  id serial primary key,
  campaign_id integer not null references campaigns (id),
  business_unit text not null,
  message_id text not null,
  budget_key text not null,
  contact_keys text[] not null,
  state text not null check (state in ('sending', 'sent', 'failed', 'unknown')),
  token_id text,
  error text,
  sent_by text not null,
  sent_at timestamptz not null
);
