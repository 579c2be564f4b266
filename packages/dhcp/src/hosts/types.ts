/**
 * The inventory as DHCP and DNS need it (dhcp.md §2.4): every SMD EthernetInterface with its
 * component, whatever the component's type (BMCs and switches boot too), indexed by MAC.
 */

export interface DhcpComponent {
  /** Normalised xname. */
  xname: string;
  /** SMD Type: Node, NodeBMC, RouterBMC, … */
  type: string;
  enabled: boolean;
  /** undefined when SMD has none (−1). */
  nid: number | undefined;
}

export interface DhcpHost {
  /** Canonical `aa:bb:cc:dd:ee:ff`. */
  mac: string;
  component: DhcpComponent;
  /** The interface's IPv4 addresses in SMD order, as numbers (IPv6 ones left out). */
  ipv4: readonly number[];
  /** Its IPv6 addresses in SMD order, as SMD spells them. */
  ipv6: readonly string[];
}

/** An immutable snapshot: built aside, then swapped in whole. */
export interface HostView {
  /** Increases with every rebuild. */
  readonly version: number;
  /** When the data was read (ms since epoch); 0 before the first load. */
  readonly loadedAt: number;
  /** By canonical MAC (`aa:bb:cc:dd:ee:ff`). */
  byMac(mac: string): DhcpHost | undefined;
  byXname(xname: string): DhcpComponent | undefined;
  /** The host owning an IPv4 (first in MAC order when two claim it). */
  byIpv4(ip: number): DhcpHost | undefined;
  /**
   * The NID a component goes by in names (§3.3, this project): its own, or for a NodeBMC
   * without one, the lowest NID of the Nodes `<bmc>n<k>`.
   */
  nameNid(component: DhcpComponent): number | undefined;
  /** Every host, ordered by MAC. */
  hosts(): readonly DhcpHost[];
  /** Every IPv4 SMD assigns, so bootloop pools skip them. */
  isSmdIpv4(ip: number): boolean;
}

export interface HostSource {
  /** Loads the first view (or starts polling); never throws. */
  start(): Promise<void>;
  /** False until a first successful load: before it, no DHCP replies and DNS SERVFAIL. */
  readonly loaded: boolean;
  current(): HostView;
  /** Called with each new view; returns the unsubscribe. */
  onChange(listener: (view: HostView) => void): () => void;
  close(): Promise<void>;
}
