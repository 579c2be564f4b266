-- Hardware inventory by location and by FRU, and its history (spec smd.md §3.8).
CREATE TABLE hw_inv_by_fru (
  fru_id   text PRIMARY KEY,
  type     text NOT NULL,
  subtype  text NOT NULL DEFAULT '',
  -- {"<T>FRUInfo": {...}} kept opaque
  fru_info jsonb NOT NULL DEFAULT '{}'::jsonb
);

CREATE TABLE hw_inv_by_loc (
  id            text PRIMARY KEY,
  type          text NOT NULL,
  ordinal       integer NOT NULL DEFAULT 0,
  status        text NOT NULL DEFAULT 'Empty',
  -- {"<T>LocationInfo": {...}} kept opaque
  location_info jsonb NOT NULL DEFAULT '{}'::jsonb,
  fru_id        text REFERENCES hw_inv_by_fru (fru_id) ON DELETE SET NULL
);
CREATE INDEX hw_inv_by_loc_fru ON hw_inv_by_loc (fru_id);
CREATE INDEX hw_inv_by_loc_type ON hw_inv_by_loc (type);
CREATE INDEX hw_inv_by_loc_id_prefix ON hw_inv_by_loc (id text_pattern_ops);

CREATE TABLE hw_inv_history (
  seq          bigserial PRIMARY KEY,
  component_id text NOT NULL,
  fru_id       text NOT NULL,
  event_type   text NOT NULL,
  "timestamp"  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX hw_inv_history_component ON hw_inv_history (component_id, "timestamp");
CREATE INDEX hw_inv_history_fru ON hw_inv_history (fru_id, "timestamp");
