/**
 * SMD benchmark (spec smd.md §8): 10,000 Node components, each with an EthernetInterface,
 * 1,000 of them discovered through V2 RedfishEndpoint ingestion (with a ComponentEndpoint).
 *
 *   npm run bench:smd -- [--postgres] [--pglite] [--nodes 10000] [--bmcs 1000]
 *
 * Measures: POST /State/Components with every component in one request; V2 ingestion of
 * the BMCs (≤ 10 concurrent); full GET /State/Components (p50 of 30 sequential requests,
 * each right after a write, so rebuilt from the database, then unchanged, so cached);
 * GET /State/Components/{x} for distinct ids with 50 concurrent clients (autocannon, 10 s).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { skipWithoutPostgres, startPostgres } from "@openchami/testkit";
import autocannon from "autocannon";
import { type BenchServer, machineFacts, percentile, pool, startServer } from "../lib/server.ts";

const { values } = parseArgs({
  options: {
    postgres: { type: "boolean", default: false },
    pglite: { type: "boolean", default: false },
    nodes: { type: "string", default: "10000" },
    bmcs: { type: "string", default: "1000" },
  },
});
const NODES = Number(values.nodes);
const BMCS = Number(values.bmcs);

/** Node i lives in cabinet 1000+, 8 chassis, 32 slots, 1 BMC, 1 node: x<cab>c<ch>s<slot>b0n0. */
function bmcId(i: number): string {
  const cabinet = 1000 + Math.floor(i / 256);
  return `x${cabinet}c${Math.floor(i / 32) % 8}s${i % 32}b0`;
}
const nodeId = (i: number) => `${bmcId(i)}n0`;
const mac = (i: number, nic: number) =>
  [0x02, nic, (i >> 16) & 255, (i >> 8) & 255, i & 255, 0x01]
    .map((b) => b.toString(16).padStart(2, "0"))
    .join(":");

function v2Body(i: number): unknown {
  const id = bmcId(i);
  const nic = (n: number) => ({
    uri: `/redfish/v1/Systems/1/EthernetInterfaces/${n}`,
    mac: mac(i, n),
    ip: `10.${n}.${(i >> 8) & 255}.${i & 255}`,
  });
  return {
    ID: id,
    FQDN: `${id}.bench`,
    User: "root",
    Password: "secret",
    SchemaVersion: 1,
    Managers: [
      {
        uri: "/redfish/v1/Managers/BMC",
        uuid: `bmc-${i}`,
        name: "BMC",
        type: "BMC",
        ethernet_interfaces: [
          {
            uri: "/redfish/v1/Managers/BMC/EthernetInterfaces/1",
            mac: mac(i, 9),
            ip: `172.16.${(i >> 8) & 255}.${i & 255}`,
          },
        ],
        actions: ["GracefulRestart", "ForceRestart"],
      },
    ],
    Systems: [
      {
        uri: "/redfish/v1/Systems/1",
        uuid: `sys-${i}`,
        name: "System",
        system_type: "Physical",
        ethernet_interfaces: [nic(1), nic(2)],
        power: { state: "On", power_control_ids: [] },
        links: { chassis: ["/redfish/v1/Chassis/1"], managers: ["/redfish/v1/Managers/BMC"] },
        actions: ["On", "ForceOff", "GracefulShutdown"],
      },
    ],
  };
}

async function request(url: string, method: string, body?: unknown): Promise<number> {
  const response = await fetch(url, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  await response.arrayBuffer();
  if (response.status >= 300) throw new Error(`${method} ${url}: ${response.status}`);
  return response.status;
}

async function timed(label: string, fn: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await fn();
  const ms = performance.now() - started;
  console.log(`  ${label}: ${ms.toFixed(0)} ms`);
  return ms;
}

async function run(label: string, server: BenchServer): Promise<void> {
  const smd = `${server.url}/hsm/v2`;
  console.log(`${label}: ${NODES} nodes, ${BMCS} BMCs`);
  const components = Array.from({ length: NODES }, (_, i) => ({
    ID: nodeId(i),
    State: "Ready",
    Role: "Compute",
    Arch: "X86",
  }));
  await timed(`POST /State/Components (${NODES} in one request)`, () =>
    request(`${smd}/State/Components`, "POST", { Components: components }),
  );
  const bmcs = Array.from({ length: BMCS }, (_, i) => i);
  await timed(`V2 ingestion of ${BMCS} BMCs (10 concurrent)`, () =>
    pool(bmcs, 10, (i) =>
      request(`${smd}/Inventory/RedfishEndpoints`, "POST", v2Body(i)).then(() => undefined),
    ),
  );
  const rest = Array.from({ length: NODES - BMCS }, (_, k) => k + BMCS);
  await timed(`POST /Inventory/EthernetInterfaces for the other ${rest.length} nodes (50 concurrent)`, () =>
    pool(rest, 50, (i) =>
      request(`${smd}/Inventory/EthernetInterfaces`, "POST", {
        MACAddress: mac(i, 1),
        ComponentID: nodeId(i),
        IPAddresses: [{ IPAddress: `10.1.${(i >> 8) & 255}.${i & 255}` }],
      }).then(() => undefined),
    ),
  );

  const fullList = async (afterWrite: boolean) => {
    const samples: number[] = [];
    for (let k = 0; k < 30; k++) {
      // A write first invalidates the cached body, so the GET rebuilds it from the database.
      if (afterWrite) {
        await request(`${smd}/State/Components/${nodeId(k)}/FlagOnly`, "PATCH", {
          Flag: k % 2 ? "OK" : "Warning",
        });
      }
      const started = performance.now();
      await request(`${smd}/State/Components`, "GET");
      samples.push(performance.now() - started);
    }
    const how = afterWrite ? "right after a write (rebuilt)" : "unchanged (cached)";
    const p50 = percentile(samples, 50).toFixed(1);
    console.log(
      `  GET /State/Components (full, ${NODES}), ${how}: p50 ${p50} ms, p99 ${percentile(samples, 99).toFixed(1)} ms`,
    );
  };
  await fullList(true);
  await fullList(false);

  let n = 0;
  const result = await autocannon({
    url: server.url,
    connections: 50,
    duration: 10,
    requests: [
      {
        method: "GET",
        setupRequest: (r) => ({ ...r, path: `/hsm/v2/State/Components/${nodeId(n++ % NODES)}` }),
      },
    ],
  });
  console.log(
    `  GET /State/Components/{x} (50 connections, 10 s): ${result.requests.average.toFixed(0)} req/s, p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, errors ${result.errors}, non-2xx ${result.non2xx}`,
  );
}

console.log(machineFacts());
const both = !values.postgres && !values.pglite;
if (values.pglite || both) {
  const dataDir = mkdtempSync(join(tmpdir(), "openchami-bench-smd-"));
  const server = await startServer(["--only", "smd", "--no-auth", "--data-dir", dataDir]);
  try {
    await run("embedded PGlite", server);
  } finally {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
if (values.postgres || both) {
  if (skipWithoutPostgres) {
    console.log(`PostgreSQL: skipped (${skipWithoutPostgres})`);
  } else {
    const pg = await startPostgres();
    const dataDir = mkdtempSync(join(tmpdir(), "openchami-bench-smd-"));
    const server = await startServer([
      "--only",
      "smd",
      "--no-auth",
      "--data-dir",
      dataDir,
      "--database-url",
      pg.url,
    ]);
    try {
      await run("PostgreSQL", server);
    } finally {
      await server.stop();
      await pg.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }
}
