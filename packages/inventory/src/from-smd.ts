import { normalizeMac, normalizeXname } from "@openchami/core";
import type { InventoryInterface, InventoryNode } from "./types.ts";

/**
 * SMD's wire objects, as `GET /State/Components`, `/Inventory/ComponentEndpoints`,
 * `/Inventory/EthernetInterfaces` and `/memberships` return them. Both inventory sources
 * reduce the same shapes, so a local and a remote SMD give identical views.
 */
export interface SmdComponent {
  ID: string;
  Type?: string;
  State?: string;
  Flag?: string;
  Enabled?: boolean;
  Role?: string;
  SubRole?: string;
  NID?: number;
  Arch?: string;
  Class?: string;
}

interface NicInfo {
  MACAddress?: string;
}

export interface SmdComponentEndpoint {
  ID: string;
  Enabled?: boolean;
  MACAddr?: string;
  RedfishSystemInfo?: { EthernetNICInfo?: NicInfo[] | null };
  RedfishManagerInfo?: { EthernetNICInfo?: NicInfo[] | null };
}

export interface SmdEthernetInterface {
  MACAddress: string;
  ComponentID?: string;
  Description?: string;
  IPAddresses?: { IPAddress: string; Network?: string }[] | null;
}

export interface SmdMembership {
  id: string;
  partitionName?: string;
  groupLabels?: string[] | null;
}

export interface SmdInventoryData {
  components: readonly SmdComponent[];
  componentEndpoints: readonly SmdComponentEndpoint[];
  ethernetInterfaces: readonly SmdEthernetInterface[];
  memberships: readonly SmdMembership[];
}

const NODE_TYPES = new Set(["Node", "VirtualNode"]);

/** bss §4.4: blank, `not available` and broadcast MACs are no MACs; the rest canonical. */
export function usableMac(raw: string | undefined): string | undefined {
  const trimmed = raw?.trim().toLowerCase() ?? "";
  if (trimmed === "" || trimmed === "not available") return undefined;
  const mac = normalizeMac(trimmed) ?? trimmed;
  return mac === "ff:ff:ff:ff:ff:ff" ? undefined : mac;
}

function endpointMacs(endpoint: SmdComponentEndpoint | undefined): string[] {
  if (!endpoint) return [];
  const nics = [
    ...(endpoint.RedfishSystemInfo?.EthernetNICInfo ?? []),
    ...(endpoint.RedfishManagerInfo?.EthernetNICInfo ?? []),
  ];
  return [endpoint.MACAddr, ...nics.map((nic) => nic.MACAddress)].flatMap((m) => usableMac(m) ?? []);
}

function groupBy<T>(items: readonly T[], key: (item: T) => string | undefined): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    if (k === undefined) continue;
    const list = groups.get(k);
    if (list) list.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

/**
 * Nodes (Node and VirtualNode components; `Empty` ones count as absent, bss §3.2) with their
 * endpoint state, MACs in bss §4.4 order, interfaces and memberships.
 */
export function nodesFromSmd(data: SmdInventoryData): InventoryNode[] {
  const endpoints = new Map(data.componentEndpoints.map((e) => [normalizeXname(e.ID), e]));
  const interfaces = groupBy(data.ethernetInterfaces, (i) =>
    i.ComponentID ? normalizeXname(i.ComponentID) : undefined,
  );
  const memberships = new Map(data.memberships.map((m) => [normalizeXname(m.id), m]));
  const nodes: InventoryNode[] = [];
  for (const component of data.components) {
    const type = component.Type ?? "";
    if (!NODE_TYPES.has(type) || component.State === "Empty") continue;
    const xname = normalizeXname(component.ID);
    const endpoint = endpoints.get(xname);
    const ifaces: InventoryInterface[] = (interfaces.get(xname) ?? []).flatMap((i) => {
      const mac = usableMac(i.MACAddress);
      if (!mac) return [];
      const ips = (i.IPAddresses ?? []).map((ip) => ({ address: ip.IPAddress, network: ip.Network ?? "" }));
      return [{ mac, description: i.Description ?? "", ips }];
    });
    const membership = memberships.get(xname);
    nodes.push({
      xname,
      type,
      nid: component.NID !== undefined && component.NID >= 0 ? component.NID : undefined,
      state: component.State ?? "",
      flag: component.Flag ?? "",
      enabled: component.Enabled !== false,
      role: component.Role ?? "",
      subRole: component.SubRole ?? "",
      arch: component.Arch ?? "",
      class: component.Class ?? "",
      endpoint: endpoint === undefined ? "absent" : endpoint.Enabled === false ? "disabled" : "enabled",
      macs: [...new Set([...endpointMacs(endpoint), ...ifaces.map((i) => i.mac)])],
      interfaces: ifaces,
      groups: [...(membership?.groupLabels ?? [])].sort(),
      partition: membership?.partitionName ?? "",
    });
  }
  return nodes;
}
