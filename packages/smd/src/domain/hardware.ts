import { errors, type HMSType, parseEnum, parseXname, xnameParent } from "@openchami/core";
import { parseBooleanParam } from "./component-filter.ts";

/**
 * Hardware inventory (spec smd.md §3.8): a location (`HWInvByLoc`, keyed by xname) holds at
 * most one FRU (`HWInvByFRU`, keyed by FRU ID). Each supported HMS type has a kind `<T>` that
 * names its wire keys: `<T>LocationInfo`, `<T>FRUInfo`, `HWInvByLoc<T>`, `HWInvByFRU<T>`.
 */

/** Which FRU info fields make a trackable FRU ID `<Type>.<Manufacturer>.<PartNumber>.<SerialNumber>`. */
type FruIdRule =
  | { readonly manufacturer: "Manufacturer" | "Producer"; readonly partNumber: boolean }
  /** Outlets carry no FRU data: the client's FRUID, else `FRUIDfor<ID>`. */
  | "supplied";

interface KindSpec {
  /** `<T>` */
  readonly kind: string;
  readonly types: readonly HMSType[];
  /** Its list in `Query/{x}` answers. */
  readonly list: string;
  readonly fruId: FruIdRule;
  /** NestNodesOnly files it under the nearest enclosing location of this kind, when present. */
  readonly nestUnder?: "Node" | "PDU";
}

const STANDARD: FruIdRule = { manufacturer: "Manufacturer", partNumber: true };
/** Upstream builds power-supply FRU IDs without the part number. */
const POWER_SUPPLY: FruIdRule = { manufacturer: "Manufacturer", partNumber: false };

function spec(kind: string, list: string, options: Partial<KindSpec> = {}): KindSpec {
  return { kind, list, types: [kind as HMSType], fruId: STANDARD, ...options };
}

/** Every `<T>` of §3.8, in the spec's order (also the order of the Query lists). */
const KINDS: readonly KindSpec[] = [
  spec("Cabinet", "Cabinets"),
  spec("Chassis", "Chassis"),
  spec("ComputeModule", "ComputeModules"),
  spec("RouterModule", "RouterModules"),
  spec("NodeEnclosure", "NodeEnclosures"),
  spec("HSNBoard", "HSNBoards"),
  spec("MgmtSwitch", "MgmtSwitches"),
  spec("MgmtHLSwitch", "MgmtHLSwitches"),
  spec("CDUMgmtSwitch", "CDUMgmtSwitches"),
  spec("Node", "Nodes"),
  spec("Processor", "Processors", { nestUnder: "Node" }),
  spec("NodeAccel", "NodeAccels", { nestUnder: "Node" }),
  spec("NodeAccelRiser", "NodeAccelRisers", {
    nestUnder: "Node",
    fruId: { manufacturer: "Producer", partNumber: true },
  }),
  spec("Drive", "Drives", { nestUnder: "Node" }),
  spec("Memory", "Memory", { nestUnder: "Node" }),
  spec("PDU", "CabinetPDUs", { types: ["CabinetPDU"] }),
  spec("Outlet", "CabinetPDUPowerConnectors", {
    types: ["CabinetPDUPowerConnector", "CabinetPDUOutlet"],
    fruId: "supplied",
    nestUnder: "PDU",
  }),
  spec("CMMRectifier", "CMMRectifiers", { fruId: POWER_SUPPLY }),
  spec("NodeEnclosurePowerSupply", "NodeEnclosurePowerSupplies", { fruId: POWER_SUPPLY }),
  spec("NodeBMC", "NodeBMCs"),
  spec("RouterBMC", "RouterBMCs"),
  spec("NodeHsnNic", "NodeHsnNics", { nestUnder: "Node" }),
];

const KIND_OF_TYPE = new Map(KINDS.flatMap((k) => k.types.map((type) => [type as string, k])));

/** The `<T>` names, for the request schema's `<T>LocationInfo` / `<T>FRUInfo` keys. */
export const HARDWARE_KINDS: readonly string[] = KINDS.map((k) => k.kind);

export interface HardwareFru {
  fruId: string;
  /** The HMS type of the location it was reported at. */
  type: string;
  subtype: string;
  /** The `<T>FRUInfo` object, opaque. */
  info: unknown;
}

