export { dhcpMigrations } from "./bootloop/migrations.ts";
export { DHCP_FLAGS, DhcpConfigError, loadDhcpConfig, parseDhcpConfig } from "./config/load.ts";
export type { DhcpConfig } from "./config/types.ts";
export { inventoryReady } from "./hosts/health.ts";
export { LocalHostSource } from "./hosts/local.ts";
export { RemoteHostSource } from "./hosts/remote.ts";
export type { HostSource } from "./hosts/types.ts";
export {
  NETWORK_SERVICES,
  type NetworkService,
  type NetworkServicesOptions,
  type RunningNetworkServices,
  startNetworkServices,
} from "./service.ts";
