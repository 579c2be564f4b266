-- Reservations (spec smd.md §3.13), power maps and SCN subscriptions (§3.14).
CREATE TABLE reservations (
  component_id    text PRIMARY KEY REFERENCES components (id) ON DELETE CASCADE,
  create_time     timestamptz NOT NULL DEFAULT now(),
  -- NULL for admin reservations, which never expire
  expiration_time timestamptz,
  deputy_key      text NOT NULL UNIQUE,
  reservation_key text NOT NULL UNIQUE
);
CREATE INDEX reservations_expiry ON reservations (expiration_time) WHERE expiration_time IS NOT NULL;

CREATE TABLE power_maps (
  id         text PRIMARY KEY,
  powered_by text[] NOT NULL DEFAULT '{}'
);

CREATE TABLE scn_subscriptions (
  id              serial PRIMARY KEY,
  subscriber      text NOT NULL,
  url             text NOT NULL,
  enabled         boolean,
  roles           text[] NOT NULL DEFAULT '{}',
  sub_roles       text[] NOT NULL DEFAULT '{}',
  software_status text[] NOT NULL DEFAULT '{}',
  states          text[] NOT NULL DEFAULT '{}',
  CONSTRAINT scn_subscriptions_unique UNIQUE (subscriber, url)
);
