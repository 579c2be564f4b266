import {
  DEFAULT_FLAG,
  type EnumKind,
  type EnumRegistry,
  errors,
  type HMSType,
  parseXname,
} from "@openchami/core";
import type { ComponentView } from "./component-filter.ts";
import type { ScnEvent } from "./scn.ts";

/** A State/Components row (spec smd.md §3.2); `""` means unset and NID -1 means none. */
export interface Component {
  id: string;
  type: string;
  state: string;
  flag: string;
  enabled: boolean;
  softwareStatus: string;
  role: string;
  subRole: string;
  nid: number;
  subtype: string;
  netType: string;
  arch: string;
  class: string;
  reservationDisabled: boolean;
  locked: boolean;
}

/** The columns each projection returns; `ID` and `Type` always. */
export const VIEW_FIELDS: Readonly<Record<ComponentView, readonly (keyof Component)[]>> = {
  default: [
    "id",
    "type",
    "state",
    "flag",
    "enabled",
    "softwareStatus",
    "role",
    "subRole",
    "nid",
    "subtype",
    "netType",
    "arch",
    "class",
    "reservationDisabled",
    "locked",
  ],
  stateonly: ["id", "type", "state", "flag"],
  flagonly: ["id", "type", "flag"],
  roleonly: ["id", "type", "role", "subRole"],
  nidonly: ["id", "type", "nid"],
};

/** A component as listed: the projection's fields only. */
export type ComponentRecord = Pick<Component, "id" | "type"> & Partial<Component>;

/** The wire object (upstream's Go struct, `omitempty` on everything but ID, Type and Enabled). */
export interface ComponentWire {
  ID: string;
  Type: string;
  State?: string;
  Flag?: string;
  Enabled?: boolean;
  SoftwareStatus?: string;
  Role?: string;
  SubRole?: string;
  NID?: number;
  Subtype?: string;
  NetType?: string;
  Arch?: string;
  Class?: string;
  ReservationDisabled?: boolean;
  Locked?: boolean;
}

/**
 * Omits `""`, `false` and NID -1 (none); `Enabled` is present whenever the projection has it
 * (the default view). Keys in upstream's order.
 */
export function componentToWire(c: ComponentRecord): ComponentWire {
  const wire: ComponentWire = { ID: c.id, Type: c.type };
  if (c.state) wire.State = c.state;
  if (c.flag) wire.Flag = c.flag;
  if (c.enabled !== undefined) wire.Enabled = c.enabled;
  if (c.softwareStatus) wire.SoftwareStatus = c.softwareStatus;
  if (c.role) wire.Role = c.role;
  if (c.subRole) wire.SubRole = c.subRole;
  if (c.nid !== undefined && c.nid >= 0) wire.NID = c.nid;
  if (c.subtype) wire.Subtype = c.subtype;
  if (c.netType) wire.NetType = c.netType;
  if (c.arch) wire.Arch = c.arch;
  if (c.class) wire.Class = c.class;
  if (c.reservationDisabled) wire.ReservationDisabled = true;
  if (c.locked) wire.Locked = true;
  return wire;
}

/**
 * A component as POST/PUT send it (keys already canonicalised by the Go-compatible decoder):
 * the wire fields a client may set, any of them missing. Type comes from the ID.
 */
export type ComponentInput = Partial<Omit<ComponentWire, "Type" | "ReservationDisabled" | "Locked">>;

/**
 * A validated upsert: a component without the lock columns (the locks API's), its NID
 * undefined when not given, to be filled from defaults (§5.1).
 */
export type NewComponent = Omit<Component, "type" | "nid" | "reservationDisabled" | "locked"> & {
  type: HMSType;
  nid: number | undefined;
};

/** Upstream's error texts name the JSON field in lower camel case (`subRole '…' is invalid`). */
function optionalEnum(
  enums: EnumRegistry,
  kind: EnumKind,
  field: string,
  value: string | undefined,
): string | { error: string } {
  if (value === undefined || value === "") return "";
  return enums.parse(kind, value) ?? { error: `${field} '${value}' is invalid` };
}

/**
 * Validates and normalises one component for POST/PUT. Returns upstream's reason text (to
 * follow `couldn't validate component(s): `) instead of throwing, so callers pick the prefix.
 */
export function validateComponent(
  input: ComponentInput,
  enums: EnumRegistry,
): NewComponent | { error: string } {
  const parsed = parseXname(input.ID ?? "");
  if (!parsed) return { error: `xname ID '${input.ID ?? ""}' is invalid` };
  const state = enums.parse("State", input.State ?? "");
  if (!state) return { error: `state '${input.State ?? ""}' is invalid` };
  const flag = input.Flag ? enums.parse("Flag", input.Flag) : DEFAULT_FLAG;
  if (!flag) return { error: `flag '${input.Flag}' is invalid` };
  const fields = {
    role: optionalEnum(enums, "Role", "role", input.Role),
    subRole: optionalEnum(enums, "SubRole", "subRole", input.SubRole),
    netType: optionalEnum(enums, "NetType", "netType", input.NetType),
    arch: optionalEnum(enums, "Arch", "arch", input.Arch),
    class: optionalEnum(enums, "Class", "class", input.Class),
  };
  for (const value of Object.values(fields)) if (typeof value !== "string") return value;
  const { role, subRole, netType, arch, class: klass } = fields as Record<keyof typeof fields, string>;
  return {
    id: parsed.id,
    type: parsed.type,
    state,
    flag,
    enabled: input.Enabled ?? true,
    softwareStatus: input.SoftwareStatus ?? "",
    role,
    subRole,
    nid: input.NID === undefined ? undefined : Math.max(input.NID, -1),
    subtype: input.Subtype ?? "",
    netType,
    arch,
    class: klass,
  };
}

