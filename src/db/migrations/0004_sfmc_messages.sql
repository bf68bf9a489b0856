-- Push messages synced from SFMC (`nightjar sfmc sync`): the API-triggered outbound alerts of the
-- configured apps whose name starts with their business unit's template prefix. Message ids are
-- per business unit, hence the key. A small reference table.
create table sfmc_messages (
  -- The business unit's MID.
  business_unit text not null,
  message_id text not null,
  name text not null,
  app_id text not null,
  -- active: usable in campaigns; inactive: still in SFMC and still qualifying, but its SFMC status
  -- is no longer Active; removed: gone from SFMC, or no longer qualifying (not API-triggered, not an
  -- outbound alert, name without the prefix, app not configured for the business unit).
  status text not null check (status in ('active', 'inactive', 'removed')),
  first_seen_at timestamptz not null,
  -- The last sync that found it in SFMC.
  last_seen_at timestamptz not null,
  -- When it stopped being usable; null while it is active.
  removed_at timestamptz,
  primary key (business_unit, message_id),
  check ((status = 'active') = (removed_at is null))
);
create index sfmc_messages_app on sfmc_messages (app_id, name);
