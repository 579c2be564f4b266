import { type EnumRegistry, errors, parseXname } from "@openchami/core";

export interface NodeMap {
  id: string;
  nid: number;
  role: string;
  subRole: string;
  nodeInfo: unknown;
}

/** A NodeMap as a client sends it (keys already canonicalised by the Go-compatible decoder). */
export interface NodeMapInput {
  ID?: string;
  NID?: number;
  Role?: string;
  SubRole?: string;
  NodeInfo?: unknown;
}

const NODE_TYPES = new Set(["Node", "VirtualNode"]);

/** The normalised xname of a node, or undefined when `raw` is not a Node/VirtualNode ID. */
export function nodeXname(raw: string): string | undefined {
  const parsed = parseXname(raw);
  return parsed && NODE_TYPES.has(parsed.type) ? parsed.id : undefined;
}

function parseRole(registry: EnumRegistry, kind: "Role" | "SubRole", raw: string | undefined): string {
  if (raw === undefined || raw === "") return "";
  const role = registry.parse(kind, raw);
  if (role === undefined) throw errors.badRequest(`Argument was not a valid HMS ${kind}`);
  return role;
}

/** Validates one NodeMap; `id` comes from the path for PUT, from the body for POST. */
export function toNodeMap(input: NodeMapInput, registry: EnumRegistry, pathId?: string): NodeMap {
  const rawId = pathId ?? input.ID;
  if (rawId === undefined || rawId === "") throw errors.badRequest("NodeMap is missing an ID");
  const id = nodeXname(rawId);
  if (id === undefined) throw errors.badRequest("invalid xname");
  if (input.NID === undefined) throw errors.badRequest("NodeMap is missing a NID");
  if (!Number.isInteger(input.NID) || input.NID <= 0)
    throw errors.badRequest("NID must be a positive integer");
  return {
    id,
    nid: input.NID,
    role: parseRole(registry, "Role", input.Role),
    subRole: parseRole(registry, "SubRole", input.SubRole),
    nodeInfo: input.NodeInfo ?? null,
  };
}

/** Wire form: empty Role/SubRole and absent NodeInfo are omitted, as upstream does. */
export function nodeMapToWire(map: NodeMap): Record<string, unknown> {
  return {
    ID: map.id,
    NID: map.nid,
    ...(map.role ? { Role: map.role } : {}),
    ...(map.subRole ? { SubRole: map.subRole } : {}),
    ...(map.nodeInfo !== null && map.nodeInfo !== undefined ? { NodeInfo: map.nodeInfo } : {}),
  };
}

/** Within one request the last entry for an ID wins (one row per ID in a single upsert). */
export function lastPerId(maps: readonly NodeMap[]): NodeMap[] {
  return [...new Map(maps.map((m) => [m.id, m])).values()];
}
