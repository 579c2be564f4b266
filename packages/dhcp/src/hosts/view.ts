import { isIPv6 } from "node:net";
import { type Logger, normalizeMac, normalizeXname, silentLogger, xnameParent } from "@openchami/core";
import { parseIpv4 } from "../ip.ts";
import type { DhcpComponent, DhcpHost, HostView } from "./types.ts";

/**
 * SMD's wire objects as `GET /hsm/v2/State/Components` and `GET /hsm/v2/Inventory/EthernetInterfaces`
 * send them (only the fields read here). A remote SMD's JSON is untrusted: every field is
 * checked before use, and an entry that does not fit is skipped, never thrown on.
 */
export interface SmdComponentRecord {
  ID: string;
  Type: string;
  /** Absent means enabled, SMD's default. */
  Enabled?: boolean;
  /** Absent or negative: none. */
  NID?: number;
}

export interface SmdInterfaceRecord {
  MACAddress: string;
  ComponentID: string;
  IPAddresses?: readonly { IPAddress: string }[] | null;
}

export interface DhcpInventoryData {
  components: readonly SmdComponentRecord[];
  ethernetInterfaces: readonly SmdInterfaceRecord[];
}

class IndexedHostView implements HostView {
  constructor(
    readonly version: number,
    readonly loadedAt: number,
    private readonly macs: ReadonlyMap<string, DhcpHost>,
    private readonly xnames: ReadonlyMap<string, DhcpComponent>,
    private readonly ipv4s: ReadonlyMap<number, DhcpHost>,
    private readonly smdIpv4s: ReadonlySet<number>,
    private readonly bmcNids: ReadonlyMap<string, number>,
    private readonly sorted: readonly DhcpHost[],
  ) {}

  restamped(loadedAt: number): IndexedHostView {
    const { version, macs, xnames, ipv4s, smdIpv4s, bmcNids, sorted } = this;
    return new IndexedHostView(version, loadedAt, macs, xnames, ipv4s, smdIpv4s, bmcNids, sorted);
  }

  byMac(mac: string): DhcpHost | undefined {
    return this.macs.get(mac);
  }

  byXname(xname: string): DhcpComponent | undefined {
    return this.xnames.get(xname);
  }

  byIpv4(ip: number): DhcpHost | undefined {
    return this.ipv4s.get(ip);
  }

  nameNid(component: DhcpComponent): number | undefined {
    if (component.nid !== undefined) return component.nid;
    return component.type === "NodeBMC" ? this.bmcNids.get(component.xname) : undefined;
  }

  hosts(): readonly DhcpHost[] {
    return this.sorted;
  }

  isSmdIpv4(ip: number): boolean {
    return this.smdIpv4s.has(ip);
  }
}

function toComponent(raw: SmdComponentRecord): DhcpComponent | undefined {
  if (typeof raw?.ID !== "string" || raw.ID.trim() === "") return undefined;
  const nid = Number.isSafeInteger(raw.NID) && raw.NID! >= 0 ? raw.NID : undefined;
  return {
    xname: normalizeXname(raw.ID),
    type: typeof raw.Type === "string" ? raw.Type : "",
    enabled: raw.Enabled !== false,
    nid,
  };
}

/** An interface's addresses in SMD order, split by family; anything else is dropped. */
function splitAddresses(raw: SmdInterfaceRecord["IPAddresses"]): { ipv4: number[]; ipv6: string[] } {
  const ipv4: number[] = [];
  const ipv6: string[] = [];
  for (const entry of Array.isArray(raw) ? raw : []) {
    const text = entry?.IPAddress;
    if (typeof text !== "string") continue;
    const v4 = parseIpv4(text);
    if (v4 !== undefined) ipv4.push(v4);
    else if (isIPv6(text.trim())) ipv6.push(text.trim());
  }
  return { ipv4, ipv6 };
}

/** §3.3 (this project): a NodeBMC without a NID goes by the lowest NID of the Nodes it manages. */
function lowestNodeNids(components: Iterable<DhcpComponent>): Map<string, number> {
  const lowest = new Map<string, number>();
  for (const c of components) {
    if (c.type !== "Node" || c.nid === undefined) continue;
    const bmc = xnameParent(c.xname);
    if (bmc === undefined) continue;
    const current = lowest.get(bmc);
    if (current === undefined || c.nid < current) lowest.set(bmc, c.nid);
  }
  return lowest;
}

/**
 * Indexes SMD's components and interfaces for DHCP and DNS (dhcp.md §2.4). Only an interface
 * with a usable MAC whose ComponentID names a listed component becomes a host: §3.2 step 3
 * calls a MAC known only when its component exists, so an orphan interface's MAC is left to
 * bootloop. Its IPv4s still count as SMD-assigned, so no pool hands them out.
 */
export function buildHostView(
  data: DhcpInventoryData,
  version: number,
  loadedAt: number,
  logger: Logger = silentLogger(),
): HostView {
  const xnames = new Map<string, DhcpComponent>();
  for (const raw of Array.isArray(data.components) ? data.components : []) {
    const component = toComponent(raw);
    if (component && !xnames.has(component.xname)) xnames.set(component.xname, component);
  }

  const macs = new Map<string, DhcpHost>();
  const smdIpv4s = new Set<number>();
  let skipped = 0;
  for (const raw of Array.isArray(data.ethernetInterfaces) ? data.ethernetInterfaces : []) {
    const { ipv4, ipv6 } = splitAddresses(raw?.IPAddresses);
    for (const ip of ipv4) smdIpv4s.add(ip);
    const mac = typeof raw?.MACAddress === "string" ? normalizeMac(raw.MACAddress) : undefined;
    const componentId = typeof raw?.ComponentID === "string" ? normalizeXname(raw.ComponentID) : "";
    const component = componentId === "" ? undefined : xnames.get(componentId);
    if (mac === undefined || component === undefined) {
      skipped++;
      continue;
    }
    const other = macs.get(mac);
    if (other) {
      // The smallest ComponentID wins whatever the order SMD listed them in (the first on a tie).
      const keepOther = other.component.xname <= component.xname;
      logger.warn(
        {
          mac,
          components: [other.component.xname, component.xname],
          keep: keepOther ? other.component.xname : component.xname,
        },
        "MAC on two SMD interfaces",
      );
      if (keepOther) continue;
    }
    macs.set(mac, { mac, component, ipv4, ipv6 });
  }
  if (skipped > 0) logger.debug({ skipped }, "SMD interfaces without a usable MAC or a listed component");

  const sorted = [...macs.values()].sort((a, b) => (a.mac < b.mac ? -1 : 1));
  const ipv4s = new Map<number, DhcpHost>();
  for (const host of sorted) for (const ip of host.ipv4) if (!ipv4s.has(ip)) ipv4s.set(ip, host);

  return new IndexedHostView(
    version,
    loadedAt,
    macs,
    xnames,
    ipv4s,
    smdIpv4s,
    lowestNodeNids(xnames.values()),
    sorted,
  );
}

/**
 * The same view re-stamped as read at `loadedAt`: a full resync that found nothing new keeps
 * the indexes (no rebuild, no listeners) and only renews the age readiness looks at.
 */
export function restamp(view: HostView, loadedAt: number): HostView {
  return view instanceof IndexedHostView ? view.restamped(loadedAt) : view;
}

/** The view before the first load: nothing known, `loadedAt` 0. */
export const EMPTY_HOST_VIEW: HostView = buildHostView({ components: [], ethernetInterfaces: [] }, 0, 0);
