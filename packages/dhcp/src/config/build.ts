import {
  type Cidr,
  cidrBroadcast,
  cidrContains,
  formatIpv4,
  maskPrefix,
  parseCidr,
  parseIpv4,
} from "../ip.ts";
import { parseRule } from "../rules/parse.ts";
import type { RawConfig, RawSection } from "./collect.ts";
import { DhcpConfigError } from "./errors.ts";
import { dhcpListener, dnsForwarder, dnsListener, type Interfaces } from "./listen.ts";
import type {
  BootloopConfig,
  BootloopPool,
  CoresmdConfig,
  DhcpConfig,
  DhcpListener,
  DnsServerConfig,
  DnsZone,
  Rule,
} from "./types.ts";
import {
  cidr,
  durationMs,
  goBool,
  httpBaseUrl,
  integer,
  invalid,
  ipv4,
  leaseSeconds,
  netmask,
  oneOf,
  type Raw,
  trimQuotes,
} from "./values.ts";

/**
 * Raw values → the validated DhcpConfig, with the defaults of dhcp.md §2.2. Every check
 * that fails throws DhcpConfigError naming where the value came from.
 */

export interface BuildContext {
  /** os.networkInterfaces(), read only when a `%iface` needs it. */
  interfaces: () => Interfaces;
  warn: (message: string) => void;
}

const BOOTSCRIPT_EXAMPLE = "/boot/v1/bootscript?mac=aa:bb:cc:dd:ee:ff";
/** Options 67 (and 66) hold at most 255 bytes. */
const MAX_BOOT_FILE_BYTES = 255;
const DEFAULT_ZONE: DnsZone = { name: "cluster.local", nodes: "nid{04d}" };

/** The single value of a scalar key (collection and flags never give more than one). */
function one(section: RawSection | undefined, key: string): Raw | undefined {
  return section?.get(key)?.[0];
}

function optional<T>(section: RawSection | undefined, key: string, parse: (raw: Raw) => T): T | undefined {
  const raw = one(section, key);
  return raw === undefined ? undefined : parse(raw);
}

function required<T>(section: RawSection | undefined, key: string, how: string, parse: (raw: Raw) => T): T {
  const raw = one(section, key);
  if (raw === undefined) throw new DhcpConfigError(`${key} is required (${how})`);
  return parse(raw);
}

/** A path or name with its quotes trimmed; empty means unset. */
function text(raw: Raw): string | undefined {
  return trimQuotes(raw.value) || undefined;
}

function listOf<T>(
  section: RawSection | undefined,
  key: string,
  fallback: Raw[],
  parse: (raw: Raw) => T,
): T[] {
  const values = section?.get(key) ?? fallback;
  return values.map(parse);
}

function buildListeners(section: RawSection | undefined, ctx: BuildContext) {
  const raws = section?.get("listen") ?? [{ value: "0.0.0.0:67", where: "listen" }];
  if (raws.length === 0) throw new DhcpConfigError("listen: needs at least one listener");
  const parsed = raws.map((raw) => ({ raw, ...dhcpListener(raw, ctx.interfaces) }));
  parsed.forEach(({ raw, listener }, i) => {
    const other = parsed
      .slice(0, i)
      .find((p) => p.listener.host === listener.host && p.listener.port === listener.port);
    if (other) {
      invalid(
        raw,
        `binds ${listener.host}:${listener.port}, as does "${other.raw.value}": node:dgram cannot pin a socket to an interface, so run one instance per network`,
      );
    }
  });
  const listeners: DhcpListener[] = parsed.map((p) => p.listener);
  return { listeners, ifaceSubnet: parsed.find((p) => p.subnet)?.subnet };
}

function ipxeBaseUrl(raw: Raw): string {
  const base = httpBaseUrl(raw);
  const bytes = Buffer.byteLength(base + BOOTSCRIPT_EXAMPLE);
  if (bytes > MAX_BOOT_FILE_BYTES) {
    invalid(
      raw,
      `is too long: "<base>${BOOTSCRIPT_EXAMPLE}" takes ${bytes} bytes, more than ${MAX_BOOT_FILE_BYTES}`,
    );
  }
  return base;
}

