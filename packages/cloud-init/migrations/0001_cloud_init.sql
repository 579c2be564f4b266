-- cloud-init's admin records and persisted identities (spec cloud-init.md §5). `data` is
-- the canonical wire JSON of the record, group file content kept exactly as written.
CREATE TABLE ci_cluster_defaults (
  id         integer PRIMARY KEY CHECK (id = 1),
  data       jsonb NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE ci_groups (
  name       text PRIMARY KEY,
  data       jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Per-node overrides (PUT /admin/instance-info/{id}); the instance ID lives apart, so
-- deleting the overrides keeps it (decision 4).
CREATE TABLE ci_instance_info (
  node_id    text PRIMARY KEY,
  data       jsonb NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE ci_instance_ids (
  node_id     text PRIMARY KEY,
  instance_id text NOT NULL UNIQUE CHECK (instance_id ~ '^i-[0-9a-f]{8}$'),
  created_at  timestamptz NOT NULL DEFAULT now()
);

-- WireGuard (§4): the server key pair, generated once, and one lease per node.
CREATE TABLE ci_wg_server (
  id          integer PRIMARY KEY CHECK (id = 1),
  private_key text NOT NULL,
  public_key  text NOT NULL
);

CREATE TABLE ci_wg_peers (
  node_id    text PRIMARY KEY,
  public_key text NOT NULL UNIQUE,
  tunnel_ip  inet NOT NULL UNIQUE,
  client_ip  inet,
  expires_at timestamptz NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ci_wg_peers_expires ON ci_wg_peers (expires_at);
