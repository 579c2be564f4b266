import { type EnumRegistry, errors, macToInterfaceId, normalizeMac, parseXname } from "@openchami/core";
import type { FilterParams } from "./component-filter.ts";

/** One IP of an EthernetInterface; `Network` is omitted when empty. */
export interface IpMapping {
  IPAddress: string;
  Network?: string;
}

/** A validated EthernetInterface (smd.md §3.7): ID = the canonical MAC without colons. */
export interface NewInterface {
  id: string;
  macAddress: string;
  description: string;
  /** `""` (and Type `""`) when the interface belongs to no component. */
  componentId: string;
  type: string;
  ipAddresses: IpMapping[];
}

export interface EthernetInterface extends NewInterface {
  /** RFC 3339, UTC. */
  lastUpdate: string;
}

export interface IpMappingInput {
  IPAddress?: string | null;
  Network?: string | null;
}

/** A POST body (keys canonicalised by the Go decoder; null = absent). */
export interface InterfaceInput {
  MACAddress?: string | null;
  Description?: string | null;
  ComponentID?: string | null;
  IPAddresses?: IpMappingInput[] | null;
}

export interface InterfacePatch {
  description?: string;
  component?: { id: string; type: string };
  ipAddresses?: IpMapping[];
}

export const NO_SUCH_INTERFACE = "no such component ethernet interface.";

export function noSuchInterface(id: string): Error {
  return errors.notFound(`No such component ethernet interface: ${id}`);
}

/** An IP mapping; the IP must not be empty (upstream checks nothing more). */
export function validateIpMapping(input: IpMappingInput): IpMapping {
  if (!input.IPAddress) throw errors.badRequest("Invalid CompEthInterface IP Address");
  return input.Network
    ? { IPAddress: input.IPAddress, Network: input.Network }
    : { IPAddress: input.IPAddress };
}

function validateComponent(raw: string): { id: string; type: string } {
  if (raw === "") return { id: "", type: "" };
  const parsed = parseXname(raw);
  if (!parsed) throw errors.badRequest("Invalid CompEthInterface component ID");
  return parsed;
}

/** The interface of canonical MAC `mac` (its ID derives from it), on `component` or on none. */
export function newInterface(
  mac: string,
  description: string,
  component: { id: string; type: string },
  ipAddresses: IpMapping[],
): NewInterface {
  return {
    id: macToInterfaceId(mac),
    macAddress: mac,
    description,
    componentId: component.id,
    type: component.type,
    ipAddresses,
  };
}

export function validateInterface(input: InterfaceInput): NewInterface {
  const mac = normalizeMac(input.MACAddress ?? "");
  if (mac === undefined) throw errors.badRequest("Invalid CompEthInterface MAC Address");
  const component = validateComponent(input.ComponentID ?? "");
  return newInterface(
    mac,
    input.Description ?? "",
    component,
    (input.IPAddresses ?? []).map(validateIpMapping),
  );
}

/** A PATCH body: at least one of Description, ComponentID and IPAddresses. */
export function validateInterfacePatch(input: InterfaceInput): InterfacePatch {
  const patch: InterfacePatch = {};
  if (input.Description != null) patch.description = input.Description;
  if (input.ComponentID != null) {
    // Upstream refuses an empty ComponentID here, unlike on POST.
    if (input.ComponentID === "") throw errors.badRequest("Invalid CompEthInterface component ID");
    patch.component = validateComponent(input.ComponentID);
  }
  if (input.IPAddresses != null) patch.ipAddresses = input.IPAddresses.map(validateIpMapping);
  if (Object.keys(patch).length === 0) throw errors.badRequest("Request must have at least one patch field.");
  return patch;
}

/** The `{id}` path segment: IDs are lower-case MAC digits. */
export function interfaceIdParam(raw: string): string {
  return raw.toLowerCase();
}

export function interfaceToWire(i: EthernetInterface): Record<string, unknown> {
  return {
    ID: i.id,
    Description: i.description,
    MACAddress: i.macAddress,
    LastUpdate: i.lastUpdate,
    ComponentID: i.componentId,
    Type: i.type,
    IPAddresses: i.ipAddresses,
  };
}

/** GET filters (§3.7): values of one key OR, keys AND; no `!` negation here, as upstream. */
export interface InterfaceFilter {
  ids?: string[];
  macAddresses?: string[];
  /** `""` selects interfaces without IPs. */
  ipAddresses?: string[];
  /** `""` selects interfaces with an IP without a network, or without IPs. */
  networks?: string[];
  /** `""` selects interfaces that belong to no component. */
  componentIds?: string[];
  types?: string[];
  olderThan?: string;
  newerThan?: string;
}

/** RFC 3339 (Go's time.RFC3339 layout, which also reads fractional seconds). */
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

function timestamp(values: readonly string[] | undefined): string | undefined {
  const value = values?.[0];
  if (value === undefined) return undefined;
  if (!RFC3339.test(value) || Number.isNaN(Date.parse(value))) {
    throw errors.badQueryParam("Argument was not in a valid RFC3339 time format");
  }
  return value;
}

/** Each value of `name` through `parse`; undefined when the parameter is absent. */
function each(
  params: FilterParams,
  name: string,
  parse: (value: string) => string = (value) => value,
): string[] | undefined {
  const values = params.get(name);
  return values && values.length > 0 ? values.map(parse) : undefined;
}

function required(value: string, detail: string): string {
  if (value === "") throw errors.badRequest(detail);
  return value;
}

export function parseInterfaceFilter(params: FilterParams, enums: EnumRegistry): InterfaceFilter {
  return {
    ids: each(params, "id", (v) => required(v, "Invalid component ethernet interface ID.").toLowerCase()),
    macAddresses: each(params, "macaddress", (v) => {
      required(v, "Invalid component ethernet interface MAC address.");
      return normalizeMac(v) ?? v.toLowerCase();
    }),
    ipAddresses: each(params, "ipaddress"),
    networks: each(params, "network"),
    componentIds: each(params, "componentid", (v) => {
      if (v === "") return "";
      const parsed = parseXname(v);
      if (!parsed) throw errors.badRequest("Invalid CompID.");
      return parsed.id;
    }),
    types: each(params, "type", (v) => {
      const type = enums.parse("Type", v);
      if (type === undefined) throw errors.badRequest("Invalid HMS type.");
      return type;
    }),
    olderThan: timestamp(params.get("olderthan")),
    newerThan: timestamp(params.get("newerthan")),
  };
}
