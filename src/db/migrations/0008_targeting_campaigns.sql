-- Target groups (src/targeting) and campaigns (src/campaigns): small reference tables. Times are
-- written by the application's clock.

create table target_groups (
  id serial primary key,
  name text not null,
  -- The rule as the marketer saved it (the JSON rule language of src/targeting/rule.ts).
  rule jsonb not null,
  description text,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  -- Deleted groups keep their row (campaigns and sizes refer to them) but leave the lists.
  deleted_at timestamptz
);
create unique index target_groups_name on target_groups (lower(name)) where deleted_at is null;

-- A group's size per day: recorded by the nightly run, or computed from the history when the
-- group was saved.
create table target_group_sizes (
  target_group_id integer not null references target_groups (id),
  on_date date not null,
  total integer not null,
  reachable integer not null,
  source text not null check (source in ('recorded', 'computed')),
  primary key (target_group_id, on_date)
);

create table campaigns (
  id serial primary key,
  name text not null,
  target_group_id integer not null references target_groups (id),
  channel text not null default 'sfmc_mobilepush' check (channel in ('sfmc_mobilepush')),
  -- The business unit's MID, a configured app of it, and a synced push message of that app.
  business_unit text not null,
  app_id text not null,
  message_id text not null,
  -- once / daily / weekly / monthly (src/campaigns/schedule.ts), dates local to time_zone.
  schedule jsonb not null,
  send_time text not null check (send_time ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$'),
  time_zone text not null,
  control_percent numeric(5, 2) not null check (control_percent >= 0 and control_percent <= 90),
  priority integer not null check (priority >= 1),
  exclusive boolean not null default true,
  measurement_days integer not null default 7 check (measurement_days between 1 and 90),
  status text not null check (status in ('draft', 'scheduled', 'paused', 'completed', 'archived')),
  created_at timestamptz not null,
  updated_at timestamptz not null
);
create unique index campaigns_name on campaigns (lower(name)) where status <> 'archived';
create index campaigns_target_group on campaigns (target_group_id);
