/**
 * Merged user-data (spec cloud-init.md §3.5, extension, MERGED_USER_DATA=true): the
 * mergeable groups deep-merged server-side in include order, the rest left to vendor-data.
 * Pure.
 */
import { parse } from "yaml";
import type { GroupData } from "../domain/wire.ts";
import { EMPTY_CLOUD_CONFIG, renderGroupFile, toYaml } from "./compose.ts";

type Mapping = Record<string, unknown>;

/** Parsed once per stored group object (a write stores a new object). */
const parsed = new WeakMap<GroupData, Mapping | null>();

function isMapping(value: unknown): value is Mapping {
  return value !== null && typeof value === "object" && !Array.isArray(value) && !(value instanceof Date);
}

/**
 * The group's cloud-config mapping when it is mergeable (first line exactly
 * `#cloud-config`, the rest a YAML mapping or empty), else null. No record or no content
 * counts as an empty mapping.
 */
export function mergeableContent(group: GroupData | undefined): Mapping | null {
  if (!group || group.file.content === "") return {};
  const cached = parsed.get(group);
  if (cached !== undefined) return cached;
  let result: Mapping | null = null;
  const text = renderGroupFile(group).toString("utf8");
  const newline = text.indexOf("\n");
  const first = (newline < 0 ? text : text.slice(0, newline)).replace(/\r$/, "");
  if (first === "#cloud-config") {
    try {
      const value: unknown = parse(newline < 0 ? "" : text.slice(newline + 1), { version: "1.1" });
      if (value === null || value === undefined) result = {};
      else if (isMapping(value)) result = value;
    } catch {
      result = null;
    }
  }
  parsed.set(group, result);
  return result;
}

/** map+map recurse, list+list concatenate (earlier first), otherwise the later wins. */
export function deepMerge(earlier: unknown, later: unknown): unknown {
  if (isMapping(earlier) && isMapping(later)) {
    const out: Mapping = { ...earlier };
    for (const [key, value] of Object.entries(later))
      out[key] = Object.hasOwn(out, key) ? deepMerge(out[key], value) : value;
    return out;
  }
  if (Array.isArray(earlier) && Array.isArray(later)) return [...earlier, ...later];
  return later;
}

/** user-data and the labels vendor-data still lists, from labels in include order. */
export function mergedUserData(
  ordered: readonly string[],
  groups: ReadonlyMap<string, GroupData>,
): { userData: string; remaining: string[] } {
  let merged: Mapping = {};
  const remaining: string[] = [];
  for (const label of ordered) {
    const content = mergeableContent(groups.get(label));
    if (content === null) remaining.push(label);
    else merged = deepMerge(merged, content) as Mapping;
  }
  delete merged.merge_how;
  delete merged.merge_type;
  const userData = Object.keys(merged).length === 0 ? EMPTY_CLOUD_CONFIG : `#cloud-config\n${toYaml(merged)}`;
  return { userData, remaining };
}
