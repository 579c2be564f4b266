import type { DhcpComponent, DhcpHost, HostSource, HostView } from "../hosts/types.ts";
import { parseIpv4 } from "../ip.ts";

/**
 * Test support only: a HostView and HostSource from plain data, with just what the DNS tests
 * need (the real view is built in hosts/).
 */

export interface TestHost {
  /** Canonical `aa:bb:cc:dd:ee:ff`. */
  mac: string;
  xname: string;
  type?: string;
  nid?: number;
  enabled?: boolean;
  ipv4?: readonly string[];
}

export function testHostView(hosts: readonly TestHost[], version = 1): HostView {
  const components = new Map<string, DhcpComponent>();
  const all: DhcpHost[] = hosts.map((host) => {
    let component = components.get(host.xname);
    if (!component) {
      const { xname, type = "Node", nid, enabled = true } = host;
      component = { xname, type, nid, enabled };
      components.set(xname, component);
    }
    const ipv4 = (host.ipv4 ?? []).map((ip) => parseIpv4(ip) ?? Number.NaN);
    return { mac: host.mac, component, ipv4, ipv6: [] };
  });
  all.sort((a, b) => (a.mac < b.mac ? -1 : a.mac > b.mac ? 1 : 0));
  return {
    version,
    loadedAt: Date.now(),
    byMac: (mac) => all.find((host) => host.mac === mac),
    byXname: (xname) => components.get(xname),
    byIpv4: (ip) => all.find((host) => host.ipv4.includes(ip)),
    nameNid(component) {
      if (component.nid !== undefined || component.type !== "NodeBMC") return component.nid;
      const nids = [...components.values()]
        .filter((c) => c.type === "Node" && c.nid !== undefined && c.xname.startsWith(`${component.xname}n`))
        .map((c) => c.nid!);
      return nids.length > 0 ? Math.min(...nids) : undefined;
    },
    hosts: () => all,
    isSmdIpv4: (ip) => all.some((host) => host.ipv4.includes(ip)),
  };
}

/** Unloaded until `load()`, which publishes a new view to the listeners. */
export class TestHostSource implements HostSource {
  loaded = false;
  #view = testHostView([], 0);
  readonly #listeners = new Set<(view: HostView) => void>();

  load(hosts: readonly TestHost[]): void {
    this.#view = testHostView(hosts, this.#view.version + 1);
    this.loaded = true;
    for (const listener of this.#listeners) listener(this.#view);
  }

  async start(): Promise<void> {}

  current(): HostView {
    return this.#view;
  }

  onChange(listener: (view: HostView) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async close(): Promise<void> {}
}
