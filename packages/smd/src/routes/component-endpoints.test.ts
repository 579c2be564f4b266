import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { magellanBody } from "../test-bodies.ts";
import { call, startSmd, type TestSmd } from "../test-support.ts";

const CEPS = "/Inventory/ComponentEndpoints";

describe("Inventory/ComponentEndpoints", () => {
  let smd: TestSmd;
  before(async () => {
    smd = await startSmd();
    for (const [bmc, i] of [
      ["x1c0s0b0", 1],
      ["x1c0s1b0", 2],
    ] as const) {
      const posted = await call(
        smd,
        "POST",
        "/Inventory/RedfishEndpoints",
        magellanBody(bmc, {
          host: `10.0.0.${i}:443`,
          bmcMac: `02:00:00:00:00:0${i}`,
          nicMacs: [`02:00:00:00:01:0${i}`, `02:00:00:00:02:0${i}`],
          uuid: `u${i}`,
        }),
      );
      assert.equal(posted.status, 201, posted.text);
    }
  });
  after(() => smd.close());

  const ids = async (query: string) =>
    (await call(smd, "GET", `${CEPS}?${query}`)).json().ComponentEndpoints.map((c: { ID: string }) => c.ID);

  test("GET collection: sorted by ID, JSON body, RedfishEndpointFQDN from the endpoint", async () => {
    const response = await call(smd, "GET", CEPS);
    assert.equal(response.status, 200);
    assert.match(response.headers.get("content-type") ?? "", /^application\/json/);
    const { ComponentEndpoints } = response.json();
    assert.deepEqual(
      ComponentEndpoints.map((c: Record<string, unknown>) => [
        c.ID,
        c.RedfishEndpointFQDN,
        c.ComponentEndpointType,
      ]),
      [
        ["x1c0s0b0", "10.0.0.1:443", "ComponentEndpointManager"],
        ["x1c0s0b0n0", "10.0.0.1:443", "ComponentEndpointComputerSystem"],
        ["x1c0s1b0", "10.0.0.2:443", "ComponentEndpointManager"],
        ["x1c0s1b0n0", "10.0.0.2:443", "ComponentEndpointComputerSystem"],
      ],
    );
    assert.equal(ComponentEndpoints[1].RedfishSystemInfo.EthernetNICInfo[0].MACAddress, "02:00:00:00:01:01");
  });

  test("GET filters: id, redfish_ep, type, redfish_type, with `!`", async () => {
    assert.deepEqual(await ids("id=X1C0S0B0N0"), ["x1c0s0b0n0"]);
    assert.deepEqual(await ids("redfish_ep=x1c0s1b0"), ["x1c0s1b0", "x1c0s1b0n0"]);
    assert.deepEqual(await ids("type=node"), ["x1c0s0b0n0", "x1c0s1b0n0"]);
    assert.deepEqual(await ids("type=!Node"), ["x1c0s0b0", "x1c0s1b0"]);
    assert.deepEqual(await ids("redfish_type=Manager&redfish_ep=!x1c0s0b0"), ["x1c0s1b0"]);
    for (const [query, detail] of [
      ["id=FAKE", "bad query param: Argument was not a valid xname ID"],
      ["redfish_ep=FAKE", "bad query param: Argument was not a valid xname ID"],
      ["type=Booster", "bad query param: Argument was not a valid HMS Type"],
      ["redfish_type=Computer-System", "bad query param: Argument was not a valid Redfish type"],
    ]) {
      const response = await call(smd, "GET", `${CEPS}?${query}`);
      assert.equal(response.status, 400, query);
      assert.equal(response.json().detail, detail);
    }
  });

  test("GET one: the same object as in the collection; malformed 400, absent 404", async () => {
    const one = await call(smd, "GET", `${CEPS}/x1c0s0b0n0`);
    const listed = (await call(smd, "GET", `${CEPS}?id=x1c0s0b0n0`)).json().ComponentEndpoints[0];
    assert.deepEqual(one.json(), listed);
    const malformed = await call(smd, "GET", `${CEPS}/FAKE`);
    assert.equal(malformed.status, 400);
    assert.equal(malformed.json().detail, "Argument was not a valid xname ID");
    const absent = await call(smd, "GET", `${CEPS}/x9c0s0b0n0`);
    assert.equal(absent.status, 404);
    assert.equal(absent.json().detail, "no such xname.");
  });

  test("DELETE one: the component stays, set Empty/OK; malformed 400, absent 404", async () => {
    const malformed = await call(smd, "DELETE", `${CEPS}/FAKE`);
    assert.equal(malformed.status, 400);
    assert.equal(malformed.json().detail, "Argument was not a valid xname ID");
    assert.equal((await call(smd, "DELETE", `${CEPS}/x9c0s0b0n0`)).json().detail, "no such xname.");
    assert.deepEqual((await call(smd, "DELETE", `${CEPS}/x1c0s0b0n0`)).json(), {
      code: 0,
      message: "deleted 1 entry",
    });
    assert.equal((await call(smd, "GET", `${CEPS}/x1c0s0b0n0`)).status, 404);
    const node = (await call(smd, "GET", "/State/Components/x1c0s0b0n0")).json();
    assert.deepEqual([node.State, node.Flag, node.NID], ["Empty", "OK", 1]);
    assert.equal(
      (await call(smd, "GET", "/Inventory/EthernetInterfaces?ComponentID=x1c0s0b0n0")).json().length,
      2,
    );
  });

  test("DELETE all: 200, components Empty, then 404; GET is an empty list", async () => {
    assert.deepEqual((await call(smd, "DELETE", CEPS)).json(), { code: 0, message: "deleted 3 entries" });
    assert.equal((await call(smd, "GET", "/State/Components/x1c0s1b0n0")).json().State, "Empty");
    assert.equal((await call(smd, "DELETE", CEPS)).json().detail, "no entries to delete");
    assert.equal((await call(smd, "GET", CEPS)).text, '{"ComponentEndpoints":[]}');
  });
});
