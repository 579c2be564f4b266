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
  last_update: Date;
  details: unknown;
}

export interface SmdTables {
  node_maps: NodeMapsTable;
  discovery_status: DiscoveryStatusTable;
}
