import type { Cidr } from "../ip.ts";

/**
 * The validated configuration of the DHCP/TFTP/DNS service (dhcp.md §2), the same whichever
 * file form it came from. Durations are milliseconds, lease times seconds, IPv4s dotted.
 */

export type RuleLogLevel = "info" | "debug" | "none";

/** `domain_append` (§3.3): which domains follow the hostname, in order. */
export type DomainAppend = "global" | "rule" | "global|rule" | "rule|global" | "none";

/** One `rule=` of the coresmd plugin (§3.3), parsed and checked. */
export interface Rule {
  /** `name:`, else `rule-<first 4 bytes of sha256(text), hex>`. */
  name: string;
  /** The rule as written, for messages. */
  text: string;
  /** Match on SMD Type (any of); undefined = any. */
  types: ReadonlySet<string> | undefined;
  /** Match when the chosen address is in one of these; undefined = any. */
  subnets: readonly Cidr[] | undefined;
  /** Match one xname (normalised); undefined = any. */
  id: string | undefined;
  /** Pattern with `{id}`, `{Nd}`, `{0Nd}`. */
  hostname: string | undefined;
  routers: readonly string[] | undefined;
  /** From `netmask:`, `cidr:` or, failing both, the first `subnet:`. */
  netmask: string | undefined;
  domain: string | undefined;
  domainAppend: DomainAppend | undefined;
  continue: boolean;
  ignore: boolean;
  log: RuleLogLevel | undefined;
}

export interface BootloopPool {
  cidr: Cidr;
  /** First and last allocatable address, inclusive. */
  start: number;
  end: number;
}

export interface CoresmdConfig {
  /** SMD base URL (no `/hsm/v2`); undefined only in-process. */
  svcBaseUri: string | undefined;
  /** BSS base; the iPXE URL is `<ipxeBaseUri>/boot/v1/bootscript?mac=aa:bb:cc:dd:ee:ff`. */
  ipxeBaseUri: string;
  caCert: string | undefined;
  /** Inventory refresh interval. */
  cacheValidMs: number;
  /** Option 51 for known hosts. */
  leaseTimeS: number;
  singlePort: boolean;
  tftpDir: string;
  tftpPort: number;
  /** Global domain, leading dots stripped. */
  domain: string | undefined;
  ruleLog: RuleLogLevel;
  rules: readonly Rule[];
  /** Bearer token file, re-read at each refresh. */
  svcTokenFile: string | undefined;
  tftpMaxTransfers: number;
  tftpMaxBlksize: number;
  tftpMaxWindowsize: number;
  tftpTimeoutMs: number;
  tftpRetries: number;
}

export interface BootloopConfig {
  /** Accepted for compatibility and unused (leases live in the database). */
  leaseFile: string | undefined;
  /** Boot file for unknown iPXE clients; `default` = the built-in reboot script. */
  scriptPath: string;
  leaseTimeS: number;
  pools: readonly BootloopPool[];
}

export interface DnsZone {
  /** Lower-cased, no trailing dot. */
  name: string;
  /** Node name pattern (§3.3 syntax); default `nid{04d}`. */
  nodes: string;
}

export interface DnsServerConfig {
  /** `host:port` listeners, UDP and TCP. */
  listen: readonly { host: string; port: number }[];
  /** At least one; default `cluster.local` with `nid{04d}`. */
  zones: readonly DnsZone[];
  ttl: number;
  /** Upstream resolvers (`host:port`) for out-of-zone names; empty = REFUSED. */
  forward: readonly { host: string; port: number }[];
}

export interface DhcpListener {
  host: string;
  port: number;
  /** From `%iface`: the interface whose address, subnet and broadcast are used. */
  iface: string | undefined;
}

export interface DhcpConfig {
  listen: readonly DhcpListener[];
  /** Option 54 and siaddr. */
  serverId: string;
  /** Option 6, sent only when option 55 asks for it. */
  dns: readonly string[];
  routers: readonly string[];
  netmask: string | undefined;
  /** The standard `lease_time` plugin: option 51 when nothing else set it. */
  leaseTimeS: number | undefined;
  /** The attached subnet (giaddr 0), from `subnet` or the `%iface` address. */
  subnet: Cidr | undefined;
  /** Where replies to clients without an address go. */
  broadcastAddress: "255.255.255.255" | "subnet";
  coresmd: CoresmdConfig;
  bootloop: BootloopConfig | undefined;
  dnsServer: DnsServerConfig | undefined;
  /** Test-only: the port clients listen on (68) and relays on (67). */
  clientPort: number;
  relayPort: number;
}
