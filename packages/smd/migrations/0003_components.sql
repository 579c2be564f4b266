-- State/Components (spec smd.md §3.2). Empty strings mean "unset" (omitted on the wire);
-- nid -1 means none. `type` is derived from the id on every write.
CREATE TABLE components (
  id                   text PRIMARY KEY,
  type                 text NOT NULL,
  state                text NOT NULL DEFAULT '',
  flag                 text NOT NULL DEFAULT '',
  enabled              boolean NOT NULL DEFAULT true,
  software_status      text NOT NULL DEFAULT '',
  role                 text NOT NULL DEFAULT '',
  sub_role             text NOT NULL DEFAULT '',
  nid                  integer NOT NULL DEFAULT -1,
  subtype              text NOT NULL DEFAULT '',
  net_type             text NOT NULL DEFAULT '',
  arch                 text NOT NULL DEFAULT '',
  class                text NOT NULL DEFAULT '',
  reservation_disabled boolean NOT NULL DEFAULT false,
  locked               boolean NOT NULL DEFAULT false
);

CREATE INDEX components_nid ON components (nid);
CREATE INDEX components_type ON components (type);
CREATE INDEX components_role ON components (role, sub_role);
-- Query/{x}?type= is an indexed prefix match on the id (descendants share the prefix).
CREATE INDEX components_id_prefix ON components (id text_pattern_ops);
