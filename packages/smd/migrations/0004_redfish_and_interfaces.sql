-- Inventory/RedfishEndpoints, ComponentEndpoints, ServiceEndpoints (spec smd.md §3.4-3.6)
-- and EthernetInterfaces (§3.7).
CREATE TABLE redfish_endpoints (
  id                   text PRIMARY KEY,
  type                 text NOT NULL,
  name                 text NOT NULL DEFAULT '',
  hostname             text NOT NULL DEFAULT '',
  domain               text NOT NULL DEFAULT '',
  fqdn                 text NOT NULL,
  enabled              boolean NOT NULL DEFAULT true,
  uuid                 text NOT NULL DEFAULT '',
  username             text NOT NULL DEFAULT '',
  -- Write-only on the wire (D3); encrypted here when a secret key is configured.
  password             text NOT NULL DEFAULT '',
  use_ssdp             boolean NOT NULL DEFAULT false,
  mac_required         boolean NOT NULL DEFAULT false,
  mac_addr             text NOT NULL DEFAULT '',
  ip_address           text NOT NULL DEFAULT '',
  rediscover_on_update boolean NOT NULL DEFAULT false,
  template_id          text NOT NULL DEFAULT '',
  discovery_info       jsonb NOT NULL DEFAULT '{"LastDiscoveryStatus":"NotYetQueried"}'::jsonb,
  CONSTRAINT redfish_endpoints_fqdn_unique UNIQUE (fqdn)
);

CREATE TABLE component_endpoints (
  id                      text PRIMARY KEY,
  type                    text NOT NULL,
  domain                  text NOT NULL DEFAULT '',
  fqdn                    text NOT NULL DEFAULT '',
  redfish_type            text NOT NULL,
  redfish_subtype         text NOT NULL DEFAULT '',
  mac_addr                text NOT NULL DEFAULT '',
  uuid                    text NOT NULL DEFAULT '',
  odata_id                text NOT NULL DEFAULT '',
  redfish_endpoint_id     text NOT NULL REFERENCES redfish_endpoints (id) ON DELETE CASCADE,
  enabled                 boolean NOT NULL DEFAULT true,
  redfish_url             text NOT NULL DEFAULT '',
  component_endpoint_type text NOT NULL,
  -- The one Redfish{Chassis,System,Manager,PDU,Outlet}Info object, keyed by its wire name.
  info                    jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX component_endpoints_rfe ON component_endpoints (redfish_endpoint_id);
CREATE INDEX component_endpoints_type ON component_endpoints (type);

CREATE TABLE service_endpoints (
  redfish_endpoint_id text NOT NULL REFERENCES redfish_endpoints (id) ON DELETE CASCADE,
  redfish_type        text NOT NULL,
  redfish_subtype     text NOT NULL DEFAULT '',
  uuid                text NOT NULL DEFAULT '',
  odata_id            text NOT NULL DEFAULT '',
  redfish_url         text NOT NULL DEFAULT '',
  service_info        jsonb NOT NULL DEFAULT '{}'::jsonb,
  PRIMARY KEY (redfish_type, redfish_endpoint_id)
);
CREATE INDEX service_endpoints_rfe ON service_endpoints (redfish_endpoint_id);

-- id is the canonical MAC without colons; mac_address is aa:bb:cc:dd:ee:ff.
CREATE TABLE ethernet_interfaces (
  id           text PRIMARY KEY,
  mac_address  text NOT NULL,
  description  text NOT NULL DEFAULT '',
  component_id text NOT NULL DEFAULT '',
  type         text NOT NULL DEFAULT '',
  last_update  timestamptz NOT NULL DEFAULT now(),
  -- [{"IPAddress":"10.0.0.1","Network":"..."}], in insertion order
  ip_addresses jsonb NOT NULL DEFAULT '[]'::jsonb
);
CREATE INDEX ethernet_interfaces_mac ON ethernet_interfaces (mac_address);
CREATE INDEX ethernet_interfaces_component ON ethernet_interfaces (component_id);
CREATE INDEX ethernet_interfaces_ips ON ethernet_interfaces USING gin (ip_addresses jsonb_path_ops);
