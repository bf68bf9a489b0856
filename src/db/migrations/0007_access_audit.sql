-- Who may use Nightjar's API and web app (src/access) and what every change did (src/audit).
-- Small reference tables. Times are written by the application's clock, never by now().

create table users (
  id serial primary key,
  -- As the person typed it; compared case-insensitively (the unique index below).
  email text not null,
  role text not null check (role in ('admin', 'marketer', 'viewer')),
  -- argon2id (PHC string); never logged, never answered.
  password_hash text not null,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  password_changed_at timestamptz not null,
  disabled_at timestamptz
);
create unique index users_email on users (lower(email));

-- Sign-in sessions. The cookie holds a random id; only its SHA-256 is stored, so reading this
-- table gives no one a session.
create table user_sessions (
  id_sha256 text primary key,
  user_id integer not null references users (id),
  csrf_token text not null,
  created_at timestamptz not null,
  last_seen_at timestamptz not null,
  -- The absolute limit (server.sessionMaxHours after sign-in).
  expires_at timestamptz not null,
  revoked_at timestamptz,
  -- signed_out, password_reset, disabled
  revoked_reason text,
  client_address text not null,
  user_agent text
);
create index user_sessions_user on user_sessions (user_id);

-- API keys for scripts: shown once at creation, stored as their SHA-256.
create table api_keys (
  id serial primary key,
  user_id integer not null references users (id),
  name text not null,
  key_sha256 text not null unique,
  created_at timestamptz not null,
  last_used_at timestamptz,
  revoked_at timestamptz
);
create index api_keys_user on api_keys (user_id);

-- Failed sign-ins, counted per submitted email (whether or not it exists) and per client address.
create table sign_in_failures (
  id bigserial primary key,
  email text not null,
  client_address text not null,
  failed_at timestamptz not null
);
create index sign_in_failures_email on sign_in_failures (email, failed_at);
create index sign_in_failures_address on sign_in_failures (client_address, failed_at);

-- Every change made through the API or the CLI, written in the change's own transaction.
create table audit_log (
  id bigserial primary key,
  at timestamptz not null,
  -- user:<email> or cli:<OS user>
  actor text not null,
  user_id integer references users (id),
  entity text not null,
  entity_id text,
  action text not null,
  -- Secrets removed before they are written.
  before jsonb,
  after jsonb
);
create index audit_log_entity on audit_log (entity, at);
create index audit_log_at on audit_log (at);
