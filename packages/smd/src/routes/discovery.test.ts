import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { DiscoveryCollector } from "../discovery.ts";
import { call, startSmd, type TestSmd } from "../test-support.ts";

const STATUS_URI = [{ URI: "/hsm/v2/Inventory/DiscoveryStatus/0" }];

/** RedfishEndpoint rows straight into the table (the RFE routes are not needed here). */
async function insertEndpoints(smd: TestSmd, endpoints: { id: string; enabled: boolean }[]): Promise<void> {
  await smd.db.kysely
    .insertInto("redfish_endpoints")
    .values(endpoints.map(({ id, enabled }) => ({ id, type: "NodeBMC", fqdn: id, enabled })))
    .execute();
}

async function status(smd: TestSmd) {
  return (await call(smd, "GET", "/Inventory/DiscoveryStatus/0")).json();
}

function detail(response: { json: () => { detail: string } }): string {
  return response.json().detail;
}

describe("Inventory/Discover and DiscoveryStatus, no collector", () => {
  let smd: TestSmd;
  before(async () => {
    smd = await startSmd();
  });
  after(() => smd.close());

  test("status row 0 starts NotStarted, without Details", async () => {
    const list = await call(smd, "GET", "/Inventory/DiscoveryStatus");
    assert.equal(list.status, 200);
    const [row] = list.json();
    assert.deepEqual(Object.keys(row), ["ID", "Status", "LastUpdateTime"]);
    assert.equal(row.ID, 0);
    assert.equal(row.Status, "NotStarted");
    assert.ok(!Number.isNaN(Date.parse(row.LastUpdateTime)));
    assert.deepEqual(await status(smd), row);
  });

  test("GET one: non-integer → 400, absent → 404 `no such DiscoveryStatus ID.`", async () => {
    for (const id of ["FAKE", "-1", "1.5", "4294967296"]) {
      const response = await call(smd, "GET", `/Inventory/DiscoveryStatus/${id}`);
      assert.equal(response.status, 400, id);
      assert.equal(detail(response), "DiscoveryStatus ID not an unsigned integer");
    }
    const absent = await call(smd, "GET", "/Inventory/DiscoveryStatus/999999999");
    assert.equal(absent.status, 404);
    assert.equal(detail(absent), "no such DiscoveryStatus ID.");
  });

  test("POST with no RedfishEndpoints → 404 `RedfishEndpoints collection is empty`; status unchanged", async () => {
    for (const body of [{}, { xnames: [] }, { xnames: null, force: true }, "null"]) {
      const response = await call(smd, "POST", "/Inventory/Discover", body);
      assert.equal(response.status, 404, JSON.stringify(body));
      assert.equal(detail(response), "RedfishEndpoints collection is empty");
    }
    assert.equal((await status(smd)).Status, "NotStarted");
  });

  test("a body Go cannot decode → 400 `POST body was not understood` (not `error decoding JSON`)", async () => {
    const bodies = [
      "{",
      "",
      "[]",
      '"x0c0s1b0"',
      '{"xnames":"x0c0s1b0"}',
      '{"xnames":[1]}',
      '{"force":"yes"}',
    ];
    for (const body of [...bodies, undefined]) {
      for (const headers of [{ "content-type": "application/json" }, {} as Record<string, string>]) {
        const response = await fetch(`${smd.url}/Inventory/Discover`, { method: "POST", headers, body });
        assert.equal(response.status, 400, `${body} ${JSON.stringify(headers)}`);
        assert.equal(((await response.json()) as { detail: string }).detail, "POST body was not understood");
      }
    }
  });

  test("POST names endpoints (case-insensitive keys, normalised IDs) → 200 URI; Complete with Details", async () => {
    await insertEndpoints(smd, [
      { id: "x0c0s1b0", enabled: true },
      { id: "x0c0s2b0", enabled: false },
    ]);
    const events: unknown[] = [];
    const unsubscribe = await smd.db.listen("smd_changes", (event) => events.push(event));
    const response = await call(smd, "POST", "/Inventory/Discover", {
      XNames: ["X0C0S1B0", "x0c0s1b0"],
      Force: false,
    });
    await unsubscribe();
    assert.equal(response.status, 200);
    assert.deepEqual(response.json(), STATUS_URI);
    const row = await status(smd);
    assert.equal(row.Status, "Complete");
    assert.deepEqual(row.Details, {
      description: "no Redfish collector configured; endpoints were not crawled",
    });
    assert.deepEqual(events, [{ resource: "DiscoveryStatus", op: "upsert", ids: ["0"] }]);
    // Nothing crawled them.
    const rows = await smd.db.kysely.selectFrom("redfish_endpoints").select("discovery_info").execute();
    for (const { discovery_info } of rows)
      assert.deepEqual(discovery_info, { LastDiscoveryStatus: "NotYetQueried" });
  });

  test("a wrong method is 405 with Allow, the raw-body route included", async () => {
    const discover = await call(smd, "GET", "/Inventory/Discover");
    assert.equal(discover.status, 405);
    assert.equal(discover.headers.get("allow"), "POST");
    const status = await call(smd, "DELETE", "/Inventory/DiscoveryStatus/0");
    assert.equal(status.status, 405);
    assert.equal(detail(status), "allow GET");
  });

  test("an unknown endpoint → 404 `No such RedfishEndpoint: <x>`; an empty list means all", async () => {
    const unknown = await call(smd, "POST", "/Inventory/Discover", { xnames: ["x0c0s1b0", "x9c9s9b9"] });
    assert.equal(unknown.status, 404);
    assert.equal(detail(unknown), "No such RedfishEndpoint: x9c9s9b9");
    const all = await call(smd, "POST", "/Inventory/Discover", { force: true });
    assert.equal(all.status, 200);
    assert.deepEqual(all.json(), STATUS_URI);
  });
});

