import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { call, insertComponents, startSmd, type TestSmd } from "../test-support.ts";

const [N1, N2, N3] = ["x0c0s1b0n0", "x0c0s2b0n0", "x0c0s3b0n0"] as const;

function detail(response: { json: () => { detail: string } }): string {
  return response.json().detail;
}

describe("partitions", () => {
  let smd: TestSmd;
  before(async () => {
    smd = await startSmd();
    await insertComponents(smd, [N1, N2, N3, "p9999.9999"]);
  });
  after(() => smd.close());

  test("POST creates (201 URI list); GET answers it with sorted members, empty fields omitted", async () => {
    const posted = await call(smd, "POST", "/partitions", {
      Name: "P1",
      description: "first",
      tags: ["A"],
      members: { ids: [N2, N1] },
    });
    assert.equal(posted.status, 201);
    assert.deepEqual(posted.json(), [{ URI: "/hsm/v2/partitions/p1" }]);
    assert.deepEqual((await call(smd, "GET", "/partitions/p1")).json(), {
      name: "p1",
      description: "first",
      tags: ["a"],
      members: { ids: [N1, N2] },
    });
    assert.equal((await call(smd, "POST", "/partitions", { name: "p2.1" })).status, 201);
    assert.deepEqual((await call(smd, "GET", "/partitions/p2.1")).json(), {
      name: "p2.1",
      members: { ids: [] },
    });
  });

  test("POST errors: bad name or tag 400; duplicate name 409; member in another partition 409; unknown member 400", async () => {
    const cases: [unknown, number, string][] = [
      [{ name: "compute" }, 400, "couldn't validate partition: Bad partition name. Must be p# or p#.#"],
      [{ name: "p1.2.3" }, 400, "couldn't validate partition: Bad partition name. Must be p# or p#.#"],
      [
        { name: "p3", tags: ["a b"] },
        400,
        "couldn't validate partition: group or partition field has invalid characters",
      ],
      [{ name: "P1" }, 409, "operation would conflict with an existing partition that has the same name."],
      [
        { name: "p3", members: { ids: [N3, N1] } },
        409,
        "operation would conflict with an existing member in another partition.",
      ],
      [{ name: "p3", members: { ids: ["x9c0s0b0n0"] } }, 400, "linked component does not exist"],
    ];
    for (const [body, status, text] of cases) {
      const response = await call(smd, "POST", "/partitions", body);
      assert.equal(response.status, status, JSON.stringify(body));
      assert.equal(detail(response), text);
    }
    assert.equal((await call(smd, "GET", "/partitions/p3")).status, 404, "failed POSTs stored nothing");
  });

  test("GET /partitions filters by partition and tag; /partitions/names lists names", async () => {
    assert.deepEqual(
      (await call(smd, "GET", "/partitions")).json().map((p: { name: string }) => p.name),
      ["p1", "p2.1"],
    );
    assert.deepEqual(
      (await call(smd, "GET", "/partitions?partition=P2.1")).json().map((p: { name: string }) => p.name),
      ["p2.1"],
    );
    assert.deepEqual(
      (await call(smd, "GET", "/partitions?tag=a")).json().map((p: { name: string }) => p.name),
      ["p1"],
    );
    assert.equal(detail(await call(smd, "GET", "/partitions?tag=a%20b")), "Invalid tag.");
    assert.equal(detail(await call(smd, "GET", "/partitions?partition=a%20b")), "Invalid partition name.");
    assert.deepEqual((await call(smd, "GET", "/partitions/names")).json(), ["p1", "p2.1"]);
  });

  test("GET one: 404 `No such partition: <name>`", async () => {
    const absent = await call(smd, "GET", "/partitions/p7");
    assert.equal(absent.status, 404);
    assert.equal(detail(absent), "No such partition: p7");
    assert.equal(detail(await call(smd, "GET", "/partitions/p7/members")), "No such partition: p7");
    assert.equal(detail(await call(smd, "GET", "/partitions/a%20b")), "Invalid partition name.");
  });

  test("PATCH: 204; neither field 400; unknown 404 `no such partition.`", async () => {
    assert.equal(
      (await call(smd, "PATCH", "/partitions/p2.1", { description: "second", tags: ["B"] })).status,
      204,
    );
    assert.deepEqual((await call(smd, "GET", "/partitions/p2.1")).json(), {
      name: "p2.1",
      description: "second",
      tags: ["b"],
      members: { ids: [] },
    });
    assert.equal(
      detail(await call(smd, "PATCH", "/partitions/p2.1", {})),
      "Request must have at least one patch field.",
    );
    const absent = await call(smd, "PATCH", "/partitions/p7", { description: "x" });
    assert.equal(absent.status, 404);
    assert.equal(detail(absent), "no such partition.");
  });

  test("member POST: IDs need not look like node xnames but must be components; one partition per component", async () => {
    const added = await call(smd, "POST", "/partitions/p2.1/members", { id: "P9999.9999" });
    assert.equal(added.status, 201);
    assert.deepEqual(added.json(), [{ URI: "/hsm/v2/partitions/p2.1/members/p9999.9999" }]);

    const same = await call(smd, "POST", "/partitions/p2.1/members", { id: "p9999.9999" });
    assert.equal(same.status, 409);
    assert.equal(detail(same), "operation would conflict with an existing member in the same partition.");
    const other = await call(smd, "POST", "/partitions/p2.1/members", { id: N1 });
    assert.equal(other.status, 409);
    assert.equal(detail(other), "operation would conflict with an existing member in another partition.");
    const unknown = await call(smd, "POST", "/partitions/p2.1/members", { id: "not-a-component" });
    assert.equal(unknown.status, 400);
    assert.equal(detail(unknown), "linked component does not exist");
    const noPartition = await call(smd, "POST", "/partitions/p7/members", { id: N3 });
    assert.equal(noPartition.status, 404);
    assert.equal(detail(noPartition), "No such partition: p7");
    assert.deepEqual((await call(smd, "GET", "/partitions/p2.1/members")).json(), { ids: ["p9999.9999"] });
  });

  test("parallel adds of one component to different partitions: exactly one wins", async () => {
    await call(smd, "POST", "/partitions", { name: "p5" });
    await call(smd, "POST", "/partitions", { name: "p6" });
    const adds = await Promise.all(
      ["p5", "p6", "p5", "p6"].map((name) => call(smd, "POST", `/partitions/${name}/members`, { id: N3 })),
    );
    assert.deepEqual(adds.map((r) => r.status).sort(), [201, 409, 409, 409]);
    await call(smd, "DELETE", "/partitions/p5");
    await call(smd, "DELETE", "/partitions/p6");
  });

  test("member DELETE: 200; malformed 400 `invalid xname ID`; not a member 404; unknown partition 404", async () => {
    assert.deepEqual((await call(smd, "DELETE", `/partitions/p1/members/${N2}`)).json(), {
      code: 0,
      message: "deleted 1 entry",
    });
    assert.equal(detail(await call(smd, "DELETE", "/partitions/p1/members/FAKE")), "invalid xname ID");
    const notMember = await call(smd, "DELETE", `/partitions/p1/members/${N2}`);
    assert.equal(notMember.status, 404);
    assert.equal(detail(notMember), "partition has no such member.");
    assert.equal(detail(await call(smd, "DELETE", `/partitions/p7/members/${N2}`)), "No such partition: p7");
  });

  test("DELETE: 200, then 404 `no such partition.`; members are released", async () => {
    assert.equal((await call(smd, "DELETE", "/partitions/p1")).status, 200);
    const again = await call(smd, "DELETE", "/partitions/p1");
    assert.equal(again.status, 404);
    assert.equal(detail(again), "no such partition.");
    assert.equal((await call(smd, "POST", "/partitions/p2.1/members", { id: N1 })).status, 201);
  });

  test("writes emit `partitions` change events", async () => {
    const events: unknown[] = [];
    const unsubscribe = await smd.db.listen("smd_changes", (event) => events.push(event));
    await call(smd, "POST", "/partitions", { name: "p8" });
    await call(smd, "DELETE", "/partitions/p8");
    await unsubscribe();
    assert.deepEqual(events, [
      { resource: "partitions", op: "upsert", ids: ["p8"] },
      { resource: "partitions", op: "delete", ids: ["p8"] },
    ]);
  });
});
