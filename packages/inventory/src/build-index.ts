import { type Logger, normalizeMac, normalizeXname } from "@openchami/core";
import type { InventoryIndex, InventoryInterface, InventoryNode } from "./types.ts";

/** Lookups accept any MAC spelling; unparseable ones are matched lower-cased as stored. */
function macKey(mac: string): string {
  const trimmed = mac.trim().toLowerCase();
  return normalizeMac(trimmed) ?? trimmed;
}

/**
 * Builds the immutable index. A MAC or NID claimed by several nodes goes to the smallest
 * xname, with a warning (bss §4.4): deterministic on every replica.
 */
export function buildIndex(
  nodes: readonly InventoryNode[],
  version: number,
  logger?: Logger,
): InventoryIndex {
  const sorted = [...nodes].sort((a, b) => (a.xname < b.xname ? -1 : a.xname > b.xname ? 1 : 0));
  const byXname = new Map<string, InventoryNode>();
  const byMac = new Map<string, InventoryNode>();
  const byNid = new Map<number, InventoryNode>();
  const byIp = new Map<string, InventoryNode[]>();
  const interfaces = new Map<string, { node: InventoryNode; iface: InventoryInterface }>();

  const claim = <K>(map: Map<K, InventoryNode>, key: K, node: InventoryNode, what: string) => {
    const owner = map.get(key);
    if (owner === undefined) map.set(key, node);
    else if (owner !== node)
      logger?.warn({ [what]: key, kept: owner.xname, ignored: node.xname }, `${what} claimed by two nodes`);
  };

  for (const node of sorted) {
    byXname.set(node.xname, node);
    for (const mac of node.macs) claim(byMac, mac, node, "mac");
    if (node.nid !== undefined) claim(byNid, node.nid, node, "nid");
    for (const iface of node.interfaces) {
      if (!interfaces.has(iface.mac)) interfaces.set(iface.mac, { node, iface });
      for (const { address } of iface.ips) {
        const claimants = byIp.get(address);
        if (!claimants) byIp.set(address, [node]);
        else if (!claimants.includes(node)) claimants.push(node);
      }
    }
  }

  return {
    version,
    size: sorted.length,
    byMac: (mac) => byMac.get(macKey(mac)),
    byXname: (xname) => byXname.get(normalizeXname(xname)),
    byNid: (nid) => byNid.get(nid),
    byIp: (ip) => byIp.get(ip.trim()) ?? [],
    interfaceByMac: (mac) => interfaces.get(macKey(mac)),
    nodes: () => sorted,
  };
}

export const EMPTY_INDEX: InventoryIndex = buildIndex([], 0);
