/**
 * Inventory benchmark (bss.md §4.3–4.4): 10,000 nodes in SMD's tables, each with a
 * ComponentEndpoint (a MACAddr and 2 Redfish NICs), an EthernetInterface with an IP (one of
 * the NIC MACs) and 2 groups.
 *
 *   node --expose-gc --import tsx bench/inventory/inventory.ts [--postgres] [--nodes 10000]
 *
 * Measures, medians of 5: a full LocalInventory reload after a change event, split into
 * readInventoryData / nodesFromSmd / buildIndex; a full RemoteInventory refresh over HTTP
 * (first fetch, then revalidated with ETags); and the heap the built index retains.
 */
import { parseArgs } from "node:util";
import { silentLogger } from "@openchami/core";
import { type Db, openDb } from "@openchami/db";
import { buildIndex, LocalInventory, nodesFromSmd, RemoteInventory } from "@openchami/inventory";
import { readInventoryData, SMD_CHANGES, smdMigrations } from "@openchami/smd";
import { migratedPglite, type PostgresServer, startPostgres } from "@openchami/testkit";
import { sql } from "kysely";
// Test support of the inventory package: SMD over loopback HTTP on a given database.
import { startTestSmd } from "../../packages/inventory/src/test-smd.ts";
import { machineFacts, percentile } from "../lib/server.ts";

const { values } = parseArgs({
  options: {
    postgres: { type: "boolean", default: false },
    nodes: { type: "string", default: "10000" },
  },
});
const NODES = Number(values.nodes);
const RUNS = 5;

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error("run with node --expose-gc");

/** One statement per table over generate_series: node i is x<1000+i/256>c<(i/32)%8>s<i%32>b0n0. */
async function seed(db: Db): Promise<void> {
  const k = db.kysely;
  const bmc = sql`'x' || (1000 + i / 256) || 'c' || ((i / 32) % 8) || 's' || (i % 32) || 'b0'`;
  const mac = (n: number) =>
    sql`'0${sql.raw(String(n))}:00:' || lpad(to_hex(i / 65536), 2, '0') || ':' || lpad(to_hex((i / 256) % 256), 2, '0') || ':' || lpad(to_hex(i % 256), 2, '0') || ':01'`;
  const series = sql`generate_series(0, ${NODES - 1}) AS i`;
  await sql`INSERT INTO components (id, type, state, flag, enabled, nid, role, arch)
    SELECT ${bmc} || 'n0', 'Node', 'Ready', 'OK', true, i + 1, 'Compute', 'X86' FROM ${series}`.execute(k);
  await sql`INSERT INTO redfish_endpoints (id, type, fqdn) SELECT ${bmc}, 'NodeBMC', ${bmc} || '.bench' FROM ${series}`.execute(
    k,
  );
  await sql`INSERT INTO component_endpoints (id, type, redfish_type, redfish_subtype, mac_addr, uuid, odata_id,
      redfish_endpoint_id, redfish_url, component_endpoint_type, info)
    SELECT ${bmc} || 'n0', 'Node', 'ComputerSystem', 'Physical', ${mac(0)}, gen_random_uuid()::text, '/redfish/v1/Systems/1',
      ${bmc}, ${bmc} || '.bench/redfish/v1/Systems/1', 'ComponentEndpointComputerSystem',
      jsonb_build_object('RedfishSystemInfo', jsonb_build_object(
        'Name', 'System',
        'Actions', jsonb_build_object('#ComputerSystem.Reset', jsonb_build_object(
          'ResetType@Redfish.AllowableValues', '["On","ForceOff","GracefulShutdown","ForceRestart","Nmi","PushPowerButton","GracefulRestart"]'::jsonb,
          '@Redfish.ActionInfo', '/redfish/v1/Systems/1/ResetActionInfo',
          'target', '/redfish/v1/Systems/1/Actions/ComputerSystem.Reset')),
        'EthernetNICInfo', jsonb_build_array(
          jsonb_build_object('RedfishId', '/redfish/v1/Systems/1/EthernetInterfaces/1', '@odata.id', '/redfish/v1/Systems/1/EthernetInterfaces/1',
            'InterfaceEnabled', true, 'MACAddress', ${mac(1)}, 'PermanentMACAddress', ${mac(1)}),
          jsonb_build_object('RedfishId', '/redfish/v1/Systems/1/EthernetInterfaces/2', '@odata.id', '/redfish/v1/Systems/1/EthernetInterfaces/2',
            'InterfaceEnabled', true, 'MACAddress', ${mac(2)}, 'PermanentMACAddress', ${mac(2)})),
        'PowerURL', '/redfish/v1/Chassis/1/Power',
        'PowerControl', '[]'::jsonb))
    FROM ${series}`.execute(k);
  await sql`INSERT INTO ethernet_interfaces (id, mac_address, component_id, type, ip_addresses)
    SELECT replace(${mac(1)}, ':', ''), ${mac(1)}, ${bmc} || 'n0', 'Node',
      jsonb_build_array(jsonb_build_object('IPAddress', '10.' || (i / 65536) || '.' || ((i / 256) % 256) || '.' || (i % 256)))
    FROM ${series}`.execute(k);
  await sql`INSERT INTO groups (label) SELECT 'rack' || r FROM generate_series(0, ${Math.ceil(NODES / 100) - 1}) AS r
    UNION ALL SELECT 'compute'`.execute(k);
  await sql`INSERT INTO group_members (group_label, component_id, namespace)
    SELECT g, ${bmc} || 'n0', g FROM ${series}, LATERAL (VALUES ('compute'), ('rack' || (i / 100))) AS v (g)`.execute(
    k,
  );
}

