import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Db } from "@openchami/db";
import { LocalInventory } from "@openchami/inventory";
import { smdMigrations, smdPlugin } from "@openchami/smd";
import { migratedPglite, startTestService } from "@openchami/testkit";
import { cloudInitMigrations } from "./migrations.ts";
import { call, startCloudInit, type TestCloudInit } from "./test-support.ts";

const XNAME = "x1000c0s0b0n0";
const IP = "127.0.0.6";

/**
 * cloud-init over a real SMD on the same database, the node view a LocalInventory kept
 * current by SMD's change feed: what `openchami serve` runs (CI-08).
 */
describe("cloud-init with SMD and LocalInventory", () => {
  let db: Db;
  let inventory: LocalInventory;
  let ci: TestCloudInit;
  let smd: { url: string; close(): Promise<void> };
  before(async () => {
    db = await migratedPglite([smdMigrations, cloudInitMigrations]);
    const service = await startTestService({
      db,
      ownsDb: false,
      mount: (app, { logger }) =>
        app.register(smdPlugin({ db, auth: undefined, logger }), { prefix: "/hsm/v2" }),
    });
    smd = { url: service.base, close: () => service.close() };
    inventory = new LocalInventory({ db });
    await inventory.start();
    ci = await startCloudInit({ db, inventory });
  });
  after(async () => {
    await ci.close();
    await inventory.close();
    await smd.close();
    await db.close();
  });

  const smdCall = async (method: string, path: string, body: unknown) => {
    const result = await call(smd, method, `/hsm/v2${path}`, body);
    assert.ok(result.status < 300, `${method} ${path}: ${result.status} ${result.text}`);
  };
  const get = (path: string) => call(ci, "GET", `/cloud-init${path}`, undefined, { from: IP });

  test("a node, its interface and its group memberships are visible to the very next request", async () => {
    assert.equal((await get("/meta-data")).status, 422, "unknown IP");
    await call(ci, "POST", "/cloud-init/admin/cluster-defaults", {
      "short-name": "nid",
      "base-url": "http://b/ci",
    });
    await smdCall("POST", "/State/Components", {
      Components: [{ ID: XNAME, State: "Ready", Role: "Compute", NID: 7, Enabled: true, Type: "Node" }],
    });
    await smdCall("POST", "/Inventory/EthernetInterfaces", {
      MACAddress: "52:54:00:be:ef:01",
      ComponentID: XNAME,
      IPAddresses: [{ IPAddress: IP }],
    });
    await inventory.settled();
    const meta = await get("/meta-data");
    assert.equal(meta.status, 200);
    assert.match(meta.text, /^instance-id: i-[0-9a-f]{8}\nlocal-hostname: nid0007\n/);
    assert.equal((await get("/vendor-data")).text, "#include\n");

    await smdCall("POST", "/groups", { label: "compute", members: { ids: [XNAME] } });
    await inventory.settled();
    assert.equal((await get("/vendor-data")).text, "#include\nhttp://b/ci/compute.yaml\n");
    assert.equal((await get("/compute.yaml")).text, "#cloud-config\n{}\n");

    await smdCall("DELETE", `/groups/compute/members/${XNAME}`, undefined);
    await inventory.settled();
    assert.equal((await get("/compute.yaml")).status, 404);

    await smdCall("DELETE", `/State/Components/${XNAME}`, undefined);
    await inventory.settled();
    assert.equal((await get("/meta-data")).status, 422, "deletions evict at once");
  });
});
