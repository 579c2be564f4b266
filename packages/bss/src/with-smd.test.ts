import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Db } from "@openchami/db";
import { LocalInventory } from "@openchami/inventory";
import { smdMigrations, smdPlugin } from "@openchami/smd";
import { migratedPglite, startTestService } from "@openchami/testkit";
import { bssMigrations } from "./migrations.ts";
import { call, startBss, type TestBss } from "./test-support.ts";

const MAC = "52:54:00:be:ef:01";
const XNAME = "x1000c0s0b0n0";

/**
 * BSS over a real SMD on the same database, the node view a LocalInventory kept current by
 * SMD's change feed: what `openchami serve` runs.
 */
describe("BSS with SMD and LocalInventory", () => {
  let db: Db;
  let inventory: LocalInventory;
  let bss: TestBss;
  let smd: { url: string; close(): Promise<void> };
  before(async () => {
    db = await migratedPglite([smdMigrations, bssMigrations]);
    const service = await startTestService({
      db,
      ownsDb: false,
      mount: (app, { logger }) =>
        app.register(smdPlugin({ db, auth: undefined, logger }), { prefix: "/hsm/v2" }),
    });
    smd = { url: service.base, close: () => service.close() };
    inventory = new LocalInventory({ db });
    await inventory.start();
    bss = await startBss({ db, inventory, config: { ipxeServer: "boot.example" } });
  });
  after(async () => {
    await bss.close();
    await inventory.close();
    await smd.close();
    await db.close();
  });

  const smdCall = async (method: string, path: string, body: unknown) => {
    const result = await call(smd, method, `/hsm/v2${path}`, body);
    assert.ok(result.status < 300, `${method} ${path}: ${result.status} ${result.text}`);
  };
  const script = async (query: string) => (await call(bss, "GET", `/boot/v1/bootscript?${query}`)).text;

  test("an SMD change is reflected in the very next bootscript (it waits for the reload)", async () => {
    assert.match(await script(`mac=${MAC}`), /^#!ipxe\nsleep 10\n/, "unknown node: the delay reply");
    await call(bss, "POST", "/boot/v1/bootparameters", { hosts: ["Compute"], kernel: "http://k/compute" });
    await smdCall("POST", "/State/Components", {
      Components: [{ ID: XNAME, State: "Ready", Role: "Compute", NID: 1, Enabled: true }],
    });
    await smdCall("POST", "/Inventory/EthernetInterfaces", { MACAddress: MAC, ComponentID: XNAME });
    assert.match(
      await script(`mac=${MAC}`),
      new RegExp(`^#!ipxe\nkernel --name kernel http://k/compute xname=${XNAME} nid=1 `),
    );

    await smdCall("PATCH", `/State/Components/${XNAME}/Enabled`, { Enabled: false });
    assert.match(await script(`mac=${MAC}`), /^#!ipxe\nsleep 10\n/, "a disabled node is not booted");

    await smdCall("PATCH", `/State/Components/${XNAME}/Enabled`, { Enabled: true });
    await smdCall("PATCH", `/State/Components/${XNAME}/Role`, { Role: "Service" });
    assert.match(await script(`nid=1`), /^#!ipxe\nsleep 10\n/, "no record for the Service role");
  });

  test("a boot parameter change is reflected in the very next bootscript, with no settling", async () => {
    await call(bss, "POST", "/boot/v1/bootparameters", {
      hosts: [XNAME],
      kernel: "http://k/own",
      params: "a",
    });
    assert.match(await script(`name=${XNAME}`), /http:\/\/k\/own a xname=/);
    await call(bss, "PATCH", "/boot/v1/bootparameters", { hosts: [XNAME], params: "b" });
    assert.match(await script(`name=${XNAME}`), /http:\/\/k\/own b xname=/);
    await call(bss, "DELETE", "/boot/v1/bootparameters", { hosts: [XNAME] });
    assert.match(await script(`name=${XNAME}`), /^#!ipxe\nsleep 10\n/);
  });

  test("/hosts shows SMD's nodes with their endpoint state", async () => {
    const [host] = (await call(bss, "GET", `/boot/v1/hosts?mac=${MAC}`)).json();
    assert.equal(host.ID, XNAME);
    assert.equal(host.Role, "Service");
    assert.deepEqual(host.MAC, [MAC]);
    assert.equal(host.EndpointEnabled, false);
  });
});
