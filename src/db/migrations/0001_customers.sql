-- Customers, their history, transactions and the import log.
-- Customer-keyed tables are distributable by contact_key (Citus); the rest are small reference tables.

create table customer_attributes (
  name text primary key,
  type text not null check (type in ('text', 'integer', 'numeric', 'boolean', 'date', 'timestamp')),
  added_at timestamptz not null default now()
);

create table imports (
  id bigint generated always as identity primary key,
  kind text not null check (kind in ('customers', 'transactions')),
  -- The snapshot date of a customer import; history intervals are in these dates.
  import_date date,
  file_name text not null,
  file_sha256 text not null,
  rows integer not null,
  inserted integer not null,
  updated integer not null,
  unchanged integer not null,
  removed integer not null,
  started_at timestamptz not null,
  finished_at timestamptz not null default now()
);
create index imports_kind_date on imports (kind, import_date);

-- The current version of every customer ever seen. Attribute columns are added from the config.
-- A first load writes no history: the version in force is here, with the date it started.
create table customers (
  contact_key text primary key,
  present boolean not null default true,
  first_seen_on date not null,
  valid_from date not null,
  last_import_id bigint not null
-- Free room in every page lets a day's updates stay on their page (HOT: no index writes).
) with (fillfactor = 85);

-- Earlier versions, each valid on [valid_from, valid_to) in import dates.
create table customer_history (
  contact_key text not null,
  valid_from date not null,
  valid_to date not null,
  present boolean not null,
  primary key (contact_key, valid_from),
  check (valid_to > valid_from)
);

create table transactions (
  contact_key text not null,
  id bigint generated always as identity,
  transaction_id text,
  occurred_at timestamptz not null,
  amount numeric not null,
  -- Refunds (negative amounts) are kept but are not purchases; a zero amount is a purchase.
  is_purchase boolean generated always as (amount >= 0) stored,
  import_id bigint not null,
  primary key (contact_key, id)
);
create unique index transactions_transaction_id on transactions (contact_key, transaction_id)
  where transaction_id is not null;
create index transactions_occurred_at on transactions (occurred_at);

-- Strict value checks for imports, without exceptions (no subtransaction per value).
-- An ISO date, YYYY-MM-DD, that exists in the calendar.
create function nightjar_is_date(v text) returns boolean
language sql immutable parallel safe as $$
  select case
    when v !~ '^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$' or v like '0000-%' then false
    when substr(v, 9, 2)::int <= 28 then true
    else substr(v, 9, 2)::int <= extract(day from
      make_date(substr(v, 1, 4)::int, substr(v, 6, 2)::int, 1) + interval '1 month - 1 day')::int
  end
$$;

-- An ISO timestamp: a date, optionally a time (T or space) and a zone (Z or ±hh[:mm]).
create function nightjar_is_timestamp(v text) returns boolean
language sql immutable parallel safe as $$
  select case
    when v !~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}([T ]([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?(Z|[+-](0[0-9]|1[0-5])(:?[0-5][0-9])?)?)?$' then false
    else nightjar_is_date(substr(v, 1, 10))
  end
$$;
