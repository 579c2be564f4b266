import type { Db } from "@openchami/db";
import { type ComponentWire, componentToWire } from "./domain/component.ts";
import { interfaceToWire } from "./domain/ethernet-interface.ts";
import type { EthernetInterfaceWire } from "./inventory-reader.ts";
import { COMPONENTS_RESOURCE, ComponentStore } from "./store/components.ts";
import { EthernetInterfaceStore, INTERFACES_RESOURCE } from "./store/ethernet-interfaces.ts";

/** What the DHCP/DNS service reads of SMD: every component and every interface, whatever the type. */
export interface SmdDhcpData {
  /** As `GET /State/Components` sends them (ID, Type, Enabled, NID when set, …). */
  components: ComponentWire[];
  /** As `GET /Inventory/EthernetInterfaces` sends them. */
  ethernetInterfaces: EthernetInterfaceWire[];
}

/** Change-feed resources whose writes can change what `readDhcpData` returns. */
export const DHCP_RESOURCES: ReadonlySet<string> = new Set([COMPONENTS_RESOURCE, INTERFACES_RESOURCE]);

/**
 * The unfiltered State/Components and Inventory/EthernetInterfaces collections, read straight
 * from the stores: BMCs and switches get addresses too, so no type filter applies here.
 */
export async function readDhcpData(db: Db): Promise<SmdDhcpData> {
  const [components, interfaces] = await Promise.all([
    new ComponentStore(db).list({}),
    new EthernetInterfaceStore(db).list(),
  ]);
  return {
    components: components.map(componentToWire),
    ethernetInterfaces: interfaces.map((i) => interfaceToWire(i) as EthernetInterfaceWire),
  };
}
