-- Bootloop pool leases of unknown MACs (spec dhcp.md §4.3). The service keeps them in memory
-- and writes through; only unexpired rows are loaded at start, expired ones are swept.
-- MACs are canonical (`aa:bb:cc:dd:ee:ff`), addresses single IPv4 hosts.
CREATE TABLE dhcp_bootloop_leases4 (
  mac      text PRIMARY KEY,
  ip       inet NOT NULL UNIQUE CHECK (family(ip) = 4 AND masklen(ip) = 32),
  state    text NOT NULL CHECK (state IN ('offered', 'bound')),
  expiry   timestamptz NOT NULL,
  -- The client's own name (option 12), when it sent one.
  hostname text
);

-- Addresses a client declined (another host answers on them), kept out of pools until `until`.
CREATE TABLE dhcp_bootloop_quarantine (
  ip    inet PRIMARY KEY CHECK (family(ip) = 4 AND masklen(ip) = 32),
  until timestamptz NOT NULL
);
