import type { Generated } from "kysely";

/** Kysely's view of SMD's tables (see ../../migrations). */
export interface NodeMapsTable {
  id: string;
  nid: number;
  role: string;
  sub_role: string;
  node_info: unknown | null;
}

export interface DiscoveryStatusTable {
  id: number;
  status: string;
  last_update: Generated<Date>;
  /** NULL: no Details */
  details: unknown | null;
}

export interface HwInvByFruTable {
  fru_id: string;
  type: string;
  subtype: string;
  /** The `<T>FRUInfo` object */
  fru_info: unknown;
}

export interface HwInvByLocTable {
  id: string;
  type: string;
  ordinal: number;
  /** The `<T>LocationInfo` object */
  location_info: unknown;
  /** NULL: Empty */
  fru_id: string | null;
  /** The id and its enclosing xnames below s0 */
  ancestors: string[];
}

export interface HwInvHistoryTable {
  seq: Generated<number>;
  component_id: string;
  fru_id: string;
  event_type: string;
  timestamp: Generated<Date>;
}

export interface GroupsTable {
  label: string;
  description: string;
  tags: string[];
  exclusive_group: string;
}

export interface GroupMembersTable {
  group_label: string;
  component_id: string;
  namespace: string;
}

export interface PartitionsTable {
  name: string;
  description: string;
  tags: string[];
}

export interface PartitionMembersTable {
  component_id: string;
  partition_name: string;
}

export interface ComponentsTable {
  id: string;
  type: string;
  state: Generated<string>;
  flag: Generated<string>;
  enabled: Generated<boolean>;
  software_status: Generated<string>;
  role: Generated<string>;
  sub_role: Generated<string>;
  /** -1 = none */
  nid: Generated<number>;
  subtype: Generated<string>;
  net_type: Generated<string>;
  arch: Generated<string>;
  class: Generated<string>;
  reservation_disabled: Generated<boolean>;
  locked: Generated<boolean>;
}

export interface PowerMapsTable {
  id: string;
  powered_by: string[];
}

export interface ScnSubscriptionsTable {
  id: Generated<number>;
  subscriber: string;
  url: string;
  enabled: boolean | null;
  roles: string[];
  sub_roles: string[];
  software_status: string[];
  states: string[];
}

export interface RedfishEndpointsTable {
  id: string;
  type: string;
  name: string;
  hostname: string;
  domain: string;
  fqdn: string;
  enabled: boolean;
  uuid: string;
  username: string;
  password: string;
  use_ssdp: boolean;
  mac_required: boolean;
  mac_addr: string;
  ip_address: string;
  rediscover_on_update: boolean;
  template_id: string;
  discovery_info: Generated<unknown>;
}

export interface ComponentEndpointsTable {
  id: string;
  type: string;
  domain: string;
  fqdn: string;
  redfish_type: string;
  redfish_subtype: string;
  mac_addr: string;
  uuid: string;
  odata_id: string;
  redfish_endpoint_id: string;
  enabled: boolean;
  redfish_url: string;
  component_endpoint_type: string;
  info: unknown;
}

export interface ServiceEndpointsTable {
  redfish_endpoint_id: string;
  redfish_type: string;
  redfish_subtype: string;
  uuid: string;
  odata_id: string;
  redfish_url: string;
  service_info: unknown;
}

export interface EthernetInterfacesTable {
  id: string;
  mac_address: string;
  description: string;
  component_id: string;
  type: string;
  last_update: Generated<Date>;
  ip_addresses: unknown;
}

export interface ReservationsTable {
  component_id: string;
  create_time: Generated<Date>;
  /** null for admin reservations, which never expire */
  expiration_time: Date | null;
  deputy_key: string;
  reservation_key: string;
}

export interface SmdTables {
  node_maps: NodeMapsTable;
  components: ComponentsTable;
  discovery_status: DiscoveryStatusTable;
  hw_inv_by_fru: HwInvByFruTable;
  hw_inv_by_loc: HwInvByLocTable;
  hw_inv_history: HwInvHistoryTable;
  groups: GroupsTable;
  group_members: GroupMembersTable;
  partitions: PartitionsTable;
  partition_members: PartitionMembersTable;
  power_maps: PowerMapsTable;
  scn_subscriptions: ScnSubscriptionsTable;
  reservations: ReservationsTable;
  redfish_endpoints: RedfishEndpointsTable;
  component_endpoints: ComponentEndpointsTable;
  service_endpoints: ServiceEndpointsTable;
  ethernet_interfaces: EthernetInterfacesTable;
}