function tftpPort(raw: Raw, warn: BuildContext["warn"]): number {
  const port = integer(raw, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
  if (port >= 1 && port <= 65535) return port;
  if (port !== 0) warn(`${raw.where}: ${port} is out of range; using 69`);
  return 69;
}

function rule(raw: Raw): Rule {
  try {
    return parseRule(raw.value);
  } catch (error) {
    if (!(error instanceof DhcpConfigError)) throw error;
    throw new DhcpConfigError(`${raw.where}: ${JSON.stringify(raw.value)}: ${error.message}`);
  }
}

function buildCoresmd(section: RawSection | undefined, ctx: BuildContext): CoresmdConfig {
  return {
    svcBaseUri: optional(section, "svc_base_uri", httpBaseUrl),
    ipxeBaseUri: required(section, "ipxe_base_uri", "coresmd plugin or --ipxe-base-uri", ipxeBaseUrl),
    caCert: optional(section, "ca_cert", text),
    cacheValidMs: optional(section, "cache_valid", durationMs) ?? 30_000,
    leaseTimeS: optional(section, "lease_time", leaseSeconds) ?? 3600,
    singlePort: optional(section, "single_port", goBool) ?? false,
    tftpDir: optional(section, "tftp_dir", text) ?? "/tftpboot",
    tftpPort: optional(section, "tftp_port", (raw) => tftpPort(raw, ctx.warn)) ?? 69,
    domain: optional(section, "domain", (raw) => text(raw)?.replace(/^\.+/, "") || undefined),
    ruleLog: optional(section, "rule_log", (raw) => oneOf(raw, ["info", "debug", "none"])) ?? "info",
    rules: listOf(section, "rule", [], rule),
    svcTokenFile: optional(section, "svc_token_file", text),
    tftpMaxTransfers: optional(section, "tftp_max_transfers", (raw) => integer(raw, 1, 65535)) ?? 256,
    tftpMaxBlksize: optional(section, "tftp_max_blksize", (raw) => integer(raw, 8, 65464)) ?? 1468,
    tftpMaxWindowsize: optional(section, "tftp_max_windowsize", (raw) => integer(raw, 1, 65535)) ?? 64,
    tftpTimeoutMs: optional(section, "tftp_timeout", tftpTimeout) ?? 1000,
    tftpRetries: optional(section, "tftp_retries", (raw) => integer(raw, 0, 1000)) ?? 5,
  };
}

function tftpTimeout(raw: Raw): number {
  const ms = durationMs(raw);
  return ms <= 255_000 ? ms : invalid(raw, "is longer than the 255s TFTP allows");
}

/** A pool's range must lie in its subnet, in order, off the network and broadcast addresses. */
function checkRange(raw: Raw, subnet: Cidr, start: number, end: number): BootloopPool {
  for (const ip of [start, end]) {
    if (!cidrContains(subnet, ip)) invalid(raw, `has ${formatIpv4(ip)} outside ${subnet.text}`);
    if (subnet.prefix <= 30 && (ip === subnet.network || ip === cidrBroadcast(subnet))) {
      invalid(raw, `includes ${formatIpv4(ip)}, the network or broadcast address of ${subnet.text}`);
    }
  }
  if (start > end) invalid(raw, `starts at ${formatIpv4(start)}, after its end ${formatIpv4(end)}`);
  return { cidr: subnet, start, end };
}

function subnetPool(raw: Raw): BootloopPool {
  const parts = raw.value.split(",");
  if (parts.length !== 3)
    invalid(raw, "is not CIDR,start,end (e.g. 172.16.0.0/24,172.16.0.200,172.16.0.250)");
  const subnet = parseCidr(parts[0]!) ?? invalid(raw, `has "${parts[0]}", not an IPv4 CIDR`);
  const [start, end] = [parts[1]!, parts[2]!].map(
    (part) => parseIpv4(part) ?? invalid(raw, `has "${part}", not an IPv4 address`),
  );
  return checkRange(raw, subnet, start!, end!);
}

/**
 * The deprecated single pool has no CIDR of its own: it takes the attached `subnet`, else
 * the `netmask` plugin's subnet around it, whichever holds the whole range.
 */
function legacyPool(start: Raw, end: Raw, subnet: Cidr | undefined, mask: string | undefined): BootloopPool {
  const first = parseIpv4(start.value) ?? invalid(start, "is not an IPv4 address");
  const last = parseIpv4(end.value) ?? invalid(end, "is not an IPv4 address");
  const bits = mask === undefined ? undefined : parseIpv4(mask)!;
  const fromMask =
    bits === undefined ? undefined : parseCidr(`${formatIpv4((first & bits) >>> 0)}/${maskPrefix(bits)}`);
  const holder = [subnet, fromMask].find(
    (c) => c !== undefined && cidrContains(c, first) && cidrContains(c, last),
  );
  if (!holder) {
    throw new DhcpConfigError(
      "bootloop: ipv4_start/ipv4_end: no subnet holds the range (set server4 subnet or the netmask plugin, or use subnet_pool)",
    );
  }
  return checkRange(
    { value: `${start.value}-${end.value}`, where: "bootloop: ipv4_start/ipv4_end" },
    holder,
    first,
    last,
  );
}

function buildPools(section: RawSection, subnet: Cidr | undefined, mask: string | undefined): BootloopPool[] {
  const pools = section.get("subnet_pool") ?? [];
  const start = one(section, "ipv4_start");
  const end = one(section, "ipv4_end");
  if (pools.length > 0 && (start || end)) {
    throw new DhcpConfigError(
      "bootloop: subnet_pool excludes the deprecated ipv4_start/ipv4_end: use one form",
    );
  }
  if (start || end) {
    if (!start || !end) throw new DhcpConfigError("bootloop: ipv4_start and ipv4_end go together");
    return [legacyPool(start, end, subnet, mask)];
  }
  if (pools.length === 0) {
    throw new DhcpConfigError(
      "bootloop: needs a pool: subnet_pool=CIDR,start,end (or ipv4_start and ipv4_end)",
    );
  }
  const parsed = pools.map(subnetPool);
  parsed.forEach((pool, i) => {
    const other = parsed
      .slice(0, i)
      .find((o) => cidrContains(o.cidr, pool.cidr.network) || cidrContains(pool.cidr, o.cidr.network));
    if (other) invalid(pools[i]!, `overlaps the pool of ${other.cidr.text} (pools are chosen by subnet)`);
  });
  return parsed;
}

function buildBootloop(
  section: RawSection | undefined,
  subnet: Cidr | undefined,
  mask: string | undefined,
  ctx: BuildContext,
): BootloopConfig | undefined {
  if (!section) return undefined;
  const leaseFile = optional(section, "lease_file", text);
  if (leaseFile !== undefined)
    ctx.warn(`bootloop: lease_file "${leaseFile}" is ignored: leases live in the database`);
  return {
    leaseFile,
    scriptPath:
      optional(section, "script_path", (raw) => text(raw) ?? invalid(raw, "is empty (use default)")) ??
      "default",
    leaseTimeS: optional(section, "lease_time", leaseSeconds) ?? 300,
    pools: buildPools(section, subnet, mask),
  };
}

const ZONE_NAME = /^[a-z0-9_]([a-z0-9_-]{0,62})(\.[a-z0-9_]([a-z0-9_-]{0,62}))*$/;

/** `name` or `name=pattern`. */
function zone(raw: Raw): DnsZone {
  const equals = raw.value.indexOf("=");
  const name = trimQuotes(equals < 0 ? raw.value : raw.value.slice(0, equals))
    .toLowerCase()
    .replace(/\.$/, "");
  if (!ZONE_NAME.test(name) || name.length > 253)
    invalid(raw, "does not name a DNS zone (e.g. cluster.local)");
  const nodes = equals < 0 ? undefined : trimQuotes(raw.value.slice(equals + 1));
  return { name, nodes: nodes || DEFAULT_ZONE.nodes };
}

function buildDns(section: RawSection | undefined, ctx: BuildContext): DnsServerConfig | undefined {
  if (!section) return undefined;
  const listen = listOf(section, "listen", [{ value: "0.0.0.0:53", where: "dns_server: listen" }], (raw) =>
    dnsListener(raw, ctx.interfaces),
  );
  if (listen.length === 0) throw new DhcpConfigError("dns_server: listen: needs at least one listener");
  const zoneRaws = section.get("zone") ?? [];
  const zones = zoneRaws.length === 0 ? [DEFAULT_ZONE] : zoneRaws.map(zone);
  zones.forEach((z, i) => {
    if (zones.findIndex((other) => other.name === z.name) !== i)
      invalid(zoneRaws[i]!, `repeats zone ${z.name}`);
  });
  return {
    listen,
    zones,
    ttl: optional(section, "ttl", (raw) => integer(raw, 0, 2_147_483_647)) ?? 60,
    forward: listOf(section, "forward", [], dnsForwarder),
  };
}

export function buildConfig(raw: RawConfig, ctx: BuildContext): DhcpConfig {
  const server4 = raw.get("server4");
  const { listeners, ifaceSubnet } = buildListeners(server4, ctx);
  const subnet = optional(server4, "subnet", cidr) ?? ifaceSubnet;
  const mask = optional(server4, "netmask", netmask);
  const broadcastAddress: DhcpConfig["broadcastAddress"] =
    optional(server4, "broadcast_address", (r) => oneOf(r, ["255.255.255.255", "subnet"] as const)) ??
    "255.255.255.255";
  if (broadcastAddress === "subnet" && subnet === undefined) {
    throw new DhcpConfigError(
      'broadcast_address: "subnet" needs a subnet (the subnet key or a %iface listener)',
    );
  }
  return {
    listen: listeners,
    serverId: required(server4, "server_id", "server_id plugin or --server-id", ipv4),
    dns: listOf(server4, "dns", [], ipv4),
    routers: listOf(server4, "router", [], ipv4),
    netmask: mask,
    leaseTimeS: optional(server4, "lease_time", leaseSeconds),
    subnet,
    broadcastAddress,
    coresmd: buildCoresmd(raw.get("coresmd"), ctx),
    bootloop: buildBootloop(raw.get("bootloop"), subnet, mask, ctx),
    dnsServer: buildDns(raw.get("dns_server"), ctx),
    clientPort: optional(server4, "client_port", (r) => integer(r, 1, 65535)) ?? 68,
    relayPort: optional(server4, "relay_port", (r) => integer(r, 1, 65535)) ?? 67,
  };
}
