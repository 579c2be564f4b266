import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { call, startSmd, type TestSmd } from "../test-support.ts";

const CEIS = "/Inventory/EthernetInterfaces";
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

describe("Inventory/EthernetInterfaces", () => {
  let smd: TestSmd;
  before(async () => {
    smd = await startSmd();
  });
  after(() => smd.close());

  const ids = async (query: string) =>
    (await call(smd, "GET", `${CEIS}?${query}`)).json().map((i: { ID: string }) => i.ID);

  test("POST: 201 {URI} + Location; MAC canonical, ID = MAC without colons, Type from ComponentID", async () => {
    const posted = await call(smd, "POST", CEIS, {
      macaddress: "AA-BB-CC-DD-EE-01",
      Description: "node nic",
      ComponentID: "X0C0S0B0N0",
      IPAddresses: [{ IPAddress: "10.0.0.1", Network: "mgmt" }, { IPAddress: "10.1.0.1" }],
      ID: "ignored",
      Type: "ignored",
    });
    assert.equal(posted.status, 201, posted.text);
    assert.deepEqual(posted.json(), { URI: "/hsm/v2/Inventory/EthernetInterfaces/aabbccddee01" });
    assert.equal(posted.headers.get("location"), "/hsm/v2/Inventory/EthernetInterfaces/aabbccddee01");
    const iface = (await call(smd, "GET", `${CEIS}/AABBCCDDEE01`)).json();
    assert.match(iface.LastUpdate, RFC3339);
    assert.deepEqual(iface, {
      ID: "aabbccddee01",
      Description: "node nic",
      MACAddress: "aa:bb:cc:dd:ee:01",
      LastUpdate: iface.LastUpdate,
      ComponentID: "x0c0s0b0n0",
      Type: "Node",
      IPAddresses: [{ IPAddress: "10.0.0.1", Network: "mgmt" }, { IPAddress: "10.1.0.1" }],
    });
  });

  test("POST without component or IPs (null as Go clients send it)", async () => {
    const posted = await call(smd, "POST", CEIS, { MACAddress: "aabb.ccdd.ee02", IPAddresses: null });
    assert.equal(posted.status, 201, posted.text);
    const iface = (await call(smd, "GET", `${CEIS}/aabbccddee02`)).json();
    assert.deepEqual([iface.ComponentID, iface.Type, iface.IPAddresses], ["", "", []]);
    await call(smd, "POST", CEIS, {
      MACAddress: "aa:bb:cc:dd:ee:03",
      ComponentID: "x0c0s0b0",
      IPAddresses: [{ IPAddress: "10.0.0.3" }],
    });
  });

  test("POST errors: bad MAC, empty IP, bad ComponentID, duplicate (409), bad JSON", async () => {
    const cases: [unknown, number, string][] = [
      [{ MACAddress: "aa:bb:cc:dd:ee" }, 400, "Invalid CompEthInterface MAC Address"],
      [{}, 400, "Invalid CompEthInterface MAC Address"],
      [
        { MACAddress: "aa:bb:cc:dd:ee:09", IPAddresses: [{ IPAddress: "" }] },
        400,
        "Invalid CompEthInterface IP Address",
      ],
      [
        { MACAddress: "aa:bb:cc:dd:ee:09", ComponentID: "FAKE" },
        400,
        "Invalid CompEthInterface component ID",
      ],
      [
        { MACAddress: "AA:BB:CC:DD:EE:01" },
        409,
        "operation would conflict with an existing component ethernet interface that has the same MAC address.",
      ],
    ];
    for (const [body, status, detail] of cases) {
      const response = await call(smd, "POST", CEIS, body);
      assert.equal(response.status, status, JSON.stringify(body));
      assert.equal(response.json().detail, detail);
    }
    const noBody = await call(smd, "POST", CEIS, undefined, { "content-type": "application/json" });
    assert.equal(noBody.json().detail, "error decoding JSON EOF");
    assert.equal((await call(smd, "GET", `${CEIS}/aabbccddee09`)).status, 404);
  });

  test("GET collection: a bare array sorted by ID, with or without trailing slash", async () => {
    const all = await call(smd, "GET", CEIS);
    assert.deepEqual(
      all.json().map((i: { ID: string }) => i.ID),
      ["aabbccddee01", "aabbccddee02", "aabbccddee03"],
    );
    assert.deepEqual((await call(smd, "GET", `${CEIS}/`)).json(), all.json());
  });

  test("GET filters: ID, MACAddress (any notation), IPAddress (empty = none), Network, ComponentID, Type", async () => {
    assert.deepEqual(await ids("ID=AABBCCDDEE02&id=aabbccddee03"), ["aabbccddee02", "aabbccddee03"]);
    assert.deepEqual(await ids("MACAddress=AA-BB-CC-DD-EE-03"), ["aabbccddee03"]);
    assert.deepEqual(await ids("IPAddress=10.1.0.1"), ["aabbccddee01"]);
    assert.deepEqual(await ids("IPAddress=10.0.0.3&IPAddress=10.0.0.1"), ["aabbccddee01", "aabbccddee03"]);
    assert.deepEqual(await ids("IPAddress="), ["aabbccddee02"]);
    assert.deepEqual(await ids("Network=mgmt"), ["aabbccddee01"]);
    assert.deepEqual(await ids("Network="), ["aabbccddee01", "aabbccddee02", "aabbccddee03"]);
    assert.deepEqual(await ids("ComponentID=x0c0s0b0n0"), ["aabbccddee01"]);
    assert.deepEqual(await ids("ComponentID="), ["aabbccddee02"]);
    assert.deepEqual(await ids("Type=nodebmc"), ["aabbccddee03"]);
    assert.deepEqual(await ids("Type=Node&IPAddress=10.0.0.3"), []);
  });

  test("GET filters: OlderThan and NewerThan (RFC 3339)", async () => {
    assert.deepEqual(await ids("OlderThan=2000-01-01T00:00:00Z"), []);
    assert.equal((await ids("NewerThan=2000-01-01T00:00:00%2B01:00")).length, 3);
    const bad = await call(smd, "GET", `${CEIS}?NewerThan=yesterday`);
    assert.equal(bad.status, 400);
    assert.equal(bad.json().detail, "bad query param: Argument was not in a valid RFC3339 time format");
  });

  test("GET filter errors: empty ID or MAC, bad ComponentID, bad Type", async () => {
    for (const [query, detail] of [
      ["ID=", "Invalid component ethernet interface ID."],
      ["MACAddress=", "Invalid component ethernet interface MAC address."],
      ["ComponentID=FAKE", "Invalid CompID."],
      ["Type=Booster", "Invalid HMS type."],
    ]) {
      const response = await call(smd, "GET", `${CEIS}?${query}`);
      assert.equal(response.status, 400, query);
      assert.equal(response.json().detail, detail);
    }
  });

  test("GET one: `No such component ethernet interface: <id>`", async () => {
    const response = await call(smd, "GET", `${CEIS}/AABBCCDDEE99`);
    assert.equal(response.status, 404);
    assert.equal(response.json().detail, "No such component ethernet interface: aabbccddee99");
  });

  test("PATCH: 200 + object, bumps LastUpdate, Type follows ComponentID", async () => {
    const before = (await call(smd, "GET", `${CEIS}/aabbccddee02`)).json();
    await new Promise((resolve) => setTimeout(resolve, 5));
    const patched = await call(smd, "PATCH", `${CEIS}/AABBCCDDEE02`, {
      Description: "moved",
      ComponentID: "x0c0s0b0n1",
      MACAddress: "ignored",
    });
    assert.equal(patched.status, 200, patched.text);
    assert.deepEqual(
      [
        patched.json().Description,
        patched.json().ComponentID,
        patched.json().Type,
        patched.json().IPAddresses,
      ],
      ["moved", "x0c0s0b0n1", "Node", []],
    );
    assert.ok(
      patched.json().LastUpdate > before.LastUpdate,
      `${patched.json().LastUpdate} > ${before.LastUpdate}`,
    );
    const ips = await call(smd, "PATCH", `${CEIS}/aabbccddee02`, {
      IPAddresses: [{ IPAddress: "10.0.0.2" }],
    });
    assert.deepEqual(ips.json().IPAddresses, [{ IPAddress: "10.0.0.2" }]);
    assert.equal(ips.json().Description, "moved");
  });

  test("PATCH errors: no field, absent, bad ComponentID", async () => {
    const none = await call(smd, "PATCH", `${CEIS}/aabbccddee02`, { MACAddress: "aa:bb:cc:dd:ee:02" });
    assert.equal(none.status, 400);
    assert.equal(none.json().detail, "Request must have at least one patch field.");
    const absent = await call(smd, "PATCH", `${CEIS}/aabbccddee99`, { Description: "x" });
    assert.equal(absent.status, 404);
    assert.equal(absent.json().detail, "no such component ethernet interface.");
    const bad = await call(smd, "PATCH", `${CEIS}/aabbccddee02`, { ComponentID: "FAKE" });
    assert.equal(bad.json().detail, "Invalid CompEthInterface component ID");
  });

  test("IPAddresses: GET, POST (201 URI, 409, 400, 404), PATCH Network, DELETE", async () => {
    const path = `${CEIS}/aabbccddee03/IPAddresses`;
    assert.deepEqual((await call(smd, "GET", path)).json(), [{ IPAddress: "10.0.0.3" }]);
    const posted = await call(smd, "POST", path, { ipaddress: "10.9.0.3", Network: "hsn" });
    assert.equal(posted.status, 201, posted.text);
    assert.deepEqual(posted.json(), {
      URI: "/hsm/v2/Inventory/EthernetInterfaces/aabbccddee03/IPAddresses/10.9.0.3",
    });
    const duplicate = await call(smd, "POST", path, { IPAddress: "10.9.0.3" });
    assert.equal(duplicate.status, 409);
    assert.equal(
      duplicate.json().detail,
      "operation would conflict with an existing IP Address on the same ethernet interface.",
    );
    assert.equal(
      (await call(smd, "POST", path, { Network: "x" })).json().detail,
      "Invalid CompEthInterface IP Address",
    );
    const noIface = await call(smd, "POST", `${CEIS}/aabbccddee99/IPAddresses`, { IPAddress: "10.0.0.9" });
    assert.equal(noIface.status, 404);
    assert.equal(noIface.json().detail, "No such component ethernet interface: aabbccddee99");

    const network = await call(smd, "PATCH", `${path}/10.9.0.3`, { Network: "fabric" });
    assert.equal(network.status, 200);
    assert.deepEqual(network.json(), { IPAddress: "10.9.0.3", Network: "fabric" });
    const missingIp = await call(smd, "PATCH", `${path}/10.9.9.9`, { Network: "x" });
    assert.equal(missingIp.status, 404);
    assert.equal(missingIp.json().detail, "no such IP address in component ethernet interface.");
    assert.deepEqual((await call(smd, "GET", path)).json(), [
      { IPAddress: "10.0.0.3" },
      { IPAddress: "10.9.0.3", Network: "fabric" },
    ]);

    assert.deepEqual((await call(smd, "DELETE", `${path}/10.0.0.3`)).json(), {
      code: 0,
      message: "deleted 1 entry",
    });
    const gone = await call(smd, "DELETE", `${path}/10.0.0.3`);
    assert.equal(gone.status, 404);
    assert.equal(gone.json().detail, "component ethernet interface has no such ip address.");
    const noCei = await call(smd, "DELETE", `${CEIS}/aabbccddee99/IPAddresses/10.0.0.3`);
    assert.equal(noCei.json().detail, "No such component ethernet interface: aabbccddee99");
    const getMissing = await call(smd, "GET", `${CEIS}/aabbccddee99/IPAddresses`);
    assert.equal(getMissing.json().detail, "No such component ethernet interface: aabbccddee99");
  });

  test("writes emit EthernetInterfaces change events", async () => {
    const events: unknown[] = [];
    const unsubscribe = await smd.db.listen("smd_changes", (event) => events.push(event));
    await call(smd, "POST", CEIS, { MACAddress: "aa:bb:cc:dd:ee:04" });
    await call(smd, "PATCH", `${CEIS}/aabbccddee04`, { Description: "x" });
    await call(smd, "DELETE", `${CEIS}/aabbccddee04`);
    await unsubscribe();
    assert.deepEqual(events, [
      { resource: "EthernetInterfaces", op: "upsert", ids: ["aabbccddee04"] },
      { resource: "EthernetInterfaces", op: "upsert", ids: ["aabbccddee04"] },
      { resource: "EthernetInterfaces", op: "delete", ids: ["aabbccddee04"] },
    ]);
  });

  test("DELETE one: 200, then 404 `no such component ethernet interface.`", async () => {
    assert.deepEqual((await call(smd, "DELETE", `${CEIS}/AABBCCDDEE01`)).json(), {
      code: 0,
      message: "deleted 1 entry",
    });
    const again = await call(smd, "DELETE", `${CEIS}/aabbccddee01`);
    assert.equal(again.status, 404);
    assert.equal(again.json().detail, "no such component ethernet interface.");
  });

  test("DELETE all: 200 `deleted N entries`, then 404; GET is []", async () => {
    assert.deepEqual((await call(smd, "DELETE", CEIS)).json(), { code: 0, message: "deleted 2 entries" });
    assert.equal((await call(smd, "DELETE", CEIS)).json().detail, "no entries to delete");
    assert.equal((await call(smd, "GET", CEIS)).text, "[]");
  });
});

