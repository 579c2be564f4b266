import { type EnumRegistry, errors, normalizeMac, parseXname } from "@openchami/core";
import type { ComponentEndpoint } from "./component-endpoint.ts";
import { type NewInterface, newInterface } from "./ethernet-interface.ts";
import type { RedfishEndpoint } from "./redfish-endpoint.ts";

/**
 * RedfishEndpoint body ingestion (smd.md §5.4): what a POST or PUT body besides the endpoint
 * itself creates. Pure: the store writes the plan in the endpoint's transaction and assigns
 * NIDs (D2).
 */

export interface NicInput {
  uri?: string | null;
  mac?: string | null;
  ip?: string | null;
  name?: string | null;
  description?: string | null;
  enabled?: boolean | null;
}

/** A V2 (magellan) system; the legacy path instead carries raw Redfish under `Data`. */
export interface SystemInput {
  uri?: string | null;
  uuid?: string | null;
  name?: string | null;
  system_type?: string | null;
  ethernet_interfaces?: NicInput[] | null;
  power?: { power_control_ids?: string[] | null } | null;
  links?: { chassis?: string[] | null } | null;
  actions?: string[] | null;
  Data?: Record<string, unknown> | null;
  EthernetInterfaces?: LegacyNicInput[] | null;
}

export interface LegacyNicInput {
  Id?: string | null;
  "@odata.id"?: string | null;
  Description?: string | null;
  MACAddress?: string | null;
  InterfaceEnabled?: boolean | null;
}

export interface ManagerInput {
  uri?: string | null;
  name?: string | null;
  ethernet_interfaces?: NicInput[] | null;
  actions?: string[] | null;
  command_shell?: string[] | null;
}

export interface OutletInput {
  original_id?: string | null;
  id_suffix?: string | null;
  name?: string | null;
  state?: string | null;
  socket_type?: string | null;
}

export interface IngestionInput {
  SchemaVersion?: number | null;
  Systems?: SystemInput[] | null;
  Managers?: ManagerInput[] | null;
  PDUInventory?: { Outlets?: OutletInput[] | null } | null;
}

/** A component ingestion writes; existing ones keep all but a non-empty State and Flag. */
export interface IngestedComponent {
  id: string;
  type: string;
  state: string;
  flag: string;
  enabled: boolean;
}

export interface IngestionPlan {
  components: IngestedComponent[];
  componentEndpoints: ComponentEndpoint[];
  /** One per MAC (first wins): each interface is inserted once (D2). */
  interfaces: NewInterface[];
}

const EMPTY_PLAN: IngestionPlan = { components: [], componentEndpoints: [], interfaces: [] };

/** Routes a single-object body to PDU, V2 or legacy ingestion. */
export function planIngestion(
  endpoint: RedfishEndpoint,
  body: IngestionInput,
  enums: EnumRegistry,
): IngestionPlan {
  if (body.PDUInventory != null) return planPdu(endpoint, body.PDUInventory.Outlets ?? [], enums);
  if ((body.SchemaVersion ?? 0) > 0) return planV2(endpoint, body);
  return planLegacy(endpoint, body.Systems ?? []);
}

/** URIs are reduced to their path (`https://10.0.0.1/redfish/v1/Systems/1` → `/redfish/v1/Systems/1`). */
export function uriPath(uri: string | null | undefined): string {
  if (!uri) return "";
  if (!uri.startsWith("http")) return uri;
  try {
    return new URL(uri).pathname;
  } catch {
    return uri;
  }
}

/** Canonical when it is a MAC (so DHCP matches it), else lower-cased as upstream (D2). */
function ingestedMac(raw: string): string {
  return normalizeMac(raw) ?? raw.toLowerCase();
}

/** A component id ingestion derives; it must be a valid xname, since Type comes from the ID. */
function derivedComponent(id: string): { id: string; type: string } {
  const parsed = parseXname(id);
  if (!parsed)
    throw errors.badRequest(`couldn't validate endpoint data: ${id} is not a valid locational xname ID`);
  return parsed;
}

function resetAction(path: string, action: string, allowed: string[] | null | undefined) {
  return {
    [`#${action}.Reset`]: {
      "ResetType@Redfish.AllowableValues": allowed ?? [],
      "@Redfish.ActionInfo": `${path}/ResetActionInfo`,
      target: `${path}/Actions/${action}.Reset`,
    },
  };
}

function nicInfo(nic: NicInput, interfaceEnabled: boolean): Record<string, unknown> {
  const path = uriPath(nic.uri);
  const mac = nic.mac ? ingestedMac(nic.mac) : "";
  return {
    RedfishId: path,
    "@odata.id": path,
    ...(nic.description ? { Description: nic.description } : {}),
    ...(nic.name ? { Hostname: nic.name } : {}),
    InterfaceEnabled: interfaceEnabled,
    MACAddress: mac,
    ...(mac ? { PermanentMACAddress: mac } : {}),
  };
}

