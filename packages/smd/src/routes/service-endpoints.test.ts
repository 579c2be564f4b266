import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { call, startSmd, type TestSmd } from "../test-support.ts";

const SES = "/Inventory/ServiceEndpoints";

/** ServiceEndpoints come from a Redfish collector; the tests write the rows it would. */
async function seed(smd: TestSmd): Promise<void> {
  for (const id of ["x1c0s0b0", "x1c0s1b0"]) {
    const posted = await call(smd, "POST", "/Inventory/RedfishEndpoints", {
      ID: id,
      FQDN: `${id}.example.com`,
    });
    assert.equal(posted.status, 201, posted.text);
  }
  const row = (rfe: string, type: string, subtype = "") => ({
    redfish_endpoint_id: rfe,
    redfish_type: type,
    redfish_subtype: subtype,
    uuid: `${rfe}-${type}`,
    odata_id: `/redfish/v1/${type}`,
    redfish_url: `${rfe}.example.com/redfish/v1/${type}`,
    service_info: JSON.stringify({ Name: type, ServiceEnabled: true }),
  });
  await smd.db.kysely
    .insertInto("service_endpoints")
    .values([
      row("x1c0s0b0", "UpdateService", "Firmware"),
      row("x1c0s0b0", "EventService"),
      row("x1c0s1b0", "UpdateService"),
    ])
    .execute();
}

describe("Inventory/ServiceEndpoints", () => {
  let smd: TestSmd;
  before(async () => {
    smd = await startSmd();
    await seed(smd);
  });
  after(() => smd.close());

  const keys = async (path: string) =>
    (await call(smd, "GET", path))
      .json()
      .ServiceEndpoints.map((s: Record<string, string>) => `${s.RedfishType}/${s.RedfishEndpointID}`);

  test("GET collection: every ServiceEndpoint with its endpoint's FQDN", async () => {
    const { ServiceEndpoints } = (await call(smd, "GET", SES)).json();
    assert.equal(ServiceEndpoints.length, 3);
    assert.deepEqual(ServiceEndpoints[1], {
      RedfishEndpointID: "x1c0s0b0",
      RedfishType: "UpdateService",
      RedfishSubtype: "Firmware",
      UUID: "x1c0s0b0-UpdateService",
      OdataID: "/redfish/v1/UpdateService",
      RedfishEndpointFQDN: "x1c0s0b0.example.com",
      RedfishURL: "x1c0s0b0.example.com/redfish/v1/UpdateService",
      ServiceInfo: { Name: "UpdateService", ServiceEnabled: true },
    });
    assert.equal(ServiceEndpoints[0].RedfishSubtype, undefined);
  });

  test("GET filters: redfish_ep and service; per service with redfish_ep", async () => {
    assert.deepEqual(await keys(`${SES}?redfish_ep=X1C0S1B0`), ["UpdateService/x1c0s1b0"]);
    assert.deepEqual(await keys(`${SES}?service=EventService`), ["EventService/x1c0s0b0"]);
    assert.deepEqual(await keys(`${SES}/UpdateService`), [
      "UpdateService/x1c0s0b0",
      "UpdateService/x1c0s1b0",
    ]);
    assert.deepEqual(await keys(`${SES}/UpdateService?redfish_ep=x1c0s1b0`), ["UpdateService/x1c0s1b0"]);
    assert.deepEqual(await keys(`${SES}/TaskService`), []);
    const bad = await call(smd, "GET", `${SES}?redfish_ep=FAKE`);
    assert.equal(bad.status, 400);
    assert.equal(bad.json().detail, "Argument was not a valid xname ID");
  });

  test("GET one: the object; bad xname 400, absent 404", async () => {
    const one = await call(smd, "GET", `${SES}/EventService/RedfishEndpoints/x1c0s0b0`);
    assert.equal(one.json().UUID, "x1c0s0b0-EventService");
    const bad = await call(smd, "GET", `${SES}/EventService/RedfishEndpoints/FAKE`);
    assert.equal(bad.status, 400);
    assert.equal(bad.json().detail, "Argument was not a valid xname ID");
    const absent = await call(smd, "GET", `${SES}/EventService/RedfishEndpoints/x1c0s1b0`);
    assert.equal(absent.status, 404);
    assert.equal(absent.json().detail, "no such service under redfish endpoint.");
  });

  test("DELETE one: 200, then 404; bad xname 400", async () => {
    const path = `${SES}/EventService/RedfishEndpoints/x1c0s0b0`;
    assert.deepEqual((await call(smd, "DELETE", path)).json(), { code: 0, message: "deleted 1 entry" });
    assert.equal((await call(smd, "DELETE", path)).json().detail, "no such service under redfish endpoint.");
    assert.equal((await call(smd, "DELETE", `${SES}/EventService/RedfishEndpoints/FAKE`)).status, 400);
  });

  test("deleting a RedfishEndpoint removes its ServiceEndpoints", async () => {
    assert.equal((await call(smd, "DELETE", "/Inventory/RedfishEndpoints/x1c0s1b0")).status, 200);
    assert.deepEqual(await keys(SES), ["UpdateService/x1c0s0b0"]);
  });

  test("DELETE all: 200, then 404", async () => {
    assert.deepEqual((await call(smd, "DELETE", SES)).json(), { code: 0, message: "deleted 1 entry" });
    assert.equal((await call(smd, "DELETE", SES)).json().detail, "no entries to delete");
    assert.deepEqual((await call(smd, "GET", SES)).json(), { ServiceEndpoints: [] });
  });
});
