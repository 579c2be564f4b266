export type { SmdDeps } from "./deps.ts";
export {
  DHCP_COMPONENTS,
  DHCP_INTERFACES,
  DHCP_PAGE_ROWS,
  DHCP_RESOURCES,
  type DhcpComponentRow,
  type DhcpInterfaceRow,
  type DhcpRowQuery,
  readDhcpComponents,
  readDhcpInterfaces,
} from "./dhcp-reader.ts";
export {
  type ComponentEndpointWire,
  type EthernetInterfaceWire,
  INVENTORY_RESOURCES,
  readInventoryData,
  type SmdInventoryData,
} from "./inventory-reader.ts";
export { smdMigrations } from "./migrations.ts";
export { encryptingVault, parseSecretKey, type ReadablePasswordVault } from "./password-vault.ts";
export { smdPlugin } from "./plugin.ts";
export { SMD_CHANGES, type SmdChange } from "./store/changes.ts";