/** A NIC without a MAC gets no interface; one without an IP gets `IPAddresses: []` (D2). */
function nicInterface(nic: NicInput, component: { id: string; type: string }): NewInterface | undefined {
  if (!nic.mac) return undefined;
  const ipAddresses = nic.ip ? [{ IPAddress: nic.ip }] : [];
  return newInterface(ingestedMac(nic.mac), nic.description ?? "", component, ipAddresses);
}

function baseEndpoint(endpoint: RedfishEndpoint, component: { id: string; type: string }) {
  return {
    id: component.id,
    type: component.type,
    domain: "",
    fqdn: "",
    redfishSubtype: "",
    macAddr: "",
    uuid: "",
    redfishEndpointId: endpoint.id,
  };
}

/** Go's `path.Join(path.Dir(chassis), "Power")`: the parent of the link's last element. */
function powerUrl(chassisPath: string): string {
  const slash = chassisPath.lastIndexOf("/");
  if (slash < 0) return "Power";
  return `${chassisPath.slice(0, slash).replace(/\/+/g, "/").replace(/\/$/, "")}/Power`;
}

/** `PowerURL` and one `PowerControl` per power control id, when the system links a chassis. */
function powerInfo(system: SystemInput, systemPath: string) {
  const chassis = system.links?.chassis?.[0];
  if (!chassis) return { PowerURL: "", PowerControl: [] };
  const chassisPath = uriPath(chassis);
  return {
    PowerURL: powerUrl(chassisPath),
    PowerControl: (system.power?.power_control_ids ?? []).map((controlId) => ({
      "@odata.id": controlId,
      MemberId: controlId.slice(controlId.lastIndexOf("/") + 1),
      Name: "System Power Control",
      RelatedItem: [{ "@odata.id": systemPath }, { "@odata.id": chassisPath }],
    })),
  };
}

function hasPowerControls(system: SystemInput): boolean {
  return (system.power?.power_control_ids?.length ?? 0) > 0;
}

/**
 * V2: per Manager the BMC component, a Manager ComponentEndpoint and its NICs' interfaces;
 * per distinct system uuid, in body order, a Node `<bmc>n<k>` with a ComputerSystem
 * ComponentEndpoint and interfaces. A system without power control ids takes its data from
 * a same-uuid entry that has them, as magellan splits them.
 */
function planV2(endpoint: RedfishEndpoint, body: IngestionInput): IngestionPlan {
  const plan = new PlanBuilder();
  const bmc = derivedComponent(endpoint.id);
  const managers = body.Managers ?? [];
  if (managers.length > 0) plan.component({ ...bmc, state: "", flag: "", enabled: true });
  for (const manager of managers) {
    const path = uriPath(manager.uri);
    const nics = manager.ethernet_interfaces ?? [];
    plan.endpoint({
      ...baseEndpoint(endpoint, bmc),
      redfishType: "Manager",
      odataId: path,
      enabled: true,
      redfishUrl: endpoint.fqdn + path,
      componentEndpointType: "ComponentEndpointManager",
      info: {
        RedfishManagerInfo: {
          Name: manager.name ?? "",
          Actions: resetAction(path, "Manager", manager.actions),
          EthernetNICInfo: nics.map((nic) => nicInfo(nic, nic.enabled === true)),
          ...(manager.command_shell?.length
            ? {
                CommandShell: {
                  ServiceEnabled: true,
                  MaxConcurrentSessions: 65536,
                  ConnectTypesSupported: manager.command_shell,
                },
              }
            : {}),
        },
      },
    });
    for (const nic of nics) plan.interface(nicInterface(nic, bmc));
  }

  const systems = body.Systems ?? [];
  const seen = new Set<string>();
  for (const listed of systems) {
    const uuid = listed.uuid ?? "";
    if (seen.has(uuid)) continue;
    seen.add(uuid);
    const system = hasPowerControls(listed)
      ? listed
      : (systems.find((s) => (s.uuid ?? "") === uuid && hasPowerControls(s)) ?? listed);
    const node = derivedComponent(`${endpoint.id}n${seen.size - 1}`);
    const path = uriPath(system.uri);
    const nics = system.ethernet_interfaces ?? [];
    plan.component({ ...node, state: "On", flag: "", enabled: true });
    plan.endpoint({
      ...baseEndpoint(endpoint, node),
      redfishType: "ComputerSystem",
      redfishSubtype: system.system_type ?? "",
      uuid,
      odataId: path,
      enabled: true,
      redfishUrl: path,
      componentEndpointType: "ComponentEndpointComputerSystem",
      info: {
        RedfishSystemInfo: {
          Name: system.name ?? "",
          Actions: resetAction(path, "ComputerSystem", system.actions),
          EthernetNICInfo: nics.map((nic) => nicInfo(nic, true)),
          ...powerInfo(system, path),
        },
      },
    });
    for (const nic of nics) plan.interface(nicInterface(nic, node));
  }
  return plan.build();
}

