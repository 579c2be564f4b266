import type { Db } from "@openchami/db";
import { type ComponentWire, componentToWire } from "./domain/component.ts";
import { componentEndpointJson } from "./domain/component-endpoint.ts";
import type { Selection } from "./domain/component-filter.ts";
import { type IpMapping, interfaceToWire } from "./domain/ethernet-interface.ts";
import { ComponentEndpointStore } from "./store/component-endpoints.ts";
import { COMPONENTS_RESOURCE, ComponentStore } from "./store/components.ts";
import { EthernetInterfaceStore, INTERFACES_RESOURCE } from "./store/ethernet-interfaces.ts";
import { COMPONENT_ENDPOINTS_RESOURCE } from "./store/ingestion.ts";
import { type Membership, MembershipStore } from "./store/memberships.ts";
import { ENDPOINTS_RESOURCE } from "./store/redfish-endpoints.ts";

/** A ComponentEndpoint as `GET /Inventory/ComponentEndpoints` sends it (Redfish info included). */
export interface ComponentEndpointWire {
  ID: string;
  Enabled: boolean;
  MACAddr?: string;
  [field: string]: unknown;
}

/** An EthernetInterface as `GET /Inventory/EthernetInterfaces` sends it. */
export interface EthernetInterfaceWire {
  ID: string;
  MACAddress: string;
  Description: string;
  ComponentID: string;
  IPAddresses: IpMapping[];
  [field: string]: unknown;
}

/** What the boot-time services read of SMD: its node-typed collections, as the HTTP API returns them. */
export interface SmdInventoryData {
  components: ComponentWire[];
  componentEndpoints: ComponentEndpointWire[];
  ethernetInterfaces: EthernetInterfaceWire[];
  memberships: Membership[];
}

const NODE_TYPES: Selection<string> = { include: ["Node", "VirtualNode"], exclude: [] };

/** Change-feed resources whose writes can change what `readInventoryData` returns. */
export const INVENTORY_RESOURCES: ReadonlySet<string> = new Set([
  COMPONENTS_RESOURCE,
  INTERFACES_RESOURCE,
  COMPONENT_ENDPOINTS_RESOURCE,
  ENDPOINTS_RESOURCE,
  "groups",
  "partitions",
]);

/**
 * The same objects as `GET …?type=Node&type=VirtualNode` on State/Components,
 * Inventory/ComponentEndpoints, Inventory/EthernetInterfaces and memberships, read straight
 * from the stores, so an in-process inventory and one polling SMD over HTTP see one view.
 */
export async function readInventoryData(db: Db): Promise<SmdInventoryData> {
  const [components, endpoints, interfaces, memberships] = await Promise.all([
    new ComponentStore(db).list({ type: NODE_TYPES }),
    new ComponentEndpointStore(db).list({ type: NODE_TYPES }),
    new EthernetInterfaceStore(db).list({ types: [...NODE_TYPES.include] }),
    new MembershipStore(db).list({ type: NODE_TYPES }),
  ]);
  return {
    components: components.map(componentToWire),
    // The route splices the stored Redfish blob into JSON text; parsing that text gives its exact object.
    componentEndpoints: endpoints.map((row) => JSON.parse(componentEndpointJson(row))),
    ethernetInterfaces: interfaces.map((i) => interfaceToWire(i) as EthernetInterfaceWire),
    memberships,
  };
}
