import { type EnumRegistry, errors, parseXname } from "@openchami/core";
import type { Target } from "./records.ts";

/** The MAC syntax BootParams accept (§2.3): six colon-separated hex pairs, any case. */
const MAC = /^([0-9A-Fa-f]{2}:){5}[0-9a-fA-F]{2}$/;
const NID_HOST = /^nid(\d+)$/i;
const UNKNOWN_TAG = /^unknown-(.+)$/i;

/**
 * The canonical spelling of a tag, or undefined when `raw` is none: `Default`, `Global`
 * and Roles (any case, the inventory's spelling), `Unknown-<arch>` (arch as given).
 */
export function canonicalTag(raw: string, enums: EnumRegistry): string | undefined {
  const lower = raw.toLowerCase();
  if (lower === "default") return "Default";
  if (lower === "global") return "Global";
  const arch = UNKNOWN_TAG.exec(raw)?.[1];
  if (arch !== undefined) return `Unknown-${arch}`;
  return enums.parse("Role", raw);
}

/**
 * A `hosts` entry as a key (§2.3), tried in this order: a Node xname, `nid<N>`, a tag.
 * Anything else is a 400 naming the entry, or the type of a non-Node xname.
 */
export function hostTarget(entry: string, enums: EnumRegistry): Target {
  const parsed = parseXname(entry);
  if (parsed?.type === "Node") return { kind: "xname", key: parsed.id };
  const nid = NID_HOST.exec(entry)?.[1];
  if (nid !== undefined) return { kind: "nid", key: String(Number(nid)) };
  const tag = canonicalTag(entry, enums);
  if (tag !== undefined) return { kind: "tag", key: tag };
  if (parsed) throw errors.badRequest(`Bad Request: invalid xname type: ${parsed.type}`);
  throw errors.badRequest(`Bad Request: invalid xname: ${entry}`);
}

/** A `macs` entry as a key; `validate` off (DELETE) only lower-cases it. */
export function macTarget(mac: string, validate: boolean): Target {
  // Upstream's detail ends with a newline; clients may match it exactly.
  if (validate && !MAC.test(mac))
    throw errors.badRequest(`Bad Request: invalid MAC address format: ${mac}\n`);
  return { kind: "mac", key: mac.toLowerCase() };
}

export function nidTarget(nid: number): Target {
  return { kind: "nid", key: String(nid) };
}
