/**
 * The node view boot-time services (BSS, cloud-init, DHCP) consume: SMD's inventory
 * reduced to what booting needs, indexed in memory so a hot-path request does no I/O.
 */

export interface InventoryIp {
  address: string;
  /** SMD's `Network` label, "" when unset. */
  network: string;
}

/** One EthernetInterface of a node. */
export interface InventoryInterface {
  /** Canonical `aa:bb:cc:dd:ee:ff`. */
  mac: string;
  description: string;
  ips: readonly InventoryIp[];
}

export interface InventoryNode {
  /** Normalised xname. */
  xname: string;
  /** `Node` or `VirtualNode`. */
  type: string;
  /** undefined when the component has none (SMD's -1). */
  nid: number | undefined;
  state: string;
  flag: string;
  enabled: boolean;
  role: string;
  subRole: string;
  arch: string;
  class: string;
  /** Its ComponentEndpoint: absent is fine; `disabled` keeps the node from booting (bss §3.2). */
  endpoint: "enabled" | "disabled" | "absent";
  /**
   * Every MAC of the node, canonical, in bss §4.4 order: the endpoint's MACAddr, then its
   * Redfish NIC MACs, then the EthernetInterface MACs; duplicates removed.
   */
  macs: readonly string[];
  interfaces: readonly InventoryInterface[];
  /** Group labels, sorted (cloud-init merges in this order). */
  groups: readonly string[];
  /** "" when in none. */
  partition: string;
}

/** An immutable, fully built view: readers never see a half-applied update. */
export interface InventoryIndex {
  /** Increases with every rebuild; a cheap "has anything changed" check. */
  readonly version: number;
  readonly size: number;
  /** Any separator or case. */
  byMac(mac: string): InventoryNode | undefined;
  byXname(xname: string): InventoryNode | undefined;
  byNid(nid: number): InventoryNode | undefined;
  /** Every node claiming this IP (more than one is a conflict callers must refuse). */
  byIp(ip: string): readonly InventoryNode[];
  /** The interface a MAC belongs to, with its node (DHCP: MAC → IP). */
  interfaceByMac(mac: string): { node: InventoryNode; iface: InventoryInterface } | undefined;
  nodes(): readonly InventoryNode[];
}

export interface InventorySource {
  /** Loads the first view (LocalInventory) or starts polling (RemoteInventory). */
  start(): Promise<void>;
  /** True once a first view has loaded; before that `current()` is empty. */
  readonly loaded: boolean;
  /** The current view; synchronous, never blocks. */
  current(): InventoryIndex;
  /**
   * Resolves once changes already signalled have been applied (a local write's change
   * event is applied before the writer's response, so the next request sees it).
   */
  settled(): Promise<void>;
  /**
   * True while changes already signalled (a local SMD write's event) are not yet in
   * `current()`: a caller that must see them awaits `settled()`. Always false for a poller,
   * which has no such signal.
   */
  readonly applying: boolean;
  /** Asks for a refresh (e.g. an unknown MAC): single-flight and rate-limited, never awaited. */
  requestRefresh(): void;
  /** Called with each new view; returns the unsubscribe. */
  onChange(listener: (index: InventoryIndex) => void): () => void;
  close(): Promise<void>;
}
