-- Boot parameters (spec bss.md §4.2). A config holds what a node boots; its targets say
-- which nodes. /boot/v1 writes "legacy" configs, one per target key, and every legacy
-- (kind, key) belongs to at most one config (S1). Non-legacy rows are reserved for the
-- v0.2 boot-service API (named, prioritised configs shared through group/pattern targets).
CREATE TABLE bss_boot_configs (
  id             uuid PRIMARY KEY,
  kernel         text NOT NULL DEFAULT '',
  initrd         text NOT NULL DEFAULT '',
  params         text NOT NULL DEFAULT '',
  -- The BootParams `cloud-init` object as given (Go-decoded); NULL when none was given.
  cloud_init     jsonb,
  referral_token uuid,
  legacy         boolean NOT NULL DEFAULT true,
  name           text UNIQUE,
  priority       integer NOT NULL DEFAULT 0 CHECK (priority BETWEEN 0 AND 100),
  profile        text,
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now()
);

-- Keys are stored normalised: MACs lower-case with colons, xnames normalised, NIDs in
-- decimal, tags in their canonical spelling.
CREATE TABLE bss_boot_targets (
  config_id uuid NOT NULL REFERENCES bss_boot_configs (id) ON DELETE CASCADE,
  kind      text NOT NULL CHECK (kind IN ('mac', 'xname', 'nid', 'tag', 'group', 'pattern')),
  key       text NOT NULL,
  legacy    boolean NOT NULL DEFAULT true,
  PRIMARY KEY (config_id, kind, key)
);
CREATE UNIQUE INDEX bss_boot_targets_legacy_key ON bss_boot_targets (kind, key) WHERE legacy;

-- Image-level params: appended to every record booting exactly this kernel or initrd URL.
CREATE TABLE bss_image_params (
  kind   text NOT NULL CHECK (kind IN ('kernel', 'initrd')),
  path   text NOT NULL,
  params text NOT NULL DEFAULT '',
  PRIMARY KEY (kind, path)
);