describe("Inventory/Discover with a collector", () => {
  let smd: TestSmd;
  const requests: { endpoints: readonly string[]; force: boolean }[] = [];
  let finish: (error?: Error) => void = () => {};
  const collector: DiscoveryCollector = {
    discover: ({ endpoints, force }) =>
      new Promise((resolve, reject) => {
        requests.push({ endpoints, force });
        finish = (error) => (error ? reject(error) : resolve());
      }),
  };
  before(async () => {
    smd = await startSmd({ deps: { collector } });
    await insertEndpoints(smd, [
      { id: "x0c0s1b0", enabled: true },
      { id: "x0c0s2b0", enabled: false },
      { id: "x0c0s3b0", enabled: true },
    ]);
  });
  after(() => smd.close());

  /** Waits until row 0 reaches `wanted` (the collector finishes in the background). */
  async function until(wanted: string) {
    for (let i = 0; i < 100; i++) {
      const row = await status(smd);
      if (row.Status === wanted) return row;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    assert.fail(`status never became ${wanted}`);
  }

  test("crawls the enabled endpoints: InProgress until the collector is done, then Complete", async () => {
    const response = await call(smd, "POST", "/Inventory/Discover", { xnames: [], force: true });
    assert.deepEqual(response.json(), STATUS_URI);
    assert.deepEqual(requests, [{ endpoints: ["x0c0s1b0", "x0c0s3b0"], force: true }]);
    assert.equal((await status(smd)).Status, "InProgress");
    finish();
    const row = await until("Complete");
    assert.equal(row.Details, undefined);
  });

  test("a failed crawl completes with the failure in Details", async () => {
    await call(smd, "POST", "/Inventory/Discover", { xnames: ["x0c0s3b0"] });
    assert.deepEqual(requests.at(-1), { endpoints: ["x0c0s3b0"], force: false });
    finish(new Error("BMC unreachable"));
    const row = await until("Complete");
    assert.deepEqual(row.Details, { description: "discovery failed: BMC unreachable" });
  });
});

describe("Inventory/Discover with auth", () => {
  let smd: TestSmd;
  before(async () => {
    smd = await startSmd({ auth: true });
  });
  after(() => smd.close());

  test("POST needs write; DiscoveryStatus needs read", async () => {
    const bearer = async (scopes: string[]) => ({ authorization: `Bearer ${await smd.token(scopes)}` });
    assert.equal((await call(smd, "POST", "/Inventory/Discover", {})).status, 401);
    assert.equal((await call(smd, "POST", "/Inventory/Discover", {}, await bearer(["read"]))).status, 403);
    assert.equal((await call(smd, "POST", "/Inventory/Discover", {}, await bearer(["write"]))).status, 404);
    assert.equal((await call(smd, "GET", "/Inventory/DiscoveryStatus")).status, 401);
    assert.equal(
      (await call(smd, "GET", "/Inventory/DiscoveryStatus", undefined, await bearer(["read"]))).status,
      200,
    );
  });
});
