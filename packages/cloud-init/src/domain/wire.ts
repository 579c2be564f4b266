/**
 * The admin records on the wire (spec cloud-init.md §2.4) and their decoding as upstream's
 * Go handlers decode them: keys match exactly, then case-insensitively; documented aliases
 * are accepted, a canonical key beats its alias; unknown keys are ignored; `null` is unset.
 * Pure.
 */

export interface ClusterDefaults {
  cloud_provider: string;
  region: string;
  "availability-zone": string;
  "cluster-name": string;
  "public-keys": string[];
  "base-url": string;
  "boot-subnet": string;
  "wg-subnet": string;
  "short-name": string;
  "nid-length": number;
}

export const EMPTY_DEFAULTS: ClusterDefaults = {
  cloud_provider: "",
  region: "",
  "availability-zone": "",
  "cluster-name": "",
  "public-keys": [],
  "base-url": "",
  "boot-subnet": "",
  "wg-subnet": "",
  "short-name": "",
  "nid-length": 0,
};

export type Encoding = "plain" | "base64";

export interface GroupFile {
  content: string;
  filename: string;
  encoding: Encoding;
}

export interface GroupData {
  name: string;
  description: string;
  "meta-data": Record<string, unknown>;
  file: GroupFile;
  versions: Record<string, string>;
  /** This project's extension; unset counts as 0 in the include order. */
  priority?: number;
}

export interface InstanceInfo {
  id: string;
  "instance-id": string;
  "local-hostname": string;
  hostname: string;
  "cluster-name": string;
  region: string;
  "availability-zone": string;
  "cloud-provider": string;
  "instance-type": string;
  "cloud-init-base-url": string;
  "public-keys": string[];
}

export const EMPTY_INSTANCE_INFO: InstanceInfo = {
  id: "",
  "instance-id": "",
  "local-hostname": "",
  hostname: "",
  "cluster-name": "",
  region: "",
  "availability-zone": "",
  "cloud-provider": "",
  "instance-type": "",
  "cloud-init-base-url": "",
  "public-keys": [],
};

/** A body that does not decode; the message is what the route answers with. */
export class DecodeError extends Error {}

export const INSTANCE_ID = /^i-[0-9a-f]{8}$/;

type Json = Record<string, unknown>;

/** JSON text to a value, or a DecodeError carrying the parser's message. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new DecodeError((error as Error).message);
  }
}

function jsonType(value: unknown): string {
  if (Array.isArray(value)) return "array";
  if (value === null) return "null";
  return typeof value === "object" ? "object" : typeof value === "boolean" ? "bool" : typeof value;
}

function mismatch(struct: string, field: string, value: unknown, goType: string): DecodeError {
  return new DecodeError(
    `json: cannot unmarshal ${jsonType(value)} into Go struct field ${struct}.${field} of type ${goType}`,
  );
}

function asObject(value: unknown, struct: string): Json {
  if (value === null || value === undefined) return {};
  if (typeof value !== "object" || Array.isArray(value))
    throw new DecodeError(`json: cannot unmarshal ${jsonType(value)} into Go value of type ${struct}`);
  return value as Json;
}

/** The value under `canonical`, else under an alias: exact spellings first, then any case. */
function field(body: Json, canonical: string, aliases: readonly string[] = []): unknown {
  const names = [canonical, ...aliases];
  for (const name of names) if (Object.hasOwn(body, name) && body[name] !== null) return body[name];
  const keys = Object.keys(body);
  for (const name of names) {
    const folded = name.toLowerCase();
    const key = keys.find((k) => k.toLowerCase() === folded && body[k] !== null);
    if (key !== undefined) return body[key];
  }
  return undefined;
}

function str(body: Json, struct: string, name: string, aliases?: readonly string[]): string | undefined {
  const value = field(body, name, aliases);
  if (value === undefined) return undefined;
  if (typeof value !== "string") throw mismatch(struct, name, value, "string");
  return value;
}

function strings(body: Json, struct: string, name: string): string[] | undefined {
  const value = field(body, name);
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) throw mismatch(struct, name, value, "[]string");
  return value.map((item) => {
    if (typeof item !== "string") throw mismatch(struct, name, item, "string");
    return item;
  });
}

function int(body: Json, struct: string, name: string): number | undefined {
  const value = field(body, name);
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !Number.isSafeInteger(value)) throw mismatch(struct, name, value, "int");
  return value;
}

