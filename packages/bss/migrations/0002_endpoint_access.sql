-- Endpoint access (spec bss.md §4.5): the last access per (name, endpoint), written in
-- batches from memory, and an optional history bounded to the newest N per pair.
CREATE TABLE bss_endpoint_access (
  name       text NOT NULL,
  endpoint   text NOT NULL,
  last_epoch bigint NOT NULL,
  PRIMARY KEY (name, endpoint)
);

CREATE TABLE bss_endpoint_access_history (
  id       bigserial PRIMARY KEY,
  name     text NOT NULL,
  endpoint text NOT NULL,
  epoch    bigint NOT NULL
);
CREATE INDEX bss_endpoint_access_history_pair ON bss_endpoint_access_history (name, endpoint, epoch DESC);
