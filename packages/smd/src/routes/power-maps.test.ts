import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { call, startSmd, type TestSmd } from "../test-support.ts";

function detail(response: { json: () => { detail: string } }): string {
  return response.json().detail;
}

describe("sysinfo/powermaps", () => {
  let smd: TestSmd;
  before(async () => {
    smd = await startSmd();
  });
  after(() => smd.close());

  test("POST takes a bare array and upserts; GET lists sorted, normalised", async () => {
    const posted = await call(smd, "POST", "/sysinfo/powermaps", [
      { ID: "x0c0s2b0n0", PoweredBy: ["x0m0p0v1"] },
      { id: "X0001c0s1b0n0", poweredBy: ["x0m0p0v2", "x0m0p1v1"] },
    ]);
    assert.equal(posted.status, 200);
    assert.deepEqual(posted.json(), { code: 0, message: "Created or modified 2 entries" });
    assert.deepEqual((await call(smd, "GET", "/sysinfo/powermaps")).json(), [
      { id: "x0c0s2b0n0", poweredBy: ["x0m0p0v1"] },
      { id: "x1c0s1b0n0", poweredBy: ["x0m0p0v2", "x0m0p1v1"] },
    ]);
    await call(smd, "POST", "/sysinfo/powermaps", [{ id: "x0c0s2b0n0", poweredBy: ["x0m0p0v3"] }]);
    assert.deepEqual((await call(smd, "GET", "/sysinfo/powermaps/x0c0s2b0n0")).json(), {
      id: "x0c0s2b0n0",
      poweredBy: ["x0m0p0v3"],
    });
  });

  test("POST validation: 400 with upstream's texts, nothing stored", async () => {
    const cases: [unknown, string][] = [
      [[{ id: "x5c0s0b0n0" }], "poweredby is required for PowerMaps"],
      [[{ id: "x5c0s0b0n0", poweredBy: [] }], "poweredby is required for PowerMaps"],
      [
        [
          { id: "x5c0s0b0n0", poweredBy: ["x0m0p0v1"] },
          { id: "FAKE", poweredBy: ["x0m0p0v1"] },
        ],
        "couldn't validate map data at idx 1: xname ID 'FAKE' is invalid",
      ],
      [
        [{ id: "x5c0s0b0n0", poweredBy: ["bad"] }],
        "couldn't validate map data at idx 0: Power supply xname ID 'bad' is invalid",
      ],
    ];
    for (const [body, text] of cases) {
      const response = await call(smd, "POST", "/sysinfo/powermaps", body);
      assert.equal(response.status, 400, JSON.stringify(body));
      assert.equal(detail(response), text);
    }
    assert.match(
      detail(await call(smd, "POST", "/sysinfo/powermaps", { id: "x5" })),
      /^error decoding JSON /,
    );
    assert.equal((await call(smd, "GET", "/sysinfo/powermaps/x5c0s0b0n0")).status, 404);
  });

  test("GET one: malformed 400 `invalid xname`, absent 404 `no such xname.`", async () => {
    assert.equal(detail(await call(smd, "GET", "/sysinfo/powermaps/FAKE")), "invalid xname");
    const absent = await call(smd, "GET", "/sysinfo/powermaps/x9c0s0b0n0");
    assert.equal(absent.status, 404);
    assert.equal(detail(absent), "no such xname.");
  });

  test("PUT creates or replaces and answers the map; mismatches and bad bodies are 400", async () => {
    const put = await call(smd, "PUT", "/sysinfo/powermaps/x3c0s0b0n0", { poweredBy: ["X0m0p0v1"] });
    assert.equal(put.status, 200);
    assert.deepEqual(put.json(), { id: "x3c0s0b0n0", poweredBy: ["x0m0p0v1"] });
    const withId = await call(smd, "PUT", "/sysinfo/powermaps/x3c0s0b0n0", {
      id: "x03c0s0b0n0",
      poweredBy: ["x0m0p0v2"],
    });
    assert.deepEqual(withId.json(), { id: "x3c0s0b0n0", poweredBy: ["x0m0p0v2"] });

    for (const [path, body, text] of [
      ["FAKE", { poweredBy: ["x0m0p0v1"] }, "invalid xname"],
      ["x3c0s0b0n0", { id: "x4c0s0b0n0", poweredBy: ["x0m0p0v1"] }, "xname in URL and PUT body do not match"],
      ["x3c0s0b0n0", { poweredBy: [] }, "poweredby is required in PUT body"],
      [
        "x3c0s0b0n0",
        { poweredBy: ["nope"] },
        "couldn't validate PowerMap data: Power supply xname ID 'nope' is invalid",
      ],
    ] as const) {
      const response = await call(smd, "PUT", `/sysinfo/powermaps/${path}`, body);
      assert.equal(response.status, 400, JSON.stringify(body));
      assert.equal(detail(response), text);
    }
  });

  test("DELETE one: 200; malformed 400; absent 404", async () => {
    assert.deepEqual((await call(smd, "DELETE", "/sysinfo/powermaps/x3c0s0b0n0")).json(), {
      code: 0,
      message: "deleted 1 entry",
    });
    assert.equal(detail(await call(smd, "DELETE", "/sysinfo/powermaps/FAKE")), "invalid xname");
    assert.equal(detail(await call(smd, "DELETE", "/sysinfo/powermaps/x3c0s0b0n0")), "no such xname.");
  });

  test("DELETE all: 200 then 404; writes emit `powermaps` change events", async () => {
    const events: unknown[] = [];
    const unsubscribe = await smd.db.listen("smd_changes", (event) => events.push(event));
    const first = await call(smd, "DELETE", "/sysinfo/powermaps");
    assert.deepEqual(first.json(), { code: 0, message: "deleted 2 entries" });
    const again = await call(smd, "DELETE", "/sysinfo/powermaps");
    assert.equal(again.status, 404);
    assert.equal(detail(again), "no entries to delete");
    assert.deepEqual((await call(smd, "GET", "/sysinfo/powermaps")).json(), []);
    await unsubscribe();
    assert.equal(events.length, 1);
    const [event] = events as { resource: string; op: string; ids: string[] }[];
    assert.deepEqual(
      { ...event, ids: event?.ids.sort() },
      {
        resource: "powermaps",
        op: "delete",
        ids: ["x0c0s2b0n0", "x1c0s1b0n0"],
      },
    );
  });
});
