import type { DnsZone } from "../config/types.ts";
import { renderPattern } from "../hostname.ts";
import type { DhcpComponent, HostView } from "../hosts/types.ts";
import { formatIpv4, parseIpv4 } from "../ip.ts";

/**
 * The DNS data of one inventory view (dhcp.md §6), precomputed so that every query is a Map
 * lookup: built aside on each view change, then swapped in whole.
 */
export interface DnsRecords {
  /** The view's version, used as the SOA serial. */
  readonly serial: number;
  /** Lower-cased FQDN without the trailing dot → IPv4. */
  readonly addresses: ReadonlyMap<string, number>;
  /** IPv4 → `<xname>.<first zone>`. */
  readonly pointers: ReadonlyMap<number, string>;
  /**
   * Names that exist without an address of their own: zone apexes and the empty non-terminals
   * of dotted patterns. They answer NODATA, not NXDOMAIN, which would deny the names below
   * them (RFC 8020).
   */
  readonly interior: ReadonlySet<string>;
  /** Claims lost to a smaller xname (a forward name or an IPv4 wanted by two components). */
  readonly conflicts: number;
  /** The contested names and reverse names, sorted, for the operator. */
  readonly conflictNames: readonly string[];
}

export const REVERSE_ZONE = "in-addr.arpa";

/** Lower-cased in ASCII only (RFC 4343), without the final dot: the form of every key here. */
export function canonicalName(name: string): string {
  const bare = name.endsWith(".") ? name.slice(0, -1) : name;
  return bare.replace(/[A-Z]+/g, (upper) => upper.toLowerCase());
}

function within(name: string, zone: string): boolean {
  return name === zone || name.endsWith(`.${zone}`);
}

/** True when `name` is `zone` or below it, on a label boundary, ignoring case and a final dot. */
export function isInZone(name: string, zone: string): boolean {
  return within(canonicalName(name), canonicalName(zone));
}

/** The most specific zone holding `name` (zone names are canonical, see DnsZone), if any. */
export function zoneOf(name: string, zones: readonly DnsZone[]): DnsZone | undefined {
  const n = canonicalName(name);
  let best: DnsZone | undefined;
  for (const zone of zones) {
    if (within(n, zone.name) && (!best || zone.name.length > best.name.length)) best = zone;
  }
  return best;
}

/** 10.0.0.1 → `1.0.0.10.in-addr.arpa`. */
export function reverseName(ip: number): string {
  return `${formatIpv4(ip).split(".").reverse().join(".")}.${REVERSE_ZONE}`;
}

/** `1.0.0.10.in-addr.arpa` (any case) → 10.0.0.1; undefined for other names. */
export function parseReverseName(name: string): number | undefined {
  const n = canonicalName(name);
  const suffix = `.${REVERSE_ZONE}`;
  if (!n.endsWith(suffix)) return undefined;
  const octets = n.slice(0, -suffix.length).split(".");
  // parseIpv4 forgives surrounding spaces; a label must be the bare octet.
  if (octets.length !== 4 || !octets.every((octet) => /^\d{1,3}$/.test(octet))) return undefined;
  return parseIpv4(octets.reverse().join("."));
}

interface Claim<T> {
  xname: string;
  value: T;
}

/** Maps where two components may want one key: the smallest xname keeps it, whatever the order. */
class ClaimMap<K, T> {
  readonly claims = new Map<K, Claim<T>>();
  readonly contested = new Set<K>();
  conflicts = 0;

  claim(key: K, xname: string, value: T): void {
    const held = this.claims.get(key);
    if (held === undefined) {
      this.claims.set(key, { xname, value });
      return;
    }
    if (held.xname === xname) return;
    this.conflicts++;
    this.contested.add(key);
    if (xname < held.xname) this.claims.set(key, { xname, value });
  }

  values(): Map<K, T> {
    return new Map([...this.claims].map(([key, { value }]) => [key, value]));
  }
}

interface Addressed {
  component: DhcpComponent;
  /** Every IPv4 of the component's interfaces, interfaces in MAC order. */
  ipv4: number[];
}

/** Components that have at least one IPv4, each with its addresses in canonical MAC order. */
function addressedComponents(view: HostView): Addressed[] {
  const byXname = new Map<string, Addressed>();
  for (const host of view.hosts()) {
    if (host.ipv4.length === 0) continue;
    const entry = byXname.get(host.component.xname);
    if (entry) entry.ipv4.push(...host.ipv4);
    else byXname.set(host.component.xname, { component: host.component, ipv4: [...host.ipv4] });
  }
  return [...byXname.values()];
}

/**
 * The names of a component in a zone: its xname, and for types with a NID the zone's `nodes`
 * pattern. A NodeBMC only borrows its nodes' NID (HostView.nameNid), so the pattern would give
 * it its own node's name: it goes by xname alone, as upstream.
 */
function namesIn(zone: DnsZone, component: DhcpComponent, view: HostView): string[] {
  const names = [canonicalName(`${component.xname}.${zone.name}`)];
  if (component.type !== "NodeBMC") {
    const rendered = renderPattern(zone.nodes, component.xname, view.nameNid(component));
    if (rendered !== undefined) names.push(canonicalName(`${rendered}.${zone.name}`));
  }
  return names;
}

/** Every name strictly between `name` and its zone apex, the apex included. */
function ancestors(name: string, zone: string): string[] {
  const found: string[] = [];
  for (let dot = name.indexOf("."); dot >= 0 && name.length - dot - 1 >= zone.length; ) {
    found.push(name.slice(dot + 1));
    dot = name.indexOf(".", dot + 1);
  }
  return found;
}

export function buildDnsRecords(view: HostView, zones: readonly DnsZone[]): DnsRecords {
  const forward = new ClaimMap<string, number>();
  const reverse = new ClaimMap<number, string>();
  const interior = new Set(zones.map((zone) => canonicalName(zone.name)));
  const ptrZone = zones[0]?.name;

  for (const { component, ipv4 } of addressedComponents(view)) {
    for (const zone of zones) {
      for (const name of namesIn(zone, component, view)) {
        forward.claim(name, component.xname, ipv4[0]!);
        for (const parent of ancestors(name, zone.name)) interior.add(parent);
      }
    }
    if (ptrZone === undefined) continue;
    const target = canonicalName(`${component.xname}.${ptrZone}`);
    for (const ip of ipv4) reverse.claim(ip, component.xname, target);
  }

  const addresses = forward.values();
  for (const name of addresses.keys()) interior.delete(name);
  return {
    serial: view.version,
    addresses,
    pointers: reverse.values(),
    interior,
    conflicts: forward.conflicts + reverse.conflicts,
    conflictNames: [...forward.contested, ...[...reverse.contested].map(reverseName)].sort(),
  };
}