describe("Inventory/EthernetInterfaces with auth on", () => {
  let smd: TestSmd;
  before(async () => {
    smd = await startSmd({ auth: true });
  });
  after(() => smd.close());

  test("the collection GET is public (coresmd has no token), with or without trailing slash", async () => {
    assert.equal((await call(smd, "GET", CEIS)).status, 200);
    assert.equal((await call(smd, "GET", `${CEIS}/`)).status, 200);
    assert.equal((await call(smd, "GET", `${CEIS}?type=Node`)).status, 200);
    assert.equal((await call(smd, "HEAD", CEIS)).status, 200);
  });

  test("everything else needs a token with the method's scope", async () => {
    assert.equal((await call(smd, "GET", `${CEIS}/aabbccddee01`)).status, 401);
    assert.equal((await call(smd, "GET", `${CEIS}/aabbccddee01/IPAddresses`)).status, 401);
    assert.equal((await call(smd, "POST", CEIS, { MACAddress: "aa:bb:cc:dd:ee:01" })).status, 401);
    const read = { authorization: `Bearer ${await smd.token(["read"])}` };
    assert.equal((await call(smd, "POST", CEIS, { MACAddress: "aa:bb:cc:dd:ee:01" }, read)).status, 403);
    const write = { authorization: `Bearer ${await smd.token(["write"])}` };
    assert.equal((await call(smd, "POST", CEIS, { MACAddress: "aa:bb:cc:dd:ee:01" }, write)).status, 201);
    assert.equal((await call(smd, "DELETE", CEIS, undefined, write)).status, 403);
  });
});