export interface HardwareLocation {
  id: string;
  type: string;
  ordinal: number;
  /** The `<T>LocationInfo` object, opaque. */
  info: unknown;
  /** Undefined: the location is Empty. */
  fru: HardwareFru | undefined;
}

/** One entry of a `POST /Inventory/Hardware` body (keys canonicalised by the Go decoder). */
export type HardwareInput = Readonly<Record<string, unknown>>;

function isPresent(value: unknown): boolean {
  return value !== undefined && value !== null;
}

function infoField(info: unknown, field: string): string {
  const value =
    typeof info === "object" && info !== null ? (info as Record<string, unknown>)[field] : undefined;
  return typeof value === "string" ? value.replace(/[^a-zA-Z0-9]/g, "") : "";
}

/** Upstream's FRU IDs are capped so they fit its column. */
const MAX_FRU_ID = 255;

/**
 * The FRU ID upstream derives from the FRU's own data, ignoring any FRUID the client sent:
 * `<Type>.<Manufacturer>.<PartNumber>.<SerialNumber>` with non-alphanumerics removed and empty
 * parts skipped. It needs a serial number and a manufacturer or part number; otherwise (or
 * when too long) the FRU is untrackable and gets `FRUIDfor<ID>`.
 */
export function fruIdFor(
  type: string,
  id: string,
  info: unknown,
  rule: FruIdRule,
  supplied?: string,
): string {
  if (rule === "supplied") return supplied || `FRUIDfor${id}`;
  const manufacturer = infoField(info, rule.manufacturer);
  const partNumber = rule.partNumber ? infoField(info, "PartNumber") : "";
  const serialNumber = infoField(info, "SerialNumber");
  if ((manufacturer !== "" || partNumber !== "") && serialNumber !== "") {
    const fruId = [type, manufacturer, partNumber, serialNumber].filter((part) => part !== "").join(".");
    if (fruId.length <= MAX_FRU_ID) return fruId;
  }
  return `FRUIDfor${id}`;
}

/** Validates one posted location, with upstream's details, in upstream's order of checks. */
export function toHardwareLocation(input: HardwareInput): HardwareLocation {
  const parsed = typeof input.ID === "string" ? parseXname(input.ID) : undefined;
  if (!parsed) throw errors.badRequest("ID is empty or not a valid xname");
  const fruInput = input.PopulatedFRU as HardwareInput | null | undefined;
  if (!isPresent(fruInput)) throw errors.badRequest("PopulatedFRU must be populated");
  const kind = KIND_OF_TYPE.get(parsed.type);
  if (!kind) throw errors.badRequest("HMSType value not supported for this operation");
  const info = input[`${kind.kind}LocationInfo`];
  if (!isPresent(info)) throw errors.badRequest("Component location info is empty");
  const fru = fruInput as HardwareInput;
  const fruInfo = fru[`${kind.kind}FRUInfo`];
  if (!isPresent(fruInfo)) throw errors.badRequest("FRU info is empty");
  const supplied = typeof fru.FRUID === "string" ? fru.FRUID : undefined;
  return {
    id: parsed.id,
    type: parsed.type,
    ordinal: Number(/\d+$/.exec(parsed.id)?.[0] ?? 0),
    info,
    fru: {
      fruId: fruIdFor(parsed.type, parsed.id, fruInfo, kind.fruId, supplied),
      type: parsed.type,
      subtype: typeof fru.Subtype === "string" ? fru.Subtype : "",
      info: fruInfo,
    },
  };
}

/** Within one request the last entry for a key wins (one row per key in a single upsert). */
export function lastPerKey<T>(items: readonly T[], key: (item: T) => string): T[] {
  return [...new Map(items.map((item) => [key(item), item])).values()];
}

/**
 * The location and every enclosing xname below `s0`, outermost first: a location encloses
 * another exactly when it appears in the other's list (stored, and GIN-indexed, per row).
 */
export function locationAncestors(id: string): string[] {
  const chain = [id];
  for (let parent = xnameParent(id); parent !== undefined && parent !== "s0"; parent = xnameParent(parent)) {
    chain.unshift(parent);
  }
  return chain;
}

/** `<T>` of an HMS type (the type itself for an unsupported one, which no row has). */
function kindName(type: string): string {
  return KIND_OF_TYPE.get(type)?.kind ?? type;
}

