import { loadavg } from "node:os";
import { parseArgs } from "node:util";
import autocannon from "autocannon";
import { machineFacts, onEachBackend, pool, startServer } from "../lib/server.ts";

const { values } = parseArgs({
  options: {
    postgres: { type: "boolean", default: false },
    pglite: { type: "boolean", default: false },
    nodes: { type: "string", default: "10000" },
    duration: { type: "string", default: "30" },
    connections: { type: "string", default: "100" },
  },
});
const NODES = Number(values.nodes);
const DURATION = Number(values.duration);
const CONNECTIONS = Number(values.connections);

// The launcher's children inherit this environment: the load generator is the trusted proxy.
process.env.TRUSTED_PROXIES = "127.0.0.1/32";

/** Node i: x<1000+i/256>c<(i/32)%8>s<i%32>b0n0, NID i+1, one MAC, IP 10.100.<i/250>.<i%250+1>. */
const nodeId = (i: number) => `x${1000 + Math.floor(i / 256)}c${Math.floor(i / 32) % 8}s${i % 32}b0n0`;
const mac = (i: number) =>
  [0x02, 0x00, (i >> 16) & 255, (i >> 8) & 255, i & 255, 0x01]
    .map((b) => b.toString(16).padStart(2, "0"))
    .join(":");
const ip = (i: number) => `10.100.${Math.floor(i / 250)}.${(i % 250) + 1}`;
const indexes = () => Array.from({ length: NODES }, (_, i) => i);
/** Spec §8's data: 20 groups with meta-data, each node in 3 of them. */
const GROUPS = 20;
const GROUPS_PER_NODE = 3;
const groupName = (g: number) => `g${String(g).padStart(2, "0")}`;
const groupsOf = (i: number) => [i % GROUPS, (i + 7) % GROUPS, (i + 13) % GROUPS];

async function request(url: string, method: string, body?: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(url, {
    method,
    headers: body === undefined ? headers : { ...headers, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, text };
}

async function ok(url: string, method: string, body?: unknown): Promise<string> {
  const { status, text } = await request(url, method, body);
  if (status >= 300) throw new Error(`${method} ${url}: ${status} ${text}`);
  return text;
}

async function timed(label: string, fn: () => Promise<unknown>): Promise<void> {
  const started = performance.now();
  await fn();
  console.log(`  ${label}: ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

async function seedSmd(url: string): Promise<void> {
  const smd = `${url}/hsm/v2`;
  const components = indexes().map((i) => ({
    ID: nodeId(i),
    Type: "Node",
    State: "Ready",
    Enabled: true,
    Role: "Compute",
    NID: i + 1,
    Arch: "X86",
  }));
  await timed(`SMD: POST /State/Components (${NODES} in one request)`, () =>
    ok(`${smd}/State/Components`, "POST", { Components: components }),
  );
  await timed(`SMD: POST /Inventory/EthernetInterfaces (${NODES}, 50 concurrent)`, () =>
    pool(indexes(), 50, async (i) => {
      await ok(`${smd}/Inventory/EthernetInterfaces`, "POST", {
        MACAddress: mac(i),
        ComponentID: nodeId(i),
        IPAddresses: [{ IPAddress: ip(i) }],
      });
    }),
  );
  await timed(`SMD: POST /groups (${GROUPS} groups, ${GROUPS_PER_NODE} per node)`, async () => {
    for (let g = 0; g < GROUPS; g++) {
      const ids = indexes()
        .filter((i) => groupsOf(i).includes(g))
        .map(nodeId);
      await ok(`${smd}/groups`, "POST", { label: groupName(g), members: { ids } });
    }
  });
}

async function seedCloudInit(url: string): Promise<void> {
  const admin = `${url}/cloud-init/admin`;
  await ok(`${admin}/cluster-defaults`, "POST", { "short-name": "nid", "base-url": `${url}/cloud-init` });
  for (let g = 0; g < GROUPS; g++) {
    await ok(`${admin}/groups`, "POST", {
      name: groupName(g),
      description: `group ${g}`,
      "meta-data": { syslog: `10.100.255.${g + 1}`, rack: g },
      file: { encoding: "plain", content: `#cloud-config\nruncmd:\n  - echo ${groupName(g)}\n` },
    });
  }
}

/** Spread-out nodes must get their own meta-data; retried while the inventory is still loading. */
async function checkMetaData(url: string): Promise<void> {
  const sample = [0, 1, Math.floor(NODES / 2), NODES - 1];
  const deadline = Date.now() + 60_000;
  for (;;) {
    const wrong: string[] = [];
    for (const i of sample) {
      const { status, text } = await request(`${url}/cloud-init/meta-data`, "GET", undefined, {
        "x-forwarded-for": ip(i),
      });
      const right =
        status === 200 &&
        /^instance-id: i-[0-9a-f]{8}$/m.test(text) &&
        new RegExp(`local_ipv4: ['"]?${ip(i).replaceAll(".", "\\.")}['"]?$`, "m").test(text);
      if (!right) wrong.push(`${ip(i)}: ${status} ${text.slice(0, 200)}`);
    }
    if (wrong.length === 0) return;
    if (Date.now() > deadline) throw new Error(`wrong meta-data:\n${wrong.join("\n")}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

function load(url: string, duration: number) {
  let n = 0;
  return autocannon({
    url,
    connections: CONNECTIONS,
    duration,
    requests: [
      {
        method: "GET",
        setupRequest: (r) => ({
          ...r,
          path: "/cloud-init/meta-data",
          headers: { ...r.headers, "x-forwarded-for": ip(n++ % NODES) },
        }),
      },
    ],
  });
}

async function run(label: string, dbArgs: string[]): Promise<void> {
  console.log(`${label}: ${NODES} nodes`);
  const seeder = await startServer(["--only", "smd", "--no-auth", ...dbArgs]);
  try {
    await seedSmd(seeder.url);
  } finally {
    await seeder.stop();
  }
  const server = await startServer(["--no-auth", ...dbArgs]);
  try {
    await timed(`cloud-init: cluster defaults and ${GROUPS} groups`, () => seedCloudInit(server.url));
    await timed("sample nodes' meta-data checked", () => checkMetaData(server.url));
    await load(server.url, 5);
    const before = loadavg()[0]!;
    const result = await load(server.url, DURATION);
    console.log(
      `  GET /cloud-init/meta-data, X-Forwarded-For over ${NODES} nodes (${CONNECTIONS} connections, ${DURATION} s): ${result.requests.average.toFixed(0)} req/s, p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, max ${result.latency.max} ms, errors ${result.errors}, timeouts ${result.timeouts}, non-2xx ${result.non2xx} (load average ${before.toFixed(2)} → ${loadavg()[0]!.toFixed(2)})`,
    );
  } finally {
    await server.stop();
  }
}

console.log(machineFacts());
await onEachBackend(values, run);
