/**
 * BSS benchmark (spec bss.md §8): 10,000 Node components with an EthernetInterface each in
 * SMD; boot parameters keyed by MAC for half of them (Role Service, one PUT with 5,000
 * MACs) and by the `Compute` Role tag for the other half. The server (bench/bss/server.ts)
 * runs in a child process; autocannon runs here. SMD is seeded by a server serving SMD
 * alone, then BSS starts on the seeded database (its inventory loads the 10,000 nodes).
 *
 *   node --import tsx bench/bss/bss.ts [--postgres] [--pglite] [--nodes 10000] [--duration 30] [--connections 200]
 *
 * Measures: GET /boot/v1/bootscript?mac=… over every node's MAC (each answer checked to be
 * a full script first), 200 connections for --duration seconds after a 5 s warm-up:
 * req/s, p50/p99 latency, errors and non-2xx; and the server's heap after a full GC,
 * empty versus loaded (the growth bounds what the node and params indexes retain).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { loadavg } from "node:os";
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import autocannon from "autocannon";
import { machineFacts, onEachBackend, pool } from "../lib/server.ts";

const { values } = parseArgs({
  options: {
    postgres: { type: "boolean", default: false },
    pglite: { type: "boolean", default: false },
    nodes: { type: "string", default: "10000" },
    duration: { type: "string", default: "30" },
    connections: { type: "string", default: "200" },
  },
});
const NODES = Number(values.nodes);
const DURATION = Number(values.duration);
const CONNECTIONS = Number(values.connections);
const SERVER = new URL("./server.ts", import.meta.url).pathname;

/** Node i: x<1000+i/256>c<(i/32)%8>s<i%32>b0n0, NID i+1, one MAC. */
const nodeId = (i: number) => `x${1000 + Math.floor(i / 256)}c${Math.floor(i / 32) % 8}s${i % 32}b0n0`;
const mac = (i: number) =>
  [0x02, 0x00, (i >> 16) & 255, (i >> 8) & 255, i & 255, 0x01]
    .map((b) => b.toString(16).padStart(2, "0"))
    .join(":");
/** The first half boots by MAC-keyed params (Role Service, no tag), the rest by the Compute tag. */
const byMac = (i: number) => i < NODES / 2;

interface Server {
  url: string;
  stop(): Promise<void>;
}

async function startServer(args: string[]): Promise<Server> {
  const child: ChildProcess = spawn(process.execPath, ["--expose-gc", "--import", "tsx", SERVER, ...args], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const lines = createInterface({ input: child.stdout! });
  const url = await new Promise<string>((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`server exited with ${code}`)));
    lines.on("line", (line) => {
      if (line.startsWith("listening ")) resolve(line.slice("listening ".length));
    });
  });
  return {
    url,
    async stop() {
      const exited = once(child, "exit");
      child.kill("SIGTERM");
      await exited;
    },
  };
}

