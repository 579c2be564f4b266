-- Hardware inventory by location and by FRU, and its history (spec smd.md §3.8).
-- The info blobs hold the inner `<T>FRUInfo` / `<T>LocationInfo` object only: `<T>` follows
-- from `type`, and the FRU filters read `fru_info ->> 'Manufacturer'` and friends.
CREATE TABLE hw_inv_by_fru (
  fru_id   text PRIMARY KEY,
  type     text NOT NULL,
  subtype  text NOT NULL DEFAULT '',
  fru_info jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX hw_inv_by_fru_type ON hw_inv_by_fru (type);

-- A location is Populated while it references a FRU and Empty once the FRU is deleted.
CREATE TABLE hw_inv_by_loc (
  id            text PRIMARY KEY,
  type          text NOT NULL,
  ordinal       integer NOT NULL DEFAULT 0,
  location_info jsonb NOT NULL DEFAULT '{}'::jsonb,
  fru_id        text REFERENCES hw_inv_by_fru (fru_id) ON DELETE SET NULL,
  -- The id and every enclosing xname below s0 (x1c0s0b0n0p0 → x1, x1c0, …, itself): subtree
  -- queries (Query/{x}, its type expansion) and partition scoping are GIN containment tests.
  ancestors     text[] NOT NULL
);
CREATE INDEX hw_inv_by_loc_fru ON hw_inv_by_loc (fru_id);
CREATE INDEX hw_inv_by_loc_type ON hw_inv_by_loc (type);
CREATE INDEX hw_inv_by_loc_ancestors ON hw_inv_by_loc USING gin (ancestors);

-- Append-only events; `seq` orders events that share a transaction's timestamp.
CREATE TABLE hw_inv_history (
  seq          bigserial PRIMARY KEY,
  component_id text NOT NULL,
  fru_id       text NOT NULL,
  event_type   text NOT NULL,
  "timestamp"  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX hw_inv_history_component ON hw_inv_history (component_id, "timestamp");
CREATE INDEX hw_inv_history_fru ON hw_inv_history (fru_id, "timestamp");
-- Pruning by age.
CREATE INDEX hw_inv_history_timestamp ON hw_inv_history ("timestamp");
