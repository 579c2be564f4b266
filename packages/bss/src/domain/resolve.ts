import { type EnumRegistry, normalizeMac } from "@openchami/core";
import type { InventoryIndex, InventoryNode } from "@openchami/inventory";
import type { BootRequest } from "./boot-request.ts";
import { isHost } from "./hosts.ts";
import type { BootRecord, ImageKind, TargetKind } from "./records.ts";
import { canonicalTag } from "./targets.ts";

/** The params index as resolution reads it: O(1), in memory. */
export interface ParamsView {
  record(kind: TargetKind, key: string): BootRecord | undefined;
  /** "" when the URL has none. */
  imageParams(kind: ImageKind, path: string): string;
}

/** What to answer a bootscript request with (§3.3). */
export type BootPlan =
  /** A bootable node and the record that won. */
  | { kind: "boot"; node: InventoryNode; record: BootRecord }
  /** Not servable yet: sleep and ask again (with `${buildarch}`). */
  | { kind: "delay"; node: InventoryNode | undefined }
  /** Unknown, disabled or unconfigured, served the `Unknown-<arch>` record. */
  | { kind: "unknown-arch"; node: InventoryNode | undefined; record: BootRecord }
  /** 404: this host not configured for booting. */
  | { kind: "not-configured"; node: InventoryNode | undefined };

/** The node a request names: only Node components count (Empty ones are not in the view). */
function findNode(index: InventoryIndex, [name, value]: BootRequest["id"]): InventoryNode | undefined {
  const node =
    name === "mac" ? index.byMac(value) : name === "name" ? index.byXname(value) : index.byNid(Number(value));
  return isHost(node) ? node : undefined;
}

/**
 * The first record that exists, taken whole (§3.2): the requested MAC (or, for name and
 * nid requests, each of the node's MACs in order), the xname, the NID, the Role's tag,
 * then `Default`.
 */
function resolveRecord(
  params: ParamsView,
  enums: EnumRegistry,
  node: InventoryNode,
  requestedMac: string | undefined,
): BootRecord | undefined {
  // The request matched the node in any spelling; keys are stored canonical.
  const macs =
    requestedMac === undefined ? node.macs : [normalizeMac(requestedMac) ?? requestedMac.toLowerCase()];
  for (const mac of macs) {
    const record = params.record("mac", mac);
    if (record) return record;
  }
  return (
    params.record("xname", node.xname) ??
    (node.nid === undefined ? undefined : params.record("nid", String(node.nid))) ??
    (node.role === "" ? undefined : params.record("tag", canonicalTag(node.role, enums) ?? node.role)) ??
    params.record("tag", "Default")
  );
}

/** A node boots when it is enabled, no endpoint disables it, and a record resolves. */
export function planBoot(
  request: BootRequest,
  inventory: { loaded: boolean; index: InventoryIndex },
  params: ParamsView,
  enums: EnumRegistry,
): BootPlan {
  if (!inventory.loaded) return { kind: "delay", node: undefined };
  const node = findNode(inventory.index, request.id);
  const requestedMac = request.id[0] === "mac" ? request.id[1] : undefined;
  const record =
    node?.enabled && node.endpoint !== "disabled"
      ? resolveRecord(params, enums, node, requestedMac)
      : undefined;
  if (node && record) return { kind: "boot", node, record };
  if (request.arch === "") return { kind: "delay", node };
  const unknown = params.record("tag", `Unknown-${request.arch}`);
  return unknown ? { kind: "unknown-arch", node, record: unknown } : { kind: "not-configured", node };
}
