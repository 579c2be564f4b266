/**
 * Request bodies as magellan (`send`) and the ochami CLI (`discover static`) POST them to
 * Inventory/RedfishEndpoints (workflow-cli-auth.md §1.2, §2), for this package's tests.
 */

export interface MagellanOptions {
  /** BMC address as magellan reports it: host and port, without the scheme. */
  host?: string;
  bmcMac?: string;
  nicMacs?: [string, string];
  uuid?: string;
}

/** The ResetTypes magellan reports for the system of `magellanBody`. */
export const MAGELLAN_RESET_TYPES = [
  "On",
  "ForceOff",
  "GracefulShutdown",
  "ForceRestart",
  "Nmi",
  "PushPowerButton",
  "GracefulRestart",
];

/** `magellan collect | magellan send`: 1 Manager + 1 System with 2 NICs, plus fields SMD ignores. */
export function magellanBody(bmc: string, options: MagellanOptions = {}): Record<string, unknown> {
  const host = options.host ?? "172.16.0.104:443";
  const base = `https://${host}/redfish/v1`;
  const [nic1, nic2] = options.nicMacs ?? ["B4:7A:F1:3B:5C:01", "B4:7A:F1:3B:5C:00"];
  const system = (links: Record<string, string[]>) => ({
    uri: `${base}/Systems/1`,
    uuid: options.uuid ?? "30393150-3931-584d-5131-343430334e39",
    manufacturer: "HPE",
    system_type: "Physical",
    name: "Computer System",
    model: "ProLiant DL325 Gen10 Plus v2",
    serial: "MXQ14403N9",
    bios_version: "A43 v2.90 (10/27/2023)",
    ethernet_interfaces: [
      { uri: `${base}/Systems/1/EthernetInterfaces/DE07A001/`, mac: nic1 },
      { uri: `${base}/Systems/1/EthernetInterfaces/DE07A000/`, mac: nic2 },
    ],
    network_interfaces: [{ uri: `${base}/Systems/1/NetworkInterfaces/DE07A000`, name: "NetworkInterface" }],
    actions: [...MAGELLAN_RESET_TYPES],
    power: { state: "On", restore_policy: "" },
    serial_console: { max_concurrent_sessions: 0 },
    processor_count: 1,
    memory_total: 256.5,
    trusted_modules: ["TPM2_0 73.64"],
    links,
  });
  return {
    ID: bmc,
    Type: "",
    Name: "",
    FQDN: host,
    User: "Administrator",
    MACRequired: true,
    RediscoverOnUpdate: false,
    SchemaVersion: 1,
    MACAddr: options.bmcMac ?? "EC:EB:B8:99:4F:A6",
    Managers: [
      {
        uri: `${base}/Managers/1`,
        uuid: "d6d0f8b5-1f70-5c9c-8c0b-ffef1f2d1c33",
        name: "Manager",
        model: "iLO 5",
        type: "BMC",
        firmware_version: "iLO 5 v3.02",
        ethernet_interfaces: [
          {
            uri: `${base}/Managers/1/EthernetInterfaces/1/`,
            mac: options.bmcMac ?? "EC:EB:B8:99:4F:A6",
            ip: host.replace(/:\d+$/, ""),
            name: "Manager Dedicated Network Interface",
            description: "Configuration of this Manager Network Interface",
            enabled: true,
          },
        ],
        serial_console: ["SSH"],
        command_shell: null,
      },
    ],
    // magellan lists a system once per chassis link; the entries share the uuid.
    Systems: [
      system({ chassis: ["/redfish/v1/Chassis/1/"], managers: ["/redfish/v1/Managers/1/"] }),
      system({ managers: ["/redfish/v1/Managers/1/"] }),
    ],
  };
}

/** The BMC of `numberedMagellanBody(i)`: 32 to a cabinet, from x3000. */
export function numberedBmc(i: number): string {
  return `x${3000 + Math.floor(i / 32)}c0s${i % 32}b0`;
}

/** The `i`th (below 65536) of many magellan bodies, each with its own BMC, address, MACs and system. */
export function numberedMagellanBody(i: number): Record<string, unknown> {
  const byte = (n: number) => n.toString(16).padStart(2, "0");
  const mac = (nic: number) => `02:00:00:${byte(nic)}:${byte(i >> 8)}:${byte(i & 255)}`;
  return magellanBody(numberedBmc(i), {
    host: `10.0.${i >> 8}.${i & 255}:443`,
    bmcMac: mac(0),
    nicMacs: [mac(1), mac(2)],
    uuid: `system-${i}`,
  });
}

/** Every Redfish ResetType: ochami lists them all so PCS can power fake-discovered nodes. */
export const ALL_RESET_TYPES = [
  "On",
  "ForceOff",
  "GracefulShutdown",
  "GracefulRestart",
  "ForceRestart",
  "Nmi",
  "ForceOn",
  "PushPowerButton",
  "PowerCycle",
  "Suspend",
  "Pause",
  "Resume",
];

export interface StaticNode {
  xname: string;
  name: string;
  nid: number;
  mac: string;
  ip: string;
}

/**
 * `ochami discover static`'s RedfishEndpoint body for one BMC of nodes.yaml (a "V2" body with
 * client-generated UUIDs; Go marshals nil slices as null).
 */
export function ochamiBody(
  bmc: { xname: string; mac: string; ip: string },
  nodes: readonly StaticNode[],
  cluster = "https://demo.openchami.cluster:8443",
): Record<string, unknown> {
  return {
    ID: bmc.xname,
    Type: "NodeBMC",
    MACAddr: bmc.mac,
    IPAddress: bmc.ip,
    UUID: "0d6c7f4a-7d2b-4b8e-9a57-1f0c7f3f9d10",
    DiscoveryInfo: { LastDiscoveryStatus: "" },
    SchemaVersion: 1,
    Systems: nodes.map((node, i) => ({
      uri: `${cluster}/redfish/v1/Systems/${node.xname}`,
      uuid: `5e7b4c52-0000-4000-8000-00000000000${i}`,
      name: node.name,
      ethernet_interfaces: [
        { name: node.xname, description: `Interface 0 for ${node.name}`, mac: node.mac, ip: node.ip },
      ],
      actions: ALL_RESET_TYPES,
    })),
    Managers: [
      {
        uri: `${cluster}/redfish/v1/Managers/${bmc.xname}`,
        uuid: "0d6c7f4a-7d2b-4b8e-9a57-1f0c7f3f9d10",
        name: bmc.xname,
        ethernet_interfaces: [
          { name: bmc.xname, description: `Interface for BMC ${bmc.xname}`, mac: bmc.mac, ip: bmc.ip },
        ],
        actions: null,
        description: "",
        type: "NodeBMC",
      },
    ],
  };
}
