import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { StaticInventory } from "@openchami/inventory";
import { migratedPglite } from "@openchami/testkit";
import { bssMigrations } from "../migrations.ts";
import { call, guardedDb, smdData, smdNode, startBss, type TestBss } from "../test-support.ts";

const N0 = "x1000c0s0b0n0";
const N1 = "x1000c0s1b0n0";

describe("/hosts, /dumpstate, /endpoint-history", () => {
  let bss: TestBss;
  let inventory: StaticInventory;
  before(async () => {
    inventory = new StaticInventory(
      smdData(
        smdNode(N0, { nid: 1, macs: ["52:54:00:be:ef:01"], endpoint: true }),
        smdNode(N1, { nid: 2, enabled: false }),
        { components: [{ ID: "x1000c0s0b0", Type: "NodeBMC", State: "Ready" }] },
      ),
    );
    bss = await startBss({ inventory });
  });
  after(() => bss.close());

  test("GET /hosts: every Node as an SMComponent", async () => {
    const hosts = (await call(bss, "GET", "/boot/v1/hosts")).json();
    assert.deepEqual(hosts, [
      {
        ID: N0,
        Type: "Node",
        State: "Ready",
        Flag: "OK",
        Enabled: true,
        Role: "Compute",
        NID: 1,
        Arch: "X86",
        Class: "River",
        FQDN: "",
        MAC: ["52:54:00:be:ef:01"],
        EndpointEnabled: true,
      },
      {
        ID: N1,
        Type: "Node",
        State: "Ready",
        Flag: "OK",
        Role: "Compute",
        NID: 2,
        Arch: "X86",
        Class: "River",
        FQDN: "",
        MAC: null,
        EndpointEnabled: false,
      },
    ]);
  });

  test("GET /hosts filters: name, then mac, then nid, concatenated; the first unknown is a 404", async () => {
    const ids = async (query: string) =>
      (await call(bss, "GET", `/boot/v1/hosts?${query}`)).json().map((h: { ID: string }) => h.ID);
    assert.deepEqual(await ids(`nid=2&mac=52:54:00:BE:EF:01&name=${N1}`), [N1, N0, N1]);
    assert.deepEqual(await ids(`name=${N0},${N1}`), [N0, N1]);
    const cases: [string, number, string][] = [
      ["name=x9c0s0b0n0", 404, "Not Found - Unknown host name 'x9c0s0b0n0'"],
      ["name=x1000c0s0b0", 404, "Not Found - Unknown host name 'x1000c0s0b0'"],
      ["mac=52:54:00:00:00:00", 404, "Not Found - Unknown MAC address '52:54:00:00:00:00'"],
      ["nid=9", 404, "Not Found - Unknown NID '9'"],
      ["nid=x", 400, "Bad Request - Invalid nid 'x'"],
    ];
    for (const [query, status, detail] of cases) {
      const result = await call(bss, "GET", `/boot/v1/hosts?${query}`);
      assert.deepEqual([result.status, result.json().detail], [status, detail]);
    }
  });

  test("POST /hosts: 204 and Cache-Control: no-cache", async () => {
    const result = await call(bss, "POST", "/boot/v1/hosts");
    assert.equal(result.status, 204);
    assert.equal(result.headers.get("cache-control"), "no-cache");
  });

  test("GET /dumpstate: Components as /hosts, Params as GET all", async () => {
    await call(bss, "POST", "/boot/v1/bootparameters", { hosts: [N0], kernel: "http://k" });
    const state = (await call(bss, "GET", "/apis/bss/boot/v1/dumpstate")).json();
    assert.deepEqual(Object.keys(state), ["Components", "Params"]);
    assert.equal(state.Components.length, 2);
    assert.deepEqual(state.Params[0].hosts, [N0]);
  });

  test("GET /endpoint-history: always an array; a valid pair never accessed reads 0; filters combine", async () => {
    const history = async (query: string) =>
      (await call(bss, "GET", `/boot/v1/endpoint-history${query}`)).json();
    assert.deepEqual(await history(""), []);
    assert.deepEqual(await history(`?name=${N0}&endpoint=user-data`), [
      { name: N0, endpoint: "user-data", last_epoch: 0 },
    ]);
    assert.deepEqual(await history(`?name=${N0}&endpoint=bogus`), []);
    await call(bss, "GET", `/boot/v1/bootscript?name=${N0}`);
    const [entry] = await history("?endpoint=bootscript");
    assert.equal(entry.name, N0);
    assert.deepEqual(await history(`?name=X1000C0S0B0N0&endpoint=bootscript`), [entry]);
    assert.deepEqual(await history(`?name=${N1}`), []);
  });

  test("GET / answers Hello World!; each mount serves its OpenAPI document", async () => {
    const result = await call(bss, "GET", "/boot/v1/");
    assert.deepEqual([result.status, result.text], [200, "Hello World!"]);
    const openapi = (await call(bss, "GET", "/apis/bss/boot/v1/openapi.json")).json();
    assert.deepEqual(openapi.servers, [{ url: "/apis/bss/boot/v1" }]);
    assert.ok(openapi.paths["/bootparameters"].post.requestBody);
    assert.deepEqual(openapi.paths["/bootscript"].get.security, []);
  });
});

describe("/service routes", () => {
  test("bodies, content type and failures", async () => {
    const inner = await migratedPglite([bssMigrations]);
    const guarded = guardedDb(inner);
    const inventory = new StaticInventory();
    const bss = await startBss({ db: guarded.db, inventory });
    try {
      const get = (path: string) => call(bss, "GET", `/boot/v1/service/${path}`);
      const status = await get("status");
      assert.equal(status.text, '{"bss-status":"running"}\n');
      assert.equal(status.headers.get("content-type"), "application/json");
      assert.match((await get("version")).text, /^\{"bss-version":"\d+\.\d+\.\d+"\}\n$/);
      const hsm = await get("hsm");
      assert.deepEqual(
        [hsm.status, hsm.json()],
        [500, { "bss-status-hsm": "error" }],
        "inventory not loaded yet",
      );
      inventory.set({});
      assert.deepEqual((await get("hsm")).json(), { "bss-status-hsm": "connected" });
      assert.deepEqual((await get("storage/status")).json(), {
        "bss-storage-backend": { name: "postgres", status: "connected" },
      });
      const all = await get("status/all");
      assert.equal(all.status, 200);
      assert.deepEqual(Object.keys(all.json()), [
        "bss-version",
        "bss-status",
        "bss-status-hsm",
        "bss-storage-backend",
      ]);
      guarded.forbid(true);
      const down = await get("status/all");
      assert.equal(down.status, 500);
      assert.deepEqual(down.json()["bss-storage-backend"], { name: "postgres", status: "error" });
    } finally {
      guarded.forbid(false);
      await bss.close();
      await inner.close();
    }
  });
});