export function fruToWire(fru: HardwareFru): Record<string, unknown> {
  const kind = kindName(fru.type);
  return {
    FRUID: fru.fruId,
    Type: fru.type,
    Subtype: fru.subtype,
    HWInventoryByFRUType: `HWInvByFRU${kind}`,
    [`${kind}FRUInfo`]: fru.info,
  };
}

export function locationToWire(location: HardwareLocation): Record<string, unknown> {
  const kind = kindName(location.type);
  return {
    ID: location.id,
    Type: location.type,
    Ordinal: location.ordinal,
    Status: location.fru ? "Populated" : "Empty",
    HWInventoryByLocationType: `HWInvByLoc${kind}`,
    [`${kind}LocationInfo`]: location.info,
    ...(location.fru ? { PopulatedFRU: fruToWire(location.fru) } : {}),
  };
}

/* ---------------------------------------------------------------- filters */

/** Query parameters (lower-cased names, repeated values), as `queryParams()` returns them. */
export type Params = ReadonlyMap<string, readonly string[]>;

/** Filters of GET /Inventory/Hardware and /Inventory/HardwareByFRU; lists OR, keys AND. */
export interface HardwareFilter {
  readonly ids?: readonly string[];
  readonly types?: readonly string[];
  /** Case-insensitive substrings of the FRU's Manufacturer (as upstream). */
  readonly manufacturers?: readonly string[];
  readonly partNumbers?: readonly string[];
  readonly serialNumbers?: readonly string[];
  readonly fruIds?: readonly string[];
  readonly partitions?: readonly string[];
}

/** The values of one parameter, or undefined when it is absent. */
export function values(params: Params, name: string): readonly string[] | undefined {
  const list = params.get(name);
  return list && list.length > 0 ? list : undefined;
}

function parseEach(
  list: readonly string[] | undefined,
  parse: (raw: string) => string | undefined,
  detail: string,
) {
  return list?.map((raw) => parse(raw) ?? fail(detail));
}

/** A 400 with `detail`, usable in expressions (`parse(raw) ?? fail(…)`). */
export function fail(detail: string): never {
  throw errors.badRequest(detail);
}

const parseId = (raw: string) => parseXname(raw)?.id;
const parseType = (raw: string) => parseEnum("Type", raw);
const PARTITION = /^[-a-z0-9:._]+$/;
const parsePartition = (raw: string) => (PARTITION.test(raw.toLowerCase()) ? raw.toLowerCase() : undefined);

function parseTypes(params: Params) {
  return parseEach(values(params, "type"), parseType, "Invalid HMS type");
}

/** The location filters; `id`/`type`/`partition` values are validated (400s as upstream). */
export function hardwareFilter(params: Params): HardwareFilter {
  return {
    ...fruFilter(params),
    ids: parseEach(values(params, "id"), parseId, "Invalid xname"),
    partitions: parseEach(values(params, "partition"), parsePartition, "Invalid partition"),
  };
}

/** The FRU filters (`type` is the FRU's type). */
export function fruFilter(params: Params): HardwareFilter {
  return {
    types: parseTypes(params),
    manufacturers: values(params, "manufacturer"),
    partNumbers: values(params, "partnumber"),
    serialNumbers: values(params, "serialnumber"),
    fruIds: values(params, "fruid"),
  };
}

/* ------------------------------------------------------------ Query/{x} */

export type HardwareFormat = "FullyFlat" | "NestNodesOnly";

/**
 * What `Query/{x}` selects, as the store's SQL reads it:
 * `((ids ∧ within ∧ types), or the subtrees of those rows when expand) ∨ alsoIds`, then
 * restricted to `partitions`. Absent parts do not restrict.
 */
export interface HardwareQueryPlan {
  readonly ids?: readonly string[];
  /** This location and everything it encloses. */
  readonly within?: string;
  readonly types?: readonly string[];
  readonly expand: boolean;
  readonly alsoIds: readonly string[];
  /** Locations enclosed by (or equal to) a member of one of these partitions. */
  readonly partitions?: readonly string[];
}

export interface HardwareQuery {
  readonly xname: string;
  readonly format: HardwareFormat;
  readonly plan: HardwareQueryPlan;
}

const FORMATS: Readonly<Record<string, HardwareFormat>> = {
  fullyflat: "FullyFlat",
  nestnodesonly: "NestNodesOnly",
};

