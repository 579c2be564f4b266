-- groups, partitions and their members (spec smd.md §3.10-3.12, §5.6). Exclusivity lives in
-- unique constraints, so racing writers cannot break it.
CREATE TABLE groups (
  label           text PRIMARY KEY,
  description     text NOT NULL DEFAULT '',
  tags            text[] NOT NULL DEFAULT '{}',
  exclusive_group text NOT NULL DEFAULT ''
);

-- namespace = '%' || the group's exclusive_group when it has one, else its label: one row
-- per (component, namespace) means one group per exclusive group. A label never contains
-- '%', so an exclusive set cannot collide with an ordinary group of the same name.
CREATE TABLE group_members (
  group_label  text NOT NULL REFERENCES groups (label) ON DELETE CASCADE,
  component_id text NOT NULL REFERENCES components (id) ON DELETE CASCADE,
  namespace    text NOT NULL,
  PRIMARY KEY (group_label, component_id),
  CONSTRAINT group_members_exclusive UNIQUE (component_id, namespace)
);
CREATE INDEX group_members_component ON group_members (component_id);

CREATE TABLE partitions (
  name        text PRIMARY KEY,
  description text NOT NULL DEFAULT '',
  tags        text[] NOT NULL DEFAULT '{}'
);

-- component_id as the key: one partition per component.
CREATE TABLE partition_members (
  component_id   text PRIMARY KEY REFERENCES components (id) ON DELETE CASCADE,
  partition_name text NOT NULL REFERENCES partitions (name) ON DELETE CASCADE
);
CREATE INDEX partition_members_partition ON partition_members (partition_name);
