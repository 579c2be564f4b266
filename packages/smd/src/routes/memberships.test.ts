import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Kysely } from "kysely";
import type { SmdTables } from "../store/schema.ts";
import { call, startSmd, type TestSmd } from "../test-support.ts";

describe("memberships", () => {
  let smd: TestSmd;
  before(async () => {
    smd = await startSmd();
    const posted = await call(smd, "POST", "/State/Components", {
      Components: [
        { ID: "x0c0s0b0n0", State: "On" },
        { ID: "x0c0s1b0n0", State: "Off" },
        { ID: "x0c0s2b0n0", State: "On" },
        { ID: "x0c0s2b0", State: "On" },
      ],
    });
    assert.equal(posted.status, 204);
    // Group and partition rows go in directly: their routes are another module's.
    const db = smd.db.kysely as Kysely<SmdTables>;
    const group = (label: string) => ({ label, description: "", tags: [], exclusive_group: "" });
    await db
      .insertInto("groups")
      .values([group("z-last"), group("a.first"), group("a-dash"), group("m")])
      .execute();
    await db
      .insertInto("group_members")
      .values(
        ["z-last", "a.first", "a-dash", "m"]
          .map((label) => ({ group_label: label, component_id: "x0c0s0b0n0", namespace: label }))
          .concat([{ group_label: "m", component_id: "x0c0s1b0n0", namespace: "m" }]),
      )
      .execute();
    await db.insertInto("partitions").values({ name: "p1", description: "", tags: [] }).execute();
    await db
      .insertInto("partition_members")
      .values({ component_id: "x0c0s1b0n0", partition_name: "p1" })
      .execute();
  });
  after(() => smd.close());

  test("GET lists every component with its partition ('' for none) and sorted group labels", async () => {
    const response = await call(smd, "GET", "/memberships");
    assert.equal(response.status, 200);
    assert.deepEqual(response.json(), [
      { id: "x0c0s0b0n0", partitionName: "", groupLabels: ["a-dash", "a.first", "m", "z-last"] },
      { id: "x0c0s1b0n0", partitionName: "p1", groupLabels: ["m"] },
      { id: "x0c0s2b0", partitionName: "", groupLabels: [] },
      { id: "x0c0s2b0n0", partitionName: "", groupLabels: [] },
    ]);
  });

  test("GET takes the component filters", async () => {
    const ids = async (query: string) =>
      (await call(smd, "GET", `/memberships?${query}`)).json().map((m: { id: string }) => m.id);
    assert.deepEqual(await ids("type=Node&state=!Off"), ["x0c0s0b0n0", "x0c0s2b0n0"]);
    assert.deepEqual(await ids("group=m&partition=NULL"), ["x0c0s0b0n0"]);
    assert.deepEqual(await ids("partition=p1"), ["x0c0s1b0n0"]);
    assert.deepEqual(await ids("group=NULL&type=Node"), ["x0c0s2b0n0"]);
    const bad = await call(smd, "GET", "/memberships?type=Booster");
    assert.equal(bad.status, 400);
    assert.equal(bad.json().detail, "bad query param: Argument was not a valid HMS Type");
  });

  test("an empty inventory is []", async () => {
    const empty = await startSmd();
    try {
      assert.equal((await call(empty, "GET", "/memberships")).text, "[]");
    } finally {
      await empty.close();
    }
  });

  test("GET one: normalised; 400 `invalid xname` when malformed; 404 `No such xname: <x>` when absent", async () => {
    assert.deepEqual((await call(smd, "GET", "/memberships/X0C0S1B0N0")).json(), {
      id: "x0c0s1b0n0",
      partitionName: "p1",
      groupLabels: ["m"],
    });
    const malformed = await call(smd, "GET", "/memberships/FAKE");
    assert.equal(malformed.status, 400);
    assert.equal(malformed.json().detail, "invalid xname");
    const absent = await call(smd, "GET", "/memberships/X9C0S0B0N0");
    assert.equal(absent.status, 404);
    assert.equal(absent.json().detail, "No such xname: x9c0s0b0n0");
  });
});