async function request(url: string, method: string, body?: unknown): Promise<string> {
  const response = await fetch(url, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (response.status >= 300) throw new Error(`${method} ${url}: ${response.status} ${text}`);
  return text;
}

async function timed(label: string, fn: () => Promise<unknown>): Promise<void> {
  const started = performance.now();
  await fn();
  console.log(`  ${label}: ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

async function heapMb(url: string): Promise<number> {
  const { heapUsed } = JSON.parse(await request(`${url}/bench/heap`, "GET"));
  return heapUsed / 2 ** 20;
}

function components() {
  return Array.from({ length: NODES }, (_, i) => ({
    ID: nodeId(i),
    State: "Ready",
    Enabled: true,
    Role: byMac(i) ? "Service" : "Compute",
    NID: i + 1,
    Arch: "X86",
  }));
}

async function seedSmd(url: string): Promise<void> {
  const smd = `${url}/hsm/v2`;
  await timed(`SMD: POST /State/Components (${NODES} in one request)`, () =>
    request(`${smd}/State/Components`, "POST", { Components: components() }),
  );
  await timed(`SMD: POST /Inventory/EthernetInterfaces (${NODES}, 50 concurrent)`, () =>
    pool(
      Array.from({ length: NODES }, (_, i) => i),
      50,
      async (i) => {
        await request(`${smd}/Inventory/EthernetInterfaces`, "POST", {
          MACAddress: mac(i),
          ComponentID: nodeId(i),
        });
      },
    ),
  );
}

async function putParams(url: string): Promise<void> {
  const kernel = "http://10.0.0.1:9090/boot-images/vmlinuz";
  const initrd = "http://10.0.0.1:9090/boot-images/initramfs.img";
  const params =
    "nomodeset ro root=live:http://10.0.0.1:9090/boot-images/rootfs ip=dhcp console=ttyS0,115200";
  const macs = Array.from({ length: NODES / 2 }, (_, i) => mac(i));
  await timed(
    `BSS: PUT /bootparameters (${macs.length} MACs in one request) and the Compute tag`,
    async () => {
      await request(`${url}/boot/v1/bootparameters`, "PUT", { macs, kernel, initrd, params });
      await request(`${url}/boot/v1/bootparameters`, "PUT", { hosts: ["Compute"], kernel, initrd, params });
    },
  );
}

/** Every node must get a full script (a delay reply is a 200 too), checked before measuring. */
async function checkScripts(url: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const pending: number[] = [];
    await pool(
      Array.from({ length: NODES }, (_, i) => i),
      50,
      async (i) => {
        const body = await request(`${url}/boot/v1/bootscript?mac=${mac(i)}`, "GET");
        if (!body.startsWith("#!ipxe\nkernel ")) pending.push(i);
      },
    );
    if (pending.length === 0) return;
    if (Date.now() > deadline)
      throw new Error(`${pending.length} nodes get no script, e.g. ${nodeId(pending[0]!)}`);
    await new Promise((resolve) => setTimeout(resolve, 500)); // the inventory is still catching up
  }
}

function load(url: string, duration: number) {
  let n = 0;
  return autocannon({
    url,
    connections: CONNECTIONS,
    duration,
    requests: [
      { method: "GET", setupRequest: (r) => ({ ...r, path: `/boot/v1/bootscript?mac=${mac(n++ % NODES)}` }) },
    ],
  });
}

/** Starts a server on the database, runs `work` against it, stops it. */
async function withServer<T>(dbArgs: string[], work: (url: string) => Promise<T>): Promise<T> {
  const server = await startServer(dbArgs);
  try {
    return await work(server.url);
  } finally {
    await server.stop();
  }
}

async function run(label: string, dbArgs: string[]): Promise<void> {
  console.log(`${label}: ${NODES} nodes`);
  const emptyHeap = await withServer(dbArgs, heapMb);
  await withServer([...dbArgs, "--smd-only"], seedSmd);
  await withServer(dbArgs, async (url) => {
    await putParams(url);
    await timed("every node's bootscript checked", () => checkScripts(url));
    const loadedHeap = await heapMb(url);
    console.log(
      `  server heap after GC: ${emptyHeap.toFixed(1)} MB empty, ${loadedHeap.toFixed(1)} MB loaded (+${(loadedHeap - emptyHeap).toFixed(1)} MB)`,
    );
    await load(url, 5);
    const before = loadavg()[0]!;
    const result = await load(url, DURATION);
    console.log(
      `  GET /bootscript?mac=… (${CONNECTIONS} connections, ${DURATION} s): ${result.requests.average.toFixed(0)} req/s, p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, max ${result.latency.max} ms, errors ${result.errors}, timeouts ${result.timeouts}, non-2xx ${result.non2xx} (load average ${before.toFixed(2)} → ${loadavg()[0]!.toFixed(2)})`,
    );
  });
}

console.log(machineFacts());
await onEachBackend(values, run);
