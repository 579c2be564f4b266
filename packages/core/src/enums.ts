/**
 * HMS enumerations (smd.md §4). Every list is in the spec's order, which is also the
 * order `/service/values` answers with (D4). Input is case-insensitive; output is
 * always the canonical spelling.
 */

export const STATES = ["Unknown", "Empty", "Populated", "Off", "On", "Standby", "Halt", "Ready"] as const;
export const FLAGS = ["Unknown", "OK", "Warning", "Alert", "Locked"] as const;
export const ROLES = ["Compute", "Service", "System", "Application", "Storage", "Management"] as const;
export const SUB_ROLES = ["Master", "Worker", "Storage"] as const;
export const ARCHES = ["X86", "ARM", "UNKNOWN", "Other"] as const;
export const CLASSES = ["River", "Mountain", "Hill"] as const;
export const NET_TYPES = ["Sling", "Infiniband", "Ethernet", "OEM", "None"] as const;

/** The xname table of §4, row by row, then the pseudo-types. */
export const HMS_TYPES = [
  // Cabinet level
  "CDU",
  "CDUMgmtSwitch",
  "Cabinet",
  "CabinetCDU",
  "CEC",
  "CabinetBMC",
  "CabinetPDUController",
  "CabinetPDU",
  "CabinetPDUNic",
  "CabinetPDUPowerConnector",
  "CabinetPDUOutlet",
  // Chassis level
  "Chassis",
  "ChassisBMC",
  "ChassisBMCNic",
  "CMMFpga",
  "CMMRectifier",
  "MgmtSwitch",
  "MgmtSwitchConnector",
  "MgmtHLSwitchEnclosure",
  "MgmtHLSwitch",
  // Compute slot level
  "ComputeModule",
  "NodePowerConnector",
  "NodeEnclosure",
  "NodeEnclosurePowerSupply",
  "NodeBMC",
  "NodeBMCNic",
  "NodeFpga",
  // Node level
  "Node",
  "VirtualNode",
  "Processor",
  "NodeAccel",
  "NodeAccelRiser",
  "Memory",
  "StorageGroup",
  "Drive",
  "NodeNic",
  "NodeHsnNic",
  // Router slot level
  "RouterModule",
  "RouterBMC",
  "RouterBMCNic",
  "RouterFpga",
  "RouterTOR",
  "RouterTORFpga",
  "RouterPowerConnector",
  "HSNBoard",
  "HSNAsic",
  "HSNLink",
  "HSNConnector",
  "HSNConnectorPort",
  // Special
  "System",
  "SMSBox",
  "Partition",
  "All",
  "AllComp",
  "AllSvc",
  "INVALID",
] as const;

export type State = (typeof STATES)[number];
export type Flag = (typeof FLAGS)[number];
export type Role = (typeof ROLES)[number];
export type SubRole = (typeof SUB_ROLES)[number];
export type Arch = (typeof ARCHES)[number];
export type HMSClass = (typeof CLASSES)[number];
export type NetType = (typeof NET_TYPES)[number];
export type HMSType = (typeof HMS_TYPES)[number];

/** Upstream's default for a component created without a Flag. */
export const DEFAULT_FLAG: Flag = "OK";

/** Built-in values per enum, keyed as `/service/values` names them. */
interface BaseValues {
  Arch: Arch;
  Class: HMSClass;
  Flag: Flag;
  NetType: NetType;
  Role: Role;
  SubRole: SubRole;
  State: State;
  Type: HMSType;
}

export type EnumKind = keyof BaseValues;
/** The enums a deployment may extend (upstream `HMSExtendedDefinitions`). */
export type ExtensibleKind = "Role" | "SubRole";
/** A canonical value of `K`; extensible enums may hold configured extras. */
export type EnumValue<K extends EnumKind> = K extends ExtensibleKind ? string : BaseValues[K];

/** The body of `GET /service/values`, keys in upstream's order. */
export type ServiceValues = { readonly [K in EnumKind]: readonly EnumValue<K>[] };

/** Extra Role/SubRole values, as configured; matched case-insensitively like the rest. */
export interface EnumExtensions {
  Role?: readonly string[];
  SubRole?: readonly string[];
}

