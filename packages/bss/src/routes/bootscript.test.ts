import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { StaticInventory } from "@openchami/inventory";
import { migratedPglite } from "@openchami/testkit";
import { bssMigrations } from "../migrations.ts";
import { call, guardedDb, smdData, smdNode, startBss, type TestBss } from "../test-support.ts";

const BP = "/boot/v1/bootparameters";
const MAC = "52:54:00:be:ef:01";
const XNAME = "x1000c0s0b0n0";

const twoNodes = () =>
  smdData(
    smdNode(XNAME, { nid: 1, macs: [MAC] }),
    smdNode("x1000c0s1b0n0", { nid: 2, macs: ["52:54:00:be:ef:02"], role: "Service" }),
  );
const nodes = () => new StaticInventory(twoNodes());

describe("GET /bootscript over HTTP", () => {
  let bss: TestBss;
  let inventory: StaticInventory;
  before(async () => {
    inventory = nodes();
    bss = await startBss({ inventory });
  });
  after(() => bss.close());

  test("400 without an identifier; text/plain scripts; both mounts chain back to their own prefix", async () => {
    const missing = await call(bss, "GET", "/boot/v1/bootscript?nid=abc");
    assert.deepEqual([missing.status, missing.json().detail], [400, "Need a mac=, name=, or nid= parameter"]);
    await call(bss, "POST", BP, { macs: [MAC], kernel: "http://k/vmlinuz", params: "quiet" });
    const host = new URL(bss.url).host;
    const direct = await call(bss, "GET", `/boot/v1/bootscript?mac=${MAC}`);
    assert.equal(direct.status, 200);
    assert.equal(direct.headers.get("content-type"), "text/plain; charset=UTF-8");
    assert.ok(
      direct.text.endsWith(`chain http://${host}/boot/v1/bootscript?mac=${MAC}&retry=1\n\n`),
      direct.text,
    );
    const gateway = await call(bss, "GET", `/apis/bss/boot/v1/bootscript/?mac=${MAC}`);
    assert.ok(
      gateway.text.endsWith(`chain http://${host}/apis/bss/boot/v1/bootscript?mac=${MAC}&retry=1\n\n`),
    );
    const proxied = await call(bss, "GET", `/boot/v1/bootscript?mac=${MAC}`, undefined, {
      "x-forwarded-host": "boot.example, inner",
      "x-forwarded-proto": "https",
    });
    assert.ok(proxied.text.endsWith(`chain https://boot.example/boot/v1/bootscript?mac=${MAC}&retry=1\n\n`));
  });

  test("a write is reflected in the very next bootscript (POST, PUT, PATCH, DELETE, image params)", async () => {
    const script = async () => (await call(bss, "GET", "/boot/v1/bootscript?name=x1000c0s1b0n0")).text;
    assert.match(await script(), /^#!ipxe\nsleep 10\n/, "no record yet: the delay reply");
    await call(bss, "POST", BP, { hosts: ["Service"], kernel: "http://k/svc", params: "role" });
    assert.match(await script(), /kernel --name kernel http:\/\/k\/svc role xname=x1000c0s1b0n0 nid=2 /);
    await call(bss, "PUT", BP, { nids: [2], kernel: "http://k/nid", params: "by-nid" });
    assert.match(await script(), /http:\/\/k\/nid by-nid /);
    await call(bss, "PATCH", BP, { nids: [2], params: "patched" });
    assert.match(await script(), /http:\/\/k\/nid patched /);
    await call(bss, "POST", BP, { kernel: "http://k/nid", params: "image=1" });
    assert.match(await script(), /http:\/\/k\/nid patched image=1 /);
    await call(bss, "DELETE", BP, { nids: [2] });
    assert.match(await script(), /http:\/\/k\/svc role /);
  });

  test("an inventory change is reflected in the next bootscript", async () => {
    await call(bss, "PUT", BP, { hosts: ["Default"], kernel: "http://k/default" });
    const url = "/boot/v1/bootscript?mac=52:54:00:be:ef:03";
    assert.match((await call(bss, "GET", url)).text, /^#!ipxe\nsleep 10\n/);
    inventory.set(smdData(twoNodes(), smdNode("x1000c0s3b0n0", { macs: ["52:54:00:be:ef:03"] })));
    assert.match((await call(bss, "GET", url)).text, /http:\/\/k\/default xname=x1000c0s3b0n0 /);
    inventory.set(twoNodes());
  });

  test("an unknown MAC asks the inventory for a refresh (the source rate-limits) and is not recorded", async () => {
    const before = inventory.refreshRequests;
    for (let i = 0; i < 5; i++) await call(bss, "GET", "/boot/v1/bootscript?mac=52:54:00:00:00:99");
    assert.equal(inventory.refreshRequests - before, 5);
    const history = await call(bss, "GET", "/boot/v1/endpoint-history");
    assert.ok(!history.text.includes("52:54:00:00:00:99"));
  });

  test("json=1 answers JSON; a delay becomes a 404 (deviation)", async () => {
    const json = await call(bss, "GET", `/boot/v1/bootscript?mac=${MAC}&json=1`);
    assert.equal(json.headers.get("content-type"), "application/json; charset=UTF-8");
    assert.equal(json.json().kernel.path, "http://k/vmlinuz");
    const unknown = await call(bss, "GET", "/boot/v1/bootscript?mac=52:54:00:00:00:98&json=1");
    assert.deepEqual(
      [unknown.status, unknown.json().detail],
      [404, "Unknown MAC 52:54:00:00:00:98: this host not configured for booting."],
    );
  });

  test("served scripts are recorded per xname, visible in /endpoint-history before they are written", async () => {
    await call(bss, "GET", `/boot/v1/bootscript?mac=${MAC}`);
    const history = (await call(bss, "GET", `/boot/v1/endpoint-history?name=${XNAME}`)).json();
    assert.equal(history.length, 1);
    assert.equal(history[0].endpoint, "bootscript");
    assert.ok(Math.abs(history[0].last_epoch - Date.now() / 1000) < 5);
  });
});

describe("the bootscript hot path makes no database query", () => {
  test("with every use of the database failing, boot scripts are still served from memory", async () => {
    const inner = await migratedPglite([bssMigrations]);
    const guarded = guardedDb(inner);
    const inventory = nodes();
    const bss = await startBss({ db: guarded.db, inventory, config: { ipxeServer: "boot.example" } });
    try {
      await call(bss, "POST", BP, { macs: [MAC], kernel: "http://k/vmlinuz" });
      await call(bss, "POST", BP, { hosts: ["Unknown-x86_64"], kernel: "http://k/discovery" });
      guarded.forbid(true);
      const requests = [
        [`mac=${MAC}`, 200],
        [`name=${XNAME}&retry=3`, 200],
        ["nid=1&json=1", 200],
        ["mac=52:54:00:00:00:99", 200],
        ["mac=52:54:00:00:00:99&arch=x86_64", 200],
        ["mac=52:54:00:00:00:99&arch=arm64", 404],
        ["name=x1000c0s1b0n0", 200],
      ] as const;
      for (const [query, status] of requests) {
        const result = await call(bss, "GET", `/boot/v1/bootscript?${query}`);
        assert.equal(result.status, status, `${query}: ${result.text}`);
      }
      assert.equal(guarded.attempts(), 0);
      // The guard works: a route that does query fails while it is on.
      assert.equal((await call(bss, "GET", "/boot/v1/service/storage/status")).status, 500);
      assert.equal(guarded.attempts(), 1);
    } finally {
      guarded.forbid(false);
      await bss.close();
      await inner.close();
    }
  });
});
