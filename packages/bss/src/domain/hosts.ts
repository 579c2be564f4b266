import type { InventoryNode } from "@openchami/inventory";

/**
 * A node as upstream's SMComponent (§2.5). Fields the inventory view does not carry
 * (SoftwareStatus, Subtype, NetType, ReservationDisabled, Locked, FQDN) are left out
 * when empty, as upstream omits them, and FQDN is "".
 */
export interface SmComponentWire {
  ID: string;
  Type: string;
  State?: string;
  Flag?: string;
  Enabled?: true;
  Role?: string;
  SubRole?: string;
  NID?: number;
  Arch?: string;
  Class?: string;
  FQDN: string;
  MAC: string[] | null;
  EndpointEnabled: boolean;
}

export function smComponent(node: InventoryNode): SmComponentWire {
  const wire: Partial<SmComponentWire> = { ID: node.xname, Type: node.type };
  if (node.state !== "") wire.State = node.state;
  if (node.flag !== "") wire.Flag = node.flag;
  if (node.enabled) wire.Enabled = true;
  if (node.role !== "") wire.Role = node.role;
  if (node.subRole !== "") wire.SubRole = node.subRole;
  if (node.nid !== undefined) wire.NID = node.nid;
  if (node.arch !== "") wire.Arch = node.arch;
  if (node.class !== "") wire.Class = node.class;
  wire.FQDN = "";
  wire.MAC = node.macs.length > 0 ? [...node.macs] : null;
  // As upstream reports it: false when the node has no ComponentEndpoint (it still boots here).
  wire.EndpointEnabled = node.endpoint === "enabled";
  return wire as SmComponentWire;
}

/** Only Node components are hosts (§3.2). */
export function isHost(node: InventoryNode | undefined): node is InventoryNode {
  return node?.type === "Node";
}
