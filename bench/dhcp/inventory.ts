/**
 * The benchmark's inventory: node i (0-based) is `x<1000+i/256>c<(i/32)%8>s<i%32>b0n0`, NID
 * i+1, Enabled, with one interface `02:00:<i as 3 bytes>:01` at 10.100.0.0/16 + i + 1 (10,000
 * nodes end at 10.100.39.16, far below the namespace addresses in 10.100.255.0/24).
 */
import { pool, startServer } from "../lib/server.ts";
import { onCleanup } from "./cleanup.ts";

export interface BenchNode {
  xname: string;
  nid: number;
  mac: string;
  ip: string;
  hostname: string;
}

const hex = (b: number) => b.toString(16).padStart(2, "0");

export function benchNodes(count: number): BenchNode[] {
  return Array.from({ length: count }, (_, i) => {
    const host = i + 1;
    return {
      xname: `x${1000 + Math.floor(i / 256)}c${Math.floor(i / 32) % 8}s${i % 32}b0n0`,
      nid: host,
      mac: [0x02, 0x00, (i >> 16) & 255, (i >> 8) & 255, i & 255, 0x01].map(hex).join(":"),
      ip: `10.100.${host >> 8}.${host & 255}`,
      hostname: `nid${String(host).padStart(4, "0")}`,
    };
  });
}

async function post(url: string, body: unknown): Promise<void> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`POST ${url}: ${response.status} ${await response.text()}`);
}

const COMPONENT_BATCH = 1000;
const INTERFACE_CONCURRENCY = 50;

/**
 * Fills SMD in `dataDir` over HTTP, as an operator would: `openchami serve --only smd`, the
 * components in batches, one POST per interface (SMD takes one interface per request).
 */
export async function seedSmd(dataDir: string, nodes: readonly BenchNode[]): Promise<void> {
  const server = await startServer(["--only", "smd", "--no-auth", "--data-dir", dataDir]);
  let running = true;
  onCleanup(() => running && process.kill(server.pid, "SIGKILL"));
  try {
    const smd = `${server.url}/hsm/v2`;
    for (let start = 0; start < nodes.length; start += COMPONENT_BATCH) {
      const Components = nodes.slice(start, start + COMPONENT_BATCH).map((n) => ({
        ID: n.xname,
        Type: "Node",
        State: "Ready",
        Enabled: true,
        NID: n.nid,
      }));
      await post(`${smd}/State/Components`, { Components });
    }
    await pool(nodes, INTERFACE_CONCURRENCY, (n) =>
      post(`${smd}/Inventory/EthernetInterfaces`, {
        MACAddress: n.mac,
        ComponentID: n.xname,
        IPAddresses: [{ IPAddress: n.ip }],
      }),
    );
  } finally {
    await server.stop();
    running = false;
  }
}