/** A POST /admin/cluster-defaults body: only the fields it sets (non-empty ones). */
export function decodeClusterDefaults(value: unknown): Partial<ClusterDefaults> {
  const body = asObject(value, "ClusterDefaults");
  const S = "ClusterDefaults";
  const out: Partial<ClusterDefaults> = {};
  const text = (name: Exclude<keyof ClusterDefaults, "public-keys" | "nid-length">, aliases?: string[]) => {
    const v = str(body, S, name, aliases);
    if (v) out[name] = v;
  };
  text("cloud_provider", ["cloud-provider"]);
  text("region");
  text("availability-zone");
  text("cluster-name");
  text("base-url");
  text("boot-subnet");
  text("wg-subnet");
  text("short-name");
  const keys = strings(body, S, "public-keys");
  if (keys && keys.length > 0) out["public-keys"] = keys;
  const width = int(body, S, "nid-length");
  if (width !== undefined && width < 0) throw new DecodeError("nid-length must not be negative");
  if (width) out["nid-length"] = width;
  if (out["base-url"] !== undefined) out["base-url"] = out["base-url"].replace(/\/+$/, "");
  return out;
}

/** Non-empty fields overwrite; nothing can be cleared (§2.3). */
export function mergeDefaults(current: ClusterDefaults, update: Partial<ClusterDefaults>): ClusterDefaults {
  return { ...current, ...update };
}

/** A stored or decoded defaults record, completed to every key. */
export function completeDefaults(value: unknown): ClusterDefaults {
  return { ...EMPTY_DEFAULTS, ...(value as Partial<ClusterDefaults>) };
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Standard, padded base64 (whitespace between lines tolerated), or undefined. */
export function decodeBase64(text: string): Buffer | undefined {
  const compact = text.replace(/[\r\n\t ]+/g, "");
  return BASE64.test(compact) ? Buffer.from(compact, "base64") : undefined;
}

/**
 * A group body (POST, or PUT under `pathName`). Throws a DecodeError with the 422 text:
 * `name is required`, a type mismatch, or `invalid base64 content`.
 */
export function decodeGroup(value: unknown, pathName?: string): GroupData {
  const body = asObject(value, "GroupData");
  const S = "GroupData";
  const name = pathName ?? str(body, S, "name") ?? "";
  if (name === "") throw new DecodeError("name is required");
  const metaData = field(body, "meta-data", ["data"]);
  if (metaData !== undefined && (typeof metaData !== "object" || Array.isArray(metaData)))
    throw mismatch(S, "meta-data", metaData, "map[string]interface {}");
  const fileValue = field(body, "file");
  if (fileValue !== undefined && (typeof fileValue !== "object" || Array.isArray(fileValue)))
    throw mismatch(S, "file", fileValue, "CloudConfigFile");
  const file = (fileValue ?? {}) as Json;
  const F = "CloudConfigFile";
  const encodingText = str(file, F, "encoding") || "plain";
  if (encodingText !== "plain" && encodingText !== "base64")
    throw new DecodeError(`invalid encoding '${encodingText}' (use plain or base64)`);
  const content = str(file, F, "content") ?? "";
  if (encodingText === "base64" && decodeBase64(content) === undefined)
    throw new DecodeError("invalid base64 content");
  const versionsValue = field(body, "versions");
  let versions: Record<string, string> = {};
  if (versionsValue !== undefined) {
    const map = asObjectField(versionsValue, S, "versions");
    for (const item of Object.values(map))
      if (typeof item !== "string") throw mismatch(S, "versions", item, "string");
    versions = map as Record<string, string>;
  }
  const group: GroupData = {
    name,
    description: str(body, S, "description") ?? "",
    "meta-data": (metaData ?? {}) as Record<string, unknown>,
    file: { content, filename: str(file, F, "filename") ?? "", encoding: encodingText },
    versions,
  };
  const priority = int(body, S, "priority");
  if (priority !== undefined) group.priority = priority;
  return group;
}

function asObjectField(value: unknown, struct: string, name: string): Json {
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw mismatch(struct, name, value, "map[string]string");
  return value as Json;
}

/** A PUT /admin/instance-info/{id} body, every key present; `id` is the path's. */
export function decodeInstanceInfo(value: unknown, id: string): InstanceInfo {
  const body = asObject(value, "InstanceInfo");
  const S = "InstanceInfo";
  const text = (name: keyof InstanceInfo, aliases?: string[]) => str(body, S, name, aliases) ?? "";
  const instanceId = text("instance-id");
  if (instanceId !== "" && !INSTANCE_ID.test(instanceId))
    throw new DecodeError(`invalid instance-id '${instanceId}' (want i- and 8 lowercase hex digits)`);
  return {
    id,
    "instance-id": instanceId,
    "local-hostname": text("local-hostname", ["local_hostname"]),
    hostname: text("hostname"),
    "cluster-name": text("cluster-name"),
    region: text("region"),
    "availability-zone": text("availability-zone"),
    "cloud-provider": text("cloud-provider"),
    "instance-type": text("instance-type"),
    "cloud-init-base-url": text("cloud-init-base-url"),
    "public-keys": strings(body, S, "public-keys") ?? [],
  };
}
