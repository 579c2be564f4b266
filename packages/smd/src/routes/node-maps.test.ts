import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { call, startSmd, type TestSmd } from "../test-support.ts";

describe("Defaults/NodeMaps", () => {
  let smd: TestSmd;
  before(async () => {
    smd = await startSmd();
  });
  after(() => smd.close());

  test("POST upserts, GET lists sorted with canonical roles, case-insensitive keys", async () => {
    const posted = await call(smd, "POST", "/Defaults/NodeMaps", {
      nodemaps: [
        { id: "x0c0s1b0n0", nid: 2, role: "compute", SubRole: "WORKER" },
        { ID: "X0001c0s0b0n0", NID: 1, NodeInfo: { rack: 1 }, Unknown: true },
      ],
    });
    assert.equal(posted.status, 200);
    assert.deepEqual(posted.json(), { code: 0, message: "Created or modified 2 entries" });
    const listed = await call(smd, "GET", "/Defaults/NodeMaps");
    assert.deepEqual(listed.json(), {
      NodeMaps: [
        { ID: "x0c0s1b0n0", NID: 2, Role: "Compute", SubRole: "Worker" },
        { ID: "x1c0s0b0n0", NID: 1, NodeInfo: { rack: 1 } },
      ],
    });
  });

  test("bad entries are 400 and store nothing", async () => {
    for (const body of [
      { NodeMaps: [{ ID: "x9c0s0b0n0" }] },
      { NodeMaps: [{ NID: 9 }] },
      { NodeMaps: [{ ID: "x9c0s0b0n0", NID: 9, Role: "Booster" }] },
      { NodeMaps: [{ ID: "x9c0s0b0", NID: 9 }] },
      { NodeMaps: [{ ID: "x9c0s0b0n0", NID: "9" }] },
    ]) {
      const response = await call(smd, "POST", "/Defaults/NodeMaps", body);
      assert.equal(response.status, 400, JSON.stringify(body));
      assert.equal(response.headers.get("content-type"), "application/problem+json");
    }
    assert.equal((await call(smd, "GET", "/Defaults/NodeMaps/x9c0s0b0n0")).status, 404);
  });

  test("a NID held by another node is 409", async () => {
    const response = await call(smd, "PUT", "/Defaults/NodeMaps/x5c0s0b0n0", { NID: 1 });
    assert.equal(response.status, 409);
  });

  test("GET one: 404 `no such xname.` for absent, non-node and malformed IDs", async () => {
    for (const id of ["x7c0s0b0n0", "x0c0s0b0", "FAKE"]) {
      const response = await call(smd, "GET", `/Defaults/NodeMaps/${id}`);
      assert.equal(response.status, 404);
      assert.equal((response.json() as { detail: string }).detail, "no such xname.");
    }
  });

  test("PUT creates and replaces; DELETE one: 400 malformed, 404 absent", async () => {
    const put = await call(smd, "PUT", "/Defaults/NodeMaps/x3c0s0b0n0", { NID: 30, Role: "service" });
    assert.deepEqual(put.json(), { ID: "x3c0s0b0n0", NID: 30, Role: "Service" });
    const replaced = await call(smd, "PUT", "/Defaults/NodeMaps/x3c0s0b0n0", { NID: 31 });
    assert.deepEqual(replaced.json(), { ID: "x3c0s0b0n0", NID: 31 });
    assert.equal((await call(smd, "DELETE", "/Defaults/NodeMaps/FAKE")).json().detail, "invalid xname");
    assert.equal((await call(smd, "DELETE", "/Defaults/NodeMaps/x8c0s0b0n0")).status, 404);
    assert.deepEqual((await call(smd, "DELETE", "/Defaults/NodeMaps/x3c0s0b0n0")).json(), {
      code: 0,
      message: "deleted 1 entry",
    });
  });

  test("DELETE all: 200 then 404", async () => {
    assert.equal((await call(smd, "DELETE", "/Defaults/NodeMaps")).status, 200);
    const again = await call(smd, "DELETE", "/Defaults/NodeMaps");
    assert.equal(again.status, 404);
    assert.equal((again.json() as { detail: string }).detail, "no entries to delete");
  });

  test("writes emit change events after commit", async () => {
    const events: unknown[] = [];
    const unsubscribe = await smd.db.listen("smd_changes", (event) => events.push(event));
    await call(smd, "PUT", "/Defaults/NodeMaps/x4c0s0b0n0", { NID: 40 });
    await unsubscribe();
    assert.deepEqual(events, [{ resource: "NodeMaps", op: "upsert", ids: ["x4c0s0b0n0"] }]);
  });
});