/**
 * PDU (JAWS) inventory: the controller, a Manager ComponentEndpoint at `/jaws`, and per
 * outlet a power connector `<ID><id_suffix>` with an Outlet ComponentEndpoint.
 */
function planPdu(endpoint: RedfishEndpoint, outlets: OutletInput[], enums: EnumRegistry): IngestionPlan {
  if (outlets.length === 0) return EMPTY_PLAN;
  const plan = new PlanBuilder();
  const controller = derivedComponent(endpoint.id);
  plan.component({ ...controller, state: "On", flag: "", enabled: endpoint.enabled });
  plan.endpoint({
    ...baseEndpoint(endpoint, controller),
    redfishType: "Manager",
    odataId: "/jaws",
    enabled: endpoint.enabled,
    redfishUrl: `${endpoint.fqdn}/jaws`,
    componentEndpointType: "ComponentEndpointManager",
    info: { RedfishManagerInfo: { Name: "JAWS" } },
  });
  for (const outlet of outlets) {
    const connector = derivedComponent(endpoint.id + (outlet.id_suffix ?? ""));
    const state = enums.parse("State", outlet.state ?? "") ?? "";
    const monitor = `/jaws/monitor/outlets/${outlet.original_id ?? ""}`;
    plan.component({ ...connector, state, flag: "", enabled: state === "On" });
    plan.endpoint({
      ...baseEndpoint(endpoint, connector),
      redfishType: "Outlet",
      redfishSubtype: outlet.socket_type ?? "",
      odataId: monitor,
      enabled: state === "On",
      redfishUrl: endpoint.fqdn + monitor,
      componentEndpointType: "ComponentEndpointOutlet",
      info: {
        RedfishOutletInfo: {
          Name: outlet.name ?? "",
          Actions: {
            "#Outlet.PowerControl": {
              "PowerState@Redfish.AllowableValues": ["On", "Off"],
              target: `/jaws/control/outlets/${outlet.original_id ?? ""}`,
            },
          },
        },
      },
    });
  }
  return plan.build();
}

function text(value: unknown): string {
  return typeof value === "string" ? value : "";
}

/** Legacy: raw Redfish under `Systems[].Data` makes the endpoint's own ID a system. */
function planLegacy(endpoint: RedfishEndpoint, systems: SystemInput[]): IngestionPlan {
  const plan = new PlanBuilder();
  for (const system of systems) {
    const data = system.Data;
    if (data == null) continue;
    const component = derivedComponent(endpoint.id);
    const status = data.Status as { State?: unknown } | null | undefined;
    const enabled = status?.State === "Enabled";
    plan.component({ ...component, state: "", flag: "", enabled });
    plan.endpoint({
      ...baseEndpoint(endpoint, component),
      redfishType: "ComputerSystem",
      redfishSubtype: text(data.SystemType),
      uuid: text(data.UUID),
      odataId: text(data["@odata.id"]),
      enabled,
      redfishUrl: text(data["@odata.id"]),
      componentEndpointType: "ComponentEndpointComputerSystem",
      info: {
        RedfishSystemInfo: {
          EthernetNICInfo: (system.EthernetInterfaces ?? []).map((nic) => ({
            RedfishId: nic.Id ?? "",
            "@odata.id": nic["@odata.id"] ?? "",
            ...(nic.Description ? { Description: nic.Description } : {}),
            InterfaceEnabled: nic.InterfaceEnabled === true,
            MACAddress: ingestedMac(nic.MACAddress ?? ""),
          })),
        },
      },
    });
  }
  return plan.build();
}

/** Collects a plan, one entry per id: components and endpoints last wins, interfaces first wins. */
class PlanBuilder {
  readonly #components = new Map<string, IngestedComponent>();
  readonly #endpoints = new Map<string, ComponentEndpoint>();
  readonly #interfaces = new Map<string, NewInterface>();

  component(c: IngestedComponent): void {
    this.#components.set(c.id, c);
  }

  endpoint(e: ComponentEndpoint): void {
    this.#endpoints.set(e.id, e);
  }

  interface(i: NewInterface | undefined): void {
    if (i && !this.#interfaces.has(i.id)) this.#interfaces.set(i.id, i);
  }

  build(): IngestionPlan {
    return {
      components: [...this.#components.values()],
      componentEndpoints: [...this.#endpoints.values()],
      interfaces: [...this.#interfaces.values()],
    };
  }
}