async function timed(task: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await task();
  return performance.now() - start;
}

async function median(task: () => Promise<unknown>): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < RUNS; i++) samples.push(await timed(task));
  return percentile(samples, 50);
}

const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MB`;
const ms = (value: number) => `${value.toFixed(0)} ms`;

let server: PostgresServer | undefined;
const db = values.postgres
  ? await (async () => {
      server = await startPostgres();
      const opened = await openDb({ url: server.url }, { logger: silentLogger() });
      await opened.migrate([smdMigrations]);
      return opened;
    })()
  : await migratedPglite([smdMigrations]);
try {
  console.log(
    `inventory benchmark: ${NODES} nodes, ${values.postgres ? "PostgreSQL" : "PGlite"}; ${machineFacts()}`,
  );
  console.log(`seed: ${ms(await timed(() => seed(db)))}`);

  // Warm-up, then the parts of a reload.
  let data = await readInventoryData(db);
  const read = await median(async () => {
    data = await readInventoryData(db);
  });
  let nodes = nodesFromSmd(data);
  const reduce = await median(async () => {
    nodes = nodesFromSmd(data);
  });
  const build = await median(async () => buildIndex(nodes, 1));

  const local = new LocalInventory({ db });
  const start = await timed(() => local.start());
  if (local.current().size !== NODES) throw new Error(`indexed ${local.current().size} nodes`);
  const reload = await median(async () => {
    await db.notify(SMD_CHANGES, { resource: "Components", op: "upsert", ids: [] });
    await local.settled();
  });
  await local.close();

  const smd = await startTestSmd({ db });
  const remote = new RemoteInventory({ url: smd.url, minRefreshIntervalMs: 0 });
  const remoteFirst = await timed(() => remote.start());
  const remoteAgain = await median(async () => {
    remote.requestRefresh();
    await remote.settled();
  });
  if (remote.current().size !== NODES) throw new Error(`remote indexed ${remote.current().size} nodes`);
  await remote.close();
  await smd.close();

  // The heap one index retains: built from freshly read data, everything else released.
  data = undefined as never;
  nodes = [];
  gc();
  const before = process.memoryUsage().heapUsed;
  const fresh = await readInventoryData(db);
  const transient = process.memoryUsage().heapUsed - before;
  let index: ReturnType<typeof buildIndex> | undefined = buildIndex(nodesFromSmd(fresh), 1);
  gc();
  const retained = process.memoryUsage().heapUsed - before;
  if (index.size !== NODES) throw new Error("index incomplete");
  index = undefined;

  console.table({
    "readInventoryData (4 queries + wire objects)": ms(read),
    nodesFromSmd: ms(reduce),
    buildIndex: ms(build),
    "LocalInventory.start() (first load)": ms(start),
    "LocalInventory reload after a change event": ms(reload),
    "RemoteInventory first refresh (HTTP)": ms(remoteFirst),
    "RemoteInventory refresh, ETags revalidated": ms(remoteAgain),
    "heap: read data, before gc (transient)": mb(transient),
    "heap: index retained": mb(retained),
  });
} finally {
  await db.close();
  await server?.stop();
}
