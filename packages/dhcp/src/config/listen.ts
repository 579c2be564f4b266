import type { NetworkInterfaceInfo } from "node:os";
import { type Cidr, formatIpv4, maskPrefix, parseIpv4, prefixMask } from "../ip.ts";
import type { DhcpListener } from "./types.ts";
import { invalid, type Raw } from "./values.ts";

/**
 * Listener addresses (dhcp.md §2.1, §7): `host:port`, `:port`, `host` and CoreDHCP's
 * `%iface[:port]`, IPv4 only. `node:dgram` cannot pin a socket to an interface, so a DHCP
 * `%iface` binds 0.0.0.0 and only lends its address and subnet.
 */

export type Interfaces = NodeJS.Dict<NetworkInterfaceInfo[]>;

export interface HostPort {
  host: string;
  port: number;
}

/** The first IPv4 of a named interface, with its subnet. */
interface InterfaceAddress {
  address: string;
  subnet: Cidr;
}

const HOST_PORT = /^(?<host>[^:%[\]]*)(?:%(?<iface>[^:%[\]]+))?(?::(?<port>[^:]*))?$/;

interface Parsed {
  host: string;
  iface: string | undefined;
  port: number;
}

function parse(raw: Raw, defaultPort: number): Parsed {
  if (raw.value.includes("[") || (raw.value.match(/:/g)?.length ?? 0) > 1) {
    invalid(raw, "is an IPv6 address: only IPv4 is served (no DHCPv6)");
  }
  const groups = HOST_PORT.exec(raw.value)?.groups;
  if (!groups || raw.value === "") invalid(raw, "is not host:port, :port, host or %interface");
  const { host = "", iface, port } = groups;
  if (host !== "" && parseIpv4(host) === undefined) invalid(raw, "does not start with an IPv4 address");
  if (host !== "" && iface !== undefined) invalid(raw, "gives both an address and an interface: use one");
  const portNumber = port === undefined ? defaultPort : /^\d{1,5}$/.test(port) ? Number(port) : Number.NaN;
  if (!(portNumber <= 65535)) invalid(raw, "has a bad port (0 to 65535)");
  return { host: host === "" ? "0.0.0.0" : formatIpv4(parseIpv4(host)!), iface, port: portNumber };
}

/** The first IPv4 address of `name` in an `os.networkInterfaces()` map. */
function interfaceAddress(raw: Raw, interfaces: Interfaces, name: string): InterfaceAddress {
  const infos = interfaces[name];
  if (infos === undefined) invalid(raw, `names interface "${name}", which does not exist`);
  const v4 = infos.find((info) => info.family === "IPv4");
  const address = v4 ? parseIpv4(v4.address) : undefined;
  const netmask = v4 ? parseIpv4(v4.netmask) : undefined;
  const prefix = netmask === undefined ? undefined : maskPrefix(netmask);
  if (address === undefined || prefix === undefined) {
    invalid(raw, `names interface "${name}", which has no IPv4 address`);
  }
  const mask = prefixMask(prefix);
  const network = (address & mask) >>> 0;
  return {
    address: v4!.address,
    subnet: { network, prefix, mask, text: `${formatIpv4(network)}/${prefix}` },
  };
}

/** A DHCP listener; with `%iface`, the interface's subnet too. */
export function dhcpListener(
  raw: Raw,
  interfaces: () => Interfaces,
): { listener: DhcpListener; subnet: Cidr | undefined } {
  const { host, iface, port } = parse(raw, 67);
  const subnet = iface === undefined ? undefined : interfaceAddress(raw, interfaces(), iface).subnet;
  return { listener: { host, port, iface }, subnet };
}

/** A DNS listener; `%iface` binds the interface's own address. */
export function dnsListener(raw: Raw, interfaces: () => Interfaces): HostPort {
  const { host, iface, port } = parse(raw, 53);
  return { host: iface === undefined ? host : interfaceAddress(raw, interfaces(), iface).address, port };
}

/** An upstream resolver: an address, optionally with a port. */
export function dnsForwarder(raw: Raw): HostPort {
  const { host, iface, port } = parse(raw, 53);
  if (iface !== undefined || host === "0.0.0.0" || port === 0)
    invalid(raw, "is not a resolver address (host[:port])");
  return { host, port };
}
