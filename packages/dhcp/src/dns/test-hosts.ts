import { StaticHostSource } from "../hosts/static.ts";
import type { HostView } from "../hosts/types.ts";
import { buildHostView, type DhcpInventoryData } from "../hosts/view.ts";

/** Test support only: the real inventory view, described host by host for the DNS tests. */

export interface TestHost {
  /** Canonical `aa:bb:cc:dd:ee:ff`. */
  mac: string;
  xname: string;
  type?: string;
  nid?: number;
  enabled?: boolean;
  ipv4?: readonly string[];
}

/** SMD's two collections for these hosts (one component per xname, the first host's fields). */
function inventoryData(hosts: readonly TestHost[]): DhcpInventoryData {
  const components = new Map<string, DhcpInventoryData["components"][number]>();
  for (const { xname, type = "Node", nid, enabled = true } of hosts) {
    if (!components.has(xname)) components.set(xname, { ID: xname, Type: type, Enabled: enabled, NID: nid });
  }
  return {
    components: [...components.values()],
    ethernetInterfaces: hosts.map((host) => ({
      MACAddress: host.mac,
      ComponentID: host.xname,
      IPAddresses: (host.ipv4 ?? []).map((IPAddress) => ({ IPAddress })),
    })),
  };
}

export function testHostView(hosts: readonly TestHost[], version = 1): HostView {
  return buildHostView(inventoryData(hosts), version, Date.now());
}

/** Unloaded until `load()`, which publishes a new view to the listeners. */
export class TestHostSource extends StaticHostSource {
  load(hosts: readonly TestHost[]): void {
    this.update(inventoryData(hosts));
  }
}
