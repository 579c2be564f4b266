-- Defaults/NodeMaps (spec smd.md §3.3): default NID and roles for a node xname.
CREATE TABLE node_maps (
  id        text PRIMARY KEY,
  nid       integer NOT NULL CHECK (nid > 0),
  role      text NOT NULL DEFAULT '',
  sub_role  text NOT NULL DEFAULT '',
  node_info jsonb,
  CONSTRAINT node_maps_nid_unique UNIQUE (nid)
);