function parseFlag(params: Params, name: string): boolean | undefined {
  const raw = values(params, name)?.[0];
  if (raw === undefined) return undefined;
  return parseBooleanParam(raw) ?? fail(`Invalid boolean for ${name}`);
}

/**
 * `GET /Inventory/Hardware/Query/{x}` with upstream's semantics. `{x}` is a location, `s0`/`all`
 * (everything) or a partition. `children` (default: true unless `parents` is set) adds what `{x}`
 * encloses; with `type` it returns the matching locations *and* what they enclose (`x0c0s0?type=Node`
 * gives the nodes with their processors and memory). `parents` adds the enclosing locations;
 * with `children` too, `type` is ignored. Hierarchical is not implemented (400, as upstream).
 */
export function hardwareQuery(rawXname: string, params: Params): HardwareQuery {
  const parsed = parseXname(rawXname) ?? fail("Invalid xname");
  const types = parseTypes(params);
  const partitions = parseEach(values(params, "partition"), parsePartition, "Invalid partition") ?? [];
  const parents = parseFlag(params, "parents") ?? false;
  const children = parseFlag(params, "children") ?? !parents;
  const rawFormat = values(params, "format")?.[0];
  const format =
    rawFormat === undefined ? "NestNodesOnly" : (FORMATS[rawFormat.toLowerCase()] ?? fail("Invalid format"));

  const whole = parsed.type === "System" || parsed.type === "All" || parsed.type === "Partition";
  if (parsed.type === "Partition") partitions.push(parsed.id);
  const x = whole ? undefined : parsed.id;
  const above = x === undefined ? [] : locationAncestors(x).slice(0, -1);

  let plan: HardwareQueryPlan;
  if (parents && children) plan = { within: x, expand: false, alsoIds: above };
  else if (parents)
    plan = { ids: x === undefined ? undefined : [x, ...above], types, expand: false, alsoIds: [] };
  else if (children || types)
    plan = { within: x, types, expand: children && types !== undefined, alsoIds: [] };
  else plan = { ids: x === undefined ? undefined : [x], expand: false, alsoIds: [] };

  return { xname: parsed.id, format, plan: partitions.length > 0 ? { ...plan, partitions } : plan };
}

type WireLocation = Record<string, unknown>;

/** The nearest enclosing location (not itself) present in `byId`. */
function nearest(id: string, byId: ReadonlyMap<string, WireLocation>): WireLocation | undefined {
  const chain = locationAncestors(id);
  for (let i = chain.length - 2; i >= 0; i--) {
    const found = byId.get(chain[i] as string);
    if (found) return found;
  }
  return undefined;
}

/**
 * The `Query/{x}` answer: `{XName, Format}` and one list per `<T>`, always present. NestNodesOnly
 * moves node subcomponents into lists on their node (Processors, Memory, …) and outlets onto
 * their PDU; those lists are always present on every node and PDU, and a subcomponent whose
 * parent is not in the answer stays in the top-level list.
 */
export function hardwareInventory(
  xname: string,
  format: HardwareFormat,
  locations: readonly HardwareLocation[],
): Record<string, unknown> {
  const lists = new Map<string, WireLocation[]>(KINDS.map((k) => [k.kind, []]));
  const parents = { Node: new Map<string, WireLocation>(), PDU: new Map<string, WireLocation>() };
  const nested: [KindSpec, string, WireLocation][] = [];
  for (const location of locations) {
    const kind = KIND_OF_TYPE.get(location.type);
    if (!kind) continue;
    const wire = locationToWire(location);
    if (format === "NestNodesOnly" && kind.nestUnder) {
      nested.push([kind, location.id, wire]);
      continue;
    }
    if (format === "NestNodesOnly" && (kind.kind === "Node" || kind.kind === "PDU")) {
      for (const child of KINDS) if (child.nestUnder === kind.kind) wire[child.list] = [];
      parents[kind.kind].set(location.id, wire);
    }
    lists.get(kind.kind)?.push(wire);
  }
  for (const [kind, id, wire] of nested) {
    const parent = nearest(id, parents[kind.nestUnder as "Node" | "PDU"]);
    if (parent) (parent[kind.list] as WireLocation[]).push(wire);
    else lists.get(kind.kind)?.push(wire);
  }
  const answer: Record<string, unknown> = { XName: xname, Format: format };
  for (const kind of KINDS) answer[kind.list] = lists.get(kind.kind);
  return answer;
}
