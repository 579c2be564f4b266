import { type EnumRegistry, withExtensions } from "@openchami/core";
import { ResponseCaches } from "./cache/response-caches.ts";
import type { SmdDeps } from "./deps.ts";
import { encryptingVault } from "./password-vault.ts";
import { ScnDispatcher } from "./scn-dispatcher.ts";
import { ComponentEndpointStore } from "./store/component-endpoints.ts";
import { ComponentStore } from "./store/components.ts";
import { DiscoveryStore } from "./store/discovery.ts";
import { EthernetInterfaceStore } from "./store/ethernet-interfaces.ts";
import { GroupStore } from "./store/groups.ts";
import { HardwareStore } from "./store/hardware.ts";
import { HardwareHistoryStore } from "./store/hardware-history.ts";
import { LockStore } from "./store/locks.ts";
import { MembershipStore } from "./store/memberships.ts";
import { NodeMapStore } from "./store/node-maps.ts";
import { PartitionStore } from "./store/partitions.ts";
import { PowerMapStore } from "./store/power-maps.ts";
import { RedfishEndpointStore } from "./store/redfish-endpoints.ts";
import { ServiceEndpointStore } from "./store/service-endpoints.ts";
import { SubscriptionStore } from "./store/subscriptions.ts";

/** What SMD's routes share: its stores and the enum registry, built once per mount. */
export interface SmdContext {
  deps: SmdDeps;
  enums: EnumRegistry;
  nodeMaps: NodeMapStore;
  components: ComponentStore;
  memberships: MembershipStore;
  groups: GroupStore;
  partitions: PartitionStore;
  powerMaps: PowerMapStore;
  subscriptions: SubscriptionStore;
  locks: LockStore;
  hardware: HardwareStore;
  hardwareHistory: HardwareHistoryStore;
  discovery: DiscoveryStore;
  redfishEndpoints: RedfishEndpointStore;
  componentEndpoints: ComponentEndpointStore;
  serviceEndpoints: ServiceEndpointStore;
  ethernetInterfaces: EthernetInterfaceStore;
  /** Serialised hot GETs, invalidated by the change feed. */
  caches: ResponseCaches;
  /** State change notifications: `scn.publish(event)` after a component write commits. */
  scn: ScnDispatcher;
}

export function createContext(deps: SmdDeps): SmdContext {
  const subscriptions = new SubscriptionStore(deps.db);
  return {
    deps,
    enums: withExtensions(deps.enumExtensions),
    nodeMaps: new NodeMapStore(deps.db),
    components: new ComponentStore(deps.db),
    memberships: new MembershipStore(deps.db),
    groups: new GroupStore(deps.db),
    partitions: new PartitionStore(deps.db),
    powerMaps: new PowerMapStore(deps.db),
    subscriptions,
    locks: new LockStore(deps.db),
    hardware: new HardwareStore(deps.db, deps.hardwareHistoryMaxAgeDays),
    hardwareHistory: new HardwareHistoryStore(deps.db),
    discovery: new DiscoveryStore(deps.db),
    redfishEndpoints: new RedfishEndpointStore(
      deps.db,
      deps.secretKey ? encryptingVault(deps.secretKey) : undefined,
    ),
    componentEndpoints: new ComponentEndpointStore(deps.db),
    serviceEndpoints: new ServiceEndpointStore(deps.db),
    ethernetInterfaces: new EthernetInterfaceStore(deps.db),
    caches: new ResponseCaches(),
    scn: new ScnDispatcher({ logger: deps.logger, load: () => subscriptions.list() }),
  };
}
