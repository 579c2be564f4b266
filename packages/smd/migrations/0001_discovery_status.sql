-- Discovery status (spec smd.md §3.9, §5.5, §7e): row 0 is seeded NotStarted.
CREATE TABLE discovery_status (
  id          integer PRIMARY KEY,
  status      text NOT NULL,
  last_update timestamptz NOT NULL DEFAULT now(),
  -- Shown as `Details` when not NULL (e.g. why nothing was crawled).
  details     jsonb
);

INSERT INTO discovery_status (id, status) VALUES (0, 'NotStarted');