/** Within one request the first occurrence of an ID wins (§5.1). */
export function firstPerId<T extends { id: string }>(items: readonly T[]): T[] {
  const seen = new Map<string, T>();
  for (const item of items) if (!seen.has(item.id)) seen.set(item.id, item);
  return [...seen.values()];
}

/** A component as an upsert stores it: defaults applied. */
export type ResolvedComponent = NewComponent & { nid: number };

/** What a NodeMap contributes to a node's defaults. */
export interface NodeDefaults {
  nid: number;
  role: string;
  subRole: string;
}

export function isNodeType(type: string): boolean {
  return type === "Node" || type === "VirtualNode";
}

/** Nodes missing a Role or NID take them from defaults; only they need a NodeMap lookup. */
export function needsNodeDefaults(c: NewComponent): boolean {
  return isNodeType(c.type) && (c.role === "" || c.nid === undefined || c.class === "");
}

const NODE_NUMBERS = /^x(\d+)c(\d+)s(\d+)b(\d+)n(\d+)(?:v(\d+))?$/;

/**
 * Upstream's NID when nothing else gives one: `(cab+1)*16384 + chassis*2048 + slot*32 +
 * bmc*4 + node`, a VirtualNode using its `vN` as the node number.
 */
export function formulaNid(id: string): number {
  const m = NODE_NUMBERS.exec(id);
  if (!m) return -1;
  const [cab, chassis, slot, bmc, node, virtual] = m
    .slice(1)
    .map((n) => (n === undefined ? undefined : Number(n)));
  return (cab! + 1) * 16384 + chassis! * 2048 + slot! * 32 + bmc! * 4 + (virtual ?? node!);
}

/**
 * §5.1 defaults for a Node/VirtualNode missing a Role, NID or Class: each missing field from
 * the NodeMap, else (NID) the formula, else (Role) `Compute`. Other types get NID -1 if unset.
 */
export function withDefaults(c: NewComponent, map: NodeDefaults | undefined): ResolvedComponent {
  if (!needsNodeDefaults(c)) return { ...c, nid: c.nid ?? -1 };
  return {
    ...c,
    nid: c.nid ?? map?.nid ?? formulaNid(c.id),
    role: c.role || map?.role || "Compute",
    subRole: c.subRole || (map?.subRole ?? ""),
  };
}

/** A StateData change (§5.2), as the store applies it. */
export interface StateChange {
  state: string;
  flag: string;
  /** The states a component may be in to change; undefined = any (forced). */
  from: readonly string[] | undefined;
}

const START_STATES: Readonly<Record<string, readonly string[]>> = {
  Unknown: [],
  Empty: [],
  Populated: [],
  Off: ["Off", "On", "Standby", "Halt", "Ready"],
  On: ["On", "Off", "Standby", "Halt"],
  Standby: ["Standby", "Ready"],
  Halt: ["Halt", "Ready"],
  Ready: ["Ready", "On", "Off", "Standby", "Halt"],
};

/**
 * The transition table of §5.2. `Ready`+`Warning` only touches components already Ready,
 * forced or not; Unknown/Empty/Populated need Force.
 */
export function stateChange(
  enums: EnumRegistry,
  rawState: string,
  rawFlag: string | undefined,
  force: boolean,
): StateChange {
  const state = enums.parse("State", rawState);
  if (!state) throw errors.badRequest("Argument was not a valid HMS State");
  const flag = rawFlag ? enums.parse("Flag", rawFlag) : DEFAULT_FLAG;
  if (!flag) throw errors.badRequest("Argument was not a valid HMS Flag");
  if (state === "Ready" && flag === "Warning") return { state, flag, from: ["Ready"] };
  if (force) return { state, flag, from: undefined };
  const from = START_STATES[state]!;
  if (from.length === 0) throw errors.badRequest("operation not allowed and not forced.");
  return { state, flag, from };
}

/** What an upsert wrote, for state change notifications. */
export interface UpsertResult {
  /** Every id written: created, or changed by a forced upsert (the change feed's ids). */
  written: readonly string[];
  created: readonly ResolvedComponent[];
  /** Existing components a forced upsert moved to another State. */
  restated: readonly Pick<Component, "id" | "state">[];
}

/** One event per distinct value, as upstream groups them. */
function perValue(
  entries: readonly [value: string, id: string][],
  fields: (value: string) => Omit<ScnEvent, "Components">,
) {
  const ids = new Map<string, string[]>();
  for (const [value, id] of entries) ids.set(value, [...(ids.get(value) ?? []), id]);
  return [...ids].map(([value, Components]): ScnEvent => ({ Components, ...fields(value) }));
}

/**
 * The notifications of an upsert (§5.6): new components announce their State, Enabled,
 * SoftwareStatus (when set) and Role/SubRole (when set); forced ones a changed State.
 */
export function upsertNotifications({ created, restated }: UpsertResult): ScnEvent[] {
  const withRole = created.filter((c) => c.role !== "");
  return [
    ...perValue(
      [...created, ...restated].map((c) => [c.state, c.id]),
      (State) => ({ State }),
    ),
    ...perValue(
      created.map((c) => [String(c.enabled), c.id]),
      (enabled) => ({ Enabled: enabled === "true" }),
    ),
    ...perValue(
      created.filter((c) => c.softwareStatus !== "").map((c) => [c.softwareStatus, c.id]),
      (SoftwareStatus) => ({ SoftwareStatus }),
    ),
    ...perValue(
      withRole.map((c) => [JSON.stringify([c.role, c.subRole]), c.id]),
      (key) => {
        const [Role, SubRole] = JSON.parse(key) as [string, string];
        return SubRole ? { Role, SubRole } : { Role };
      },
    ),
  ];
}
