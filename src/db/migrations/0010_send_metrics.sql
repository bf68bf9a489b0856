-- Send metrics and campaign analysis (src/metrics): SFMC's delivery report of every sent batch,
-- once a day for a week after its send date, and the analyses kept past the recipient lists.

-- One collection of a batch's delivery report. `day` is the collection date minus the send date
-- (the occurrence's local date): 1..7; 0 only for an early `nightjar metrics collect --now` on
-- the send date. A failed call is kept (ok = false, with its error) until a later call of the
-- same day answers.
create table batch_deliveries (
  batch_id integer not null references send_batches (id),
  day integer not null check (day between 0 and 7),
  collected_at timestamptz not null,
  ok boolean not null,
  -- SFMC's status (`New`, `Started`, `Finished`, `Error`…) and count (contacts the send tried).
  sfmc_status text,
  count integer check (count >= 0),
  -- SFMC's dates, read as CST (UTC-6).
  sfmc_created_at timestamptz,
  sfmc_scheduled_at timestamptz,
  sfmc_completed_at timestamptz,
  error text,
  attempts integer not null default 1,
  primary key (batch_id, day)
);

-- An occurrence's analysis once its measurement window has ended: retention deletes the recipient
-- list it is computed from, and this row keeps the figures.
create table occurrence_analyses (
  occurrence_id integer primary key references campaign_occurrences (id),
  computed_at timestamptz not null,
  analysis jsonb not null
);
