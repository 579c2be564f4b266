/**
 * What a node is served (spec cloud-init.md §3), from the inventory's facts and the admin
 * records. Pure: no I/O, no clock, no randomness.
 */
import type { InventoryNode } from "@openchami/inventory";
import { stringify } from "yaml";
import { type ClusterDefaults, decodeBase64, type GroupData, type InstanceInfo } from "../domain/wire.ts";

/** user-data, and a group file with no record or no content (decision 10). */
export const EMPTY_CLOUD_CONFIG = "#cloud-config\n{}\n";

/** The node facts composition uses. */
export interface NodeFacts {
  xname: string;
  nid: number | undefined;
  /** "" when the node has no interface with an IP. */
  bootIp: string;
  /** Group labels. */
  groups: readonly string[];
}

/** The first IP of the first interface with one, interfaces ordered by MAC (§3.1). */
export function bootIp(node: Pick<InventoryNode, "interfaces">): string {
  const withIp = node.interfaces
    .filter((iface) => iface.ips.length > 0)
    .sort((a, b) => (a.mac < b.mac ? -1 : a.mac > b.mac ? 1 : 0));
  return withIp[0]?.ips[0]?.address ?? "";
}

export function nodeFacts(node: InventoryNode): NodeFacts {
  return { xname: node.xname, nid: node.nid, bootIp: bootIp(node), groups: node.groups };
}

/** `<prefix><NID zero-padded>` (§3.2): `cl0012`, `nid001`; never truncates. */
export function generatedHostname(defaults: ClusterDefaults, nid: number | undefined): string {
  const prefix = defaults["short-name"] || defaults["cluster-name"].slice(0, 2);
  const width = defaults["nid-length"] || 4;
  return `${prefix}${String(nid ?? 0).padStart(width, "0")}`;
}

/** Keys sorted in code-point order, recursively (yaml.v2 sorts map keys). */
function sortedDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedDeep);
  if (value === null || typeof value !== "object") return value;
  const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) =>
    a < b ? -1 : a > b ? 1 : 0,
  );
  return Object.fromEntries(entries.map(([k, v]) => [k, sortedDeep(v)]));
}

export interface MetaDataInput {
  node: NodeFacts;
  instanceId: string;
  defaults: ClusterDefaults;
  instance: InstanceInfo | undefined;
  groups: ReadonlyMap<string, GroupData>;
}

/** The meta-data document as an object, keys in emission order (§3.2). */
export function metaData({ node, instanceId, defaults, instance, groups }: MetaDataInput): object {
  const generated = generatedHostname(defaults, node.nid);
  const v1: Record<string, unknown> = {};
  const optional = (key: string, value: string | readonly string[]) => {
    if (value.length > 0) v1[key] = value;
  };
  optional("availability_zone", defaults["availability-zone"]);
  v1.instance_id = instanceId;
  optional("instance_type", instance?.["instance-type"] ?? "");
  optional("region", defaults.region);
  v1.local_ipv4 = node.bootIp;
  optional("cloud_provider", defaults.cloud_provider);
  optional("public_keys", [...defaults["public-keys"], ...(instance?.["public-keys"] ?? [])]);
  const groupEntries: Record<string, unknown> = {};
  for (const label of [...node.groups].sort()) {
    const group = groups.get(label);
    groupEntries[label] = sortedDeep({
      Description: group?.description || "No description Found",
      ...group?.["meta-data"],
    });
  }
  v1.vendor_data = {
    version: "1.0",
    cloud_init_base_url: instance?.["cloud-init-base-url"] || defaults["base-url"],
    cluster_name: defaults["cluster-name"],
    groups: groupEntries,
  };
  return {
    "instance-id": instanceId,
    "local-hostname": instance?.["local-hostname"] || generated,
    hostname: instance?.hostname || generated,
    "cluster-name": defaults["cluster-name"],
    instance_data: { v1 },
  };
}

/** YAML as yaml.v2 lays it out, quoting what YAML 1.1 (PyYAML on the node) would re-type. */
export function toYaml(value: unknown): string {
  return stringify(value, { indentSeq: false, lineWidth: 0, version: "1.1" });
}

export function renderMetaData(input: MetaDataInput): string {
  return toYaml(metaData(input));
}

/** Group labels in include order (§3.4): ascending priority (unset 0), then name. */
export function includeOrder(labels: readonly string[], groups: ReadonlyMap<string, GroupData>): string[] {
  const priority = (label: string) => groups.get(label)?.priority ?? 0;
  return [...new Set(labels)].sort((a, b) => priority(a) - priority(b) || (a < b ? -1 : a > b ? 1 : 0));
}

/** The first non-empty base URL, trailing `/` trimmed (§3.4). */
export function baseUrl(...candidates: (string | undefined)[]): string {
  return (candidates.find((c) => c) ?? "").replace(/\/+$/, "");
}

/** `#include` and one `<base>/<group>.yaml` line per label (§3.4). */
export function renderVendorData(base: string, ordered: readonly string[]): string {
  return `#include\n${ordered.map((label) => `${base}/${label}.yaml\n`).join("")}`;
}

/** A group file as served: verbatim, or exactly base64-decoded; the fallback when empty. */
export function renderGroupFile(group: GroupData | undefined): Buffer {
  const content = group?.file.content ?? "";
  if (content === "") return Buffer.from(EMPTY_CLOUD_CONFIG);
  if (group?.file.encoding === "base64") {
    const decoded = decodeBase64(content);
    if (decoded && decoded.length > 0) return decoded;
    return Buffer.from(EMPTY_CLOUD_CONFIG);
  }
  return Buffer.from(content);
}
