import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { call, startSmd, type TestSmd } from "../test-support.ts";

describe("cached hot GETs", () => {
  let smd: TestSmd;
  before(async () => {
    smd = await startSmd();
  });
  after(() => smd.close());

  for (const [path, write] of [
    [
      "/State/Components",
      () => call(smd, "POST", "/State/Components", { Components: [{ ID: "x1c0s0b0n0", State: "On" }] }),
    ],
    [
      "/Inventory/EthernetInterfaces",
      () =>
        call(smd, "POST", "/Inventory/EthernetInterfaces", {
          MACAddress: "02:00:00:00:00:01",
          ComponentID: "x1c0s0b0n0",
        }),
    ],
  ] as const) {
    test(`${path}: strong ETag, 304 on If-None-Match, fresh body right after a write`, async () => {
      const first = await call(smd, "GET", path);
      const etag = first.headers.get("etag")!;
      assert.match(etag, /^"[A-Za-z0-9_-]+"$/);
      const again = await call(smd, "GET", path, undefined, { "if-none-match": etag });
      assert.equal(again.status, 304);
      assert.equal(again.text, "");

      assert.ok((await write()).status < 300);
      const after = await call(smd, "GET", path, undefined, { "if-none-match": etag });
      assert.equal(after.status, 200, "the write invalidated the cached body at once");
      assert.notEqual(after.headers.get("etag"), etag);
      assert.notDeepEqual(after.json(), first.json());
    });
  }

  test("a filtered listing is cached per query and still validates its parameters", async () => {
    const nodes = await call(smd, "GET", "/State/Components?type=Node");
    assert.equal(nodes.json().Components.length, 1);
    assert.equal((await call(smd, "GET", "/State/Components?type=NodeBMC")).json().Components.length, 0);
    const bad = await call(smd, "GET", "/State/Components?type=Booster");
    assert.equal(bad.status, 400);
    assert.equal(bad.json().detail, "bad query param: Argument was not a valid HMS Type");
  });

  test("a single component: ETag, and every kind of write shows at once", async () => {
    const first = await call(smd, "GET", "/State/Components/x1c0s0b0n0");
    assert.equal(first.json().State, "On");
    const etag = first.headers.get("etag")!;
    assert.equal(
      (await call(smd, "GET", "/State/Components/x1c0s0b0n0", undefined, { "if-none-match": etag })).status,
      304,
    );
    await call(smd, "PATCH", "/State/Components/x1c0s0b0n0/StateData", { State: "Off" });
    assert.equal((await call(smd, "GET", "/State/Components/x1c0s0b0n0")).json().State, "Off");
    await call(smd, "PATCH", "/State/Components/BulkNID", { Components: [{ ID: "x1c0s0b0n0", NID: 77 }] });
    assert.equal((await call(smd, "GET", "/State/Components/x1c0s0b0n0")).json().NID, 77);
    await call(smd, "POST", "/locks/lock", { ComponentIDs: ["x1c0s0b0n0"] });
    assert.equal((await call(smd, "GET", "/State/Components/x1c0s0b0n0")).json().Locked, true);
    await call(smd, "DELETE", "/State/Components/x1c0s0b0n0");
    assert.equal((await call(smd, "GET", "/State/Components/x1c0s0b0n0")).status, 404);
    await call(smd, "POST", "/State/Components", { Components: [{ ID: "x1c0s0b0n0", State: "On" }] });
  });

  test("group changes reach group-filtered listings", async () => {
    assert.deepEqual((await call(smd, "GET", "/State/Components?group=racka")).json(), { Components: [] });
    await call(smd, "POST", "/groups", { label: "racka", members: { ids: ["x1c0s0b0n0"] } });
    const listed = await call(smd, "GET", "/State/Components?group=racka");
    assert.deepEqual(
      listed.json().Components.map((c: { ID: string }) => c.ID),
      ["x1c0s0b0n0"],
    );
  });
});