export interface EnumRegistry {
  readonly values: ServiceValues;
  /** The canonical spelling of `value` (any case), or undefined when it is not a member. */
  parse<K extends EnumKind>(kind: K, value: string): EnumValue<K> | undefined;
}

const BASE_VALUES: ServiceValues = {
  Arch: ARCHES,
  Class: CLASSES,
  Flag: FLAGS,
  NetType: NET_TYPES,
  Role: ROLES,
  SubRole: SUB_ROLES,
  State: STATES,
  Type: HMS_TYPES,
};

/** Accepted spellings that are not a value's own name (lower-case). */
const ALIASES: { readonly [K in EnumKind]?: Readonly<Record<string, EnumValue<K>>> } = {
  Flag: { warn: "Warning" },
};

/** Appends extras not already present (case-insensitively), keeping first-seen order. */
function extend(base: readonly string[], extras: readonly string[] = []): readonly string[] {
  const seen = new Set(base.map((v) => v.toLowerCase()));
  const out = [...base];
  for (const extra of extras) {
    const key = extra.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(extra);
  }
  return out;
}

function lookupTable(kind: EnumKind, values: readonly string[]): ReadonlyMap<string, string> {
  const table = new Map<string, string>(Object.entries(ALIASES[kind] ?? {}));
  for (const value of values) table.set(value.toLowerCase(), value);
  return table;
}

/** An enum set with the deployment's extra Role/SubRole values. */
export function withExtensions(extensions: EnumExtensions = {}): EnumRegistry {
  const values: ServiceValues = {
    ...BASE_VALUES,
    Role: extend(ROLES, extensions.Role),
    SubRole: extend(SUB_ROLES, extensions.SubRole),
  };
  const tables = new Map<EnumKind, ReadonlyMap<string, string>>();
  for (const kind of Object.keys(values) as EnumKind[]) tables.set(kind, lookupTable(kind, values[kind]));
  return {
    values,
    parse: <K extends EnumKind>(kind: K, value: string) =>
      tables.get(kind)?.get(value.toLowerCase()) as EnumValue<K> | undefined,
  };
}

const BASE_REGISTRY = withExtensions();

/** Parses against the built-in values only; use `withExtensions` when extras are configured. */
export function parseEnum<K extends EnumKind>(kind: K, value: string): EnumValue<K> | undefined {
  return BASE_REGISTRY.parse(kind, value);
}

/** The `/service/values` body, built-in values first, then the configured extras. */
export function serviceValues(extensions?: EnumExtensions): ServiceValues {
  return extensions ? withExtensions(extensions).values : BASE_REGISTRY.values;
}

/**
 * Reads upstream's HMS config (`HMS_CONFIG_PATH`, e.g. `/hms_config/hms_config.json`):
 * `{"HMSExtendedDefinitions":{"Role":[…],"SubRole":[…]}}`. Accepts the file's text or its
 * parsed JSON. Keys match case-insensitively and unknown keys are ignored, as Go's
 * encoding/json does upstream; anything else malformed throws a plain Error saying where.
 */
export function parseHmsConfig(input: unknown): EnumExtensions {
  const json = typeof input === "string" ? parseJson(input) : input;
  if (!isObject(json)) throw new Error("HMS config: expected a JSON object");
  const definitions = field(json, "HMSExtendedDefinitions");
  if (definitions === undefined || definitions === null) return {};
  if (!isObject(definitions)) throw new Error("HMS config: HMSExtendedDefinitions must be an object");
  const extensions: EnumExtensions = {};
  for (const kind of ["Role", "SubRole"] as const) {
    const list = field(definitions, kind);
    if (list === undefined || list === null) continue;
    if (!Array.isArray(list) || !list.every((v) => typeof v === "string" && v.trim() !== "")) {
      throw new Error(`HMS config: HMSExtendedDefinitions.${kind} must be an array of non-empty strings`);
    }
    extensions[kind] = list;
  }
  return extensions;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new Error(`HMS config: invalid JSON: ${(err as Error).message}`);
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Go encoding/json's key matching: case-insensitive, and the last matching key wins. */
function field(object: Record<string, unknown>, name: string): unknown {
  const lower = name.toLowerCase();
  const key = Object.keys(object).findLast((k) => k.toLowerCase() === lower);
  return key === undefined ? undefined : object[key];
}
