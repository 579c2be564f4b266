import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { magellanBody } from "../test-bodies.ts";
import { call, startSmd, type TestSmd } from "../test-support.ts";

const RFES = "/Inventory/RedfishEndpoints";

async function storedPassword(smd: TestSmd, id: string): Promise<string> {
  const row = await smd.db.kysely
    .selectFrom("redfish_endpoints")
    .select("password")
    .where("id", "=", id)
    .executeTakeFirstOrThrow();
  return row.password;
}

describe("Inventory/RedfishEndpoints", () => {
  let smd: TestSmd;
  before(async () => {
    smd = await startSmd();
  });
  after(() => smd.close());

  test("POST one: defaults, FQDN from the ID, Password write-only (D3)", async () => {
    const posted = await call(smd, "POST", RFES, {
      id: "X0C0S0B0",
      user: "root",
      password: "secret",
      Unknown: 1,
    });
    assert.equal(posted.status, 201, posted.text);
    assert.deepEqual(posted.json(), [{ URI: "/hsm/v2/Inventory/RedfishEndpoints/x0c0s0b0" }]);
    assert.deepEqual((await call(smd, "GET", `${RFES}/x0c0s0b0`)).json(), {
      ID: "x0c0s0b0",
      Type: "NodeBMC",
      Hostname: "",
      Domain: "",
      FQDN: "x0c0s0b0",
      Enabled: true,
      User: "root",
      Password: "",
      RediscoverOnUpdate: false,
      DiscoveryInfo: { LastDiscoveryStatus: "NotYetQueried" },
    });
    assert.equal(await storedPassword(smd, "x0c0s0b0"), "secret");
  });

  test("ID defaults to the Hostname; Hostname.Domain is the FQDN; optional fields shown when set", async () => {
    const posted = await call(smd, "POST", RFES, {
      Hostname: "x0c0s1b0",
      Domain: "example.com.",
      Name: "bmc 1",
      UUID: "u-1",
      UseSSDP: true,
      MACRequired: true,
      MACAddr: "aa:bb:cc:dd:ee:01",
      RediscoverOnUpdate: true,
      TemplateID: "t1",
      Enabled: false,
    });
    assert.equal(posted.status, 201, posted.text);
    assert.deepEqual((await call(smd, "GET", `${RFES}/x0c0s1b0`)).json(), {
      ID: "x0c0s1b0",
      Type: "NodeBMC",
      Name: "bmc 1",
      Hostname: "x0c0s1b0",
      Domain: "example.com",
      FQDN: "x0c0s1b0.example.com",
      Enabled: false,
      UUID: "u-1",
      User: "",
      Password: "",
      UseSSDP: true,
      MACRequired: true,
      MACAddr: "aa:bb:cc:dd:ee:01",
      RediscoverOnUpdate: true,
      TemplateID: "t1",
      DiscoveryInfo: { LastDiscoveryStatus: "NotYetQueried" },
    });
  });

  test("an FQDN that is an IP also sets Hostname and IPAddress; IPv6 is canonical", async () => {
    await call(smd, "POST", RFES, { ID: "x0c0s2b0", FQDN: "10.1.1.2" });
    const v4 = (await call(smd, "GET", `${RFES}/x0c0s2b0`)).json();
    assert.deepEqual(
      [v4.Hostname, v4.Domain, v4.FQDN, v4.IPAddress],
      ["10.1.1.2", "", "10.1.1.2", "10.1.1.2"],
    );
    await call(smd, "POST", RFES, { ID: "x0c0s3b0", FQDN: "[FE80:0:0::1]:443" });
    const v6 = (await call(smd, "GET", `${RFES}/x0c0s3b0`)).json();
    assert.deepEqual(
      [v6.Hostname, v6.FQDN, v6.IPAddress],
      ["[fe80::1]:443", "[fe80::1]:443", "[fe80::1]:443"],
    );
  });

  test("invalid endpoints: 400 `couldn't validate endpoint data: …`, nothing stored", async () => {
    const cases: [unknown, string][] = [
      [{}, "No xname ID found"],
      [{ ID: "FAKE" }, "fake is not a valid locational xname ID"],
      [{ ID: "x0c0s9b0n0" }, "xname ID x0c0s9b0n0 has wrong type for RF endpoint: Node"],
      [{ ID: "x0c0s9b0", Hostname: "bmc.example.com" }, "Hostname is not a basename or IP address."],
      [
        { ID: "x0c0s9b0", Hostname: "x0c0s9b0", Domain: "a.com", FQDN: "x0c0s9b0.b.com" },
        "host/domain conflicts with FQDN: 'x0c0s9b0.a.com' != 'x0c0s9b0.b.com'",
      ],
      [{ ID: "x0c0s9b0", IPAddress: "10.0.0.300" }, "IPAddress is not a valid IP address: '10.0.0.300'"],
      [
        { ID: "x0c0s9b0", Hostname: "10.0.0.1", IPAddress: "10.0.0.2" },
        "hostname IP address conflicts with given IP address: '10.0.0.1' != '10.0.0.2'",
      ],
    ];
    for (const [body, reason] of cases) {
      const response = await call(smd, "POST", RFES, body);
      assert.equal(response.status, 400, JSON.stringify(body));
      assert.equal(response.json().detail, `couldn't validate endpoint data: ${reason}`);
    }
    const badType = await call(smd, "POST", RFES, { ID: "x0c0s9b0", Enabled: "fake" });
    assert.equal(badType.status, 400);
    assert.match(badType.json().detail, /^error decoding JSON /);
    assert.equal((await call(smd, "GET", `${RFES}/x0c0s9b0`)).status, 404);
  });

  test("list form: 201 with every URI; one invalid entry fails all `at idx <i>`", async () => {
    const invalid = await call(smd, "POST", RFES, { RedfishEndpoints: [{ ID: "x1c0s0b0" }, { ID: "FAKE" }] });
    assert.equal(invalid.status, 400);
    assert.equal(
      invalid.json().detail,
      "couldn't validate endpoint data at idx 1: fake is not a valid locational xname ID",
    );
    assert.equal((await call(smd, "GET", `${RFES}/x1c0s0b0`)).status, 404);
    const posted = await call(smd, "POST", RFES, {
      RedfishEndpoints: [{ ID: "x1c0s0b0" }, { ID: "x1c0r0b0" }],
    });
    assert.equal(posted.status, 201);
    assert.deepEqual(posted.json(), [
      { URI: "/hsm/v2/Inventory/RedfishEndpoints/x1c0s0b0" },
      { URI: "/hsm/v2/Inventory/RedfishEndpoints/x1c0r0b0" },
    ]);
    assert.equal(posted.headers.get("location"), "/hsm/v2/Inventory/RedfishEndpoints");
    assert.equal((await call(smd, "GET", `${RFES}/x1c0r0b0`)).json().Type, "RouterBMC");
    const nothing = await call(smd, "POST", RFES, { RedfishEndpoints: [] });
    assert.equal(nothing.status, 204, "nothing created");
  });

  test("an existing ID or FQDN is a 409, in either form, and nothing of the request is stored", async () => {
    const detail = "operation would conflict with an existing resource that has the same FQDN or xname ID.";
    for (const body of [
      { ID: "x0c0s0b0" },
      { ID: "x1c0s5b0", FQDN: "x0c0s1b0.example.com" },
      { RedfishEndpoints: [{ ID: "x1c0s6b0" }, { ID: "x0c0s0b0" }] },
      { RedfishEndpoints: [{ ID: "x1c0s6b0" }, { ID: "x1c0s6b0" }] },
    ]) {
      const response = await call(smd, "POST", RFES, body);
      assert.equal(response.status, 409, JSON.stringify(body));
      assert.equal(response.json().detail, detail);
    }
    assert.equal((await call(smd, "GET", `${RFES}/x1c0s6b0`)).status, 404);
  });

  test("GET filters: id, fqdn, type, uuid, macaddr, ipaddress, laststatus, `!`, case-insensitive names", async () => {
    const ids = async (query: string) =>
      (await call(smd, "GET", `${RFES}?${query}`)).json().RedfishEndpoints.map((e: { ID: string }) => e.ID);
    assert.deepEqual(await ids("id=X0C0S0B0&id=x0c0s2b0"), ["x0c0s0b0", "x0c0s2b0"]);
    assert.deepEqual(await ids("FQDN=x0c0s1b0.example.com"), ["x0c0s1b0"]);
    assert.deepEqual(await ids("type=routerbmc"), ["x1c0r0b0"]);
    assert.deepEqual(await ids("type=!NodeBMC"), ["x1c0r0b0"]);
    assert.deepEqual(await ids("uuid=u-1"), ["x0c0s1b0"]);
    assert.deepEqual(await ids("macaddr=aa:bb:cc:dd:ee:01"), ["x0c0s1b0"]);
    assert.deepEqual(await ids("ipaddress=10.1.1.2"), ["x0c0s2b0"]);
    assert.equal((await ids("laststatus=NotYetQueried")).length, 6);
    assert.deepEqual(await ids("laststatus=DiscoverOK"), []);
    const badId = await call(smd, "GET", `${RFES}?id=FAKE`);
    assert.equal(badId.status, 400);
    assert.equal(badId.json().detail, "bad query param: Argument was not a valid xname ID");
    const badType = await call(smd, "GET", `${RFES}?type=Booster`);
    assert.equal(badType.json().detail, "bad query param: Argument was not a valid HMS Type");
  });

  test("GET one: `no such xname.` for absent and malformed IDs", async () => {
    for (const id of ["x7c0s0b0", "FAKE"]) {
      const response = await call(smd, "GET", `${RFES}/${id}`);
      assert.equal(response.status, 404);
      assert.equal(response.json().detail, "no such xname.");
    }
  });

  test("GET Query/{x}: s0 and all list everything, anything else is not yet implemented", async () => {
    const all = (await call(smd, "GET", RFES)).json();
    assert.deepEqual((await call(smd, "GET", `${RFES}/Query/s0`)).json(), all);
    assert.deepEqual((await call(smd, "GET", `${RFES}/Query/all`)).json(), all);
    const other = await call(smd, "GET", `${RFES}/Query/x0c0s0b0`);
    assert.equal(other.status, 400);
    assert.equal(other.json().detail, "not yet implemented");
  });

  test("PUT: replaces (200), keeps DiscoveryInfo and, without a new one, the password", async () => {
    await smd.db.kysely
      .updateTable("redfish_endpoints")
      .set({ discovery_info: JSON.stringify({ LastDiscoveryStatus: "DiscoverOK", RedfishVersion: "1.6.0" }) })
      .where("id", "=", "x0c0s0b0")
      .execute();
    const put = await call(smd, "PUT", `${RFES}/x0c0s0b0`, { User: "admin", Domain: "example.com" });
    assert.equal(put.status, 200, put.text);
    assert.deepEqual(put.json(), {
      ID: "x0c0s0b0",
      Type: "NodeBMC",
      Hostname: "",
      Domain: "example.com",
      FQDN: "x0c0s0b0.example.com",
      Enabled: true,
      User: "admin",
      Password: "",
      RediscoverOnUpdate: false,
      DiscoveryInfo: { LastDiscoveryStatus: "DiscoverOK", RedfishVersion: "1.6.0" },
    });
    assert.equal(await storedPassword(smd, "x0c0s0b0"), "secret");
    await call(smd, "PUT", `${RFES}/x0c0s0b0`, { ID: "x0c0s0b0", Password: "new" });
    assert.equal(await storedPassword(smd, "x0c0s0b0"), "new");
  });

  test("PUT errors: mismatched body ID, malformed path ID, FQDN held by another", async () => {
    const mismatch = await call(smd, "PUT", `${RFES}/x0c0s0b0`, { ID: "x0c0s1b0" });
    assert.equal(mismatch.status, 400);
    assert.equal(mismatch.json().detail, "xname in URL and PUT body do not match");
    const malformed = await call(smd, "PUT", `${RFES}/FAKE`, {});
    assert.equal(malformed.status, 400);
    assert.equal(
      malformed.json().detail,
      "couldn't validate endpoint data: fake is not a valid locational xname ID",
    );
    const taken = await call(smd, "PUT", `${RFES}/x0c0s0b0`, { FQDN: "10.1.1.2" });
    assert.equal(taken.status, 409);
    assert.equal(
      taken.json().detail,
      "operation would conflict with an existing resource that has the same FQDN",
    );
  });

  test("PATCH: 200 + endpoint; merged fields are validated again", async () => {
    const patched = await call(smd, "PATCH", `${RFES}/x0c0s1b0`, { name: "renamed", Password: "pw" });
    assert.equal(patched.status, 200, patched.text);
    assert.equal(patched.json().Name, "renamed");
    assert.equal(patched.json().FQDN, "x0c0s1b0.example.com");
    assert.equal(await storedPassword(smd, "x0c0s1b0"), "pw");
    const fqdn = await call(smd, "PATCH", `${RFES}/x0c0s1b0`, {
      FQDN: "x0c0s1b0.other.org",
      Domain: "other.org",
    });
    assert.equal(fqdn.json().FQDN, "x0c0s1b0.other.org");
    const mismatch = await call(smd, "PATCH", `${RFES}/x0c0s1b0`, { Hostname: "bmc1" });
    assert.equal(mismatch.status, 400, "D1: upstream answers 500");
    assert.equal(
      mismatch.json().detail,
      "couldn't validate endpoint data: host/domain conflicts with FQDN: 'bmc1.other.org' != 'x0c0s1b0.other.org'",
    );
    const moved = await call(smd, "PATCH", `${RFES}/x0c0s2b0`, { IPAddress: "10.1.1.22" });
    assert.deepEqual(
      [moved.json().Hostname, moved.json().FQDN, moved.json().IPAddress],
      ["10.1.1.22", "10.1.1.22", "10.1.1.22"],
    );
  });

  test("PATCH errors: malformed 400, absent 404 `No such entry: <x>`, FQDN taken 409", async () => {
    const malformed = await call(smd, "PATCH", `${RFES}/FAKE`, { Name: "x" });
    assert.equal(malformed.status, 400);
    assert.equal(malformed.json().detail, "xname in URL is not valid");
    const absent = await call(smd, "PATCH", `${RFES}/x9c0s0b0`, { Name: "x" });
    assert.equal(absent.status, 404);
    assert.equal(absent.json().detail, "No such entry: x9c0s0b0");
    const taken = await call(smd, "PATCH", `${RFES}/x1c0s0b0`, { FQDN: "10.1.1.22" });
    assert.equal(taken.status, 409, taken.text);
    assert.equal(
      taken.json().detail,
      "operation would conflict with an existing resource that has the same FQDN",
    );
    assert.equal((await call(smd, "GET", `${RFES}/x1c0s0b0`)).json().FQDN, "x1c0s0b0");
  });

  test("DELETE one: 400 malformed, 404 absent; cascades to ComponentEndpoints, components set Empty/OK", async () => {
    const malformed = await call(smd, "DELETE", `${RFES}/FAKE`);
    assert.equal(malformed.status, 400);
    assert.equal(malformed.json().detail, "Argument was not a valid xname ID");
    assert.equal((await call(smd, "DELETE", `${RFES}/x9c0s0b0`)).json().detail, "no such xname.");

    assert.equal((await call(smd, "POST", RFES, magellanBody("x2c0s0b0"))).status, 201);
    await smd.db.kysely
      .insertInto("service_endpoints")
      .values({
        redfish_endpoint_id: "x2c0s0b0",
        redfish_type: "UpdateService",
        redfish_subtype: "",
        uuid: "",
        odata_id: "/redfish/v1/UpdateService",
        redfish_url: "172.16.0.104:443/redfish/v1/UpdateService",
        service_info: "{}",
      })
      .execute();
    const events: { resource: string; op: string; ids: string[] }[] = [];
    const unsubscribe = await smd.db.listen("smd_changes", (event) => events.push(event));
    const response = await call(smd, "DELETE", `${RFES}/x2c0s0b0`);
    await unsubscribe();
    assert.deepEqual(response.json(), { code: 0, message: "deleted 1 entry" });
    assert.equal(
      (await call(smd, "GET", "/Inventory/ComponentEndpoints?redfish_ep=x2c0s0b0")).json().ComponentEndpoints
        .length,
      0,
    );
    assert.deepEqual((await call(smd, "GET", "/Inventory/ServiceEndpoints")).json(), {
      ServiceEndpoints: [],
    });
    for (const id of ["x2c0s0b0", "x2c0s0b0n0"]) {
      const component = (await call(smd, "GET", `/State/Components/${id}`)).json();
      assert.deepEqual([component.State, component.Flag], ["Empty", "OK"], id);
    }
    assert.equal(
      (await call(smd, "GET", "/Inventory/EthernetInterfaces?ComponentID=x2c0s0b0n0")).json().length,
      2,
    );
    assert.deepEqual(events, [
      { resource: "RedfishEndpoints", op: "delete", ids: ["x2c0s0b0"] },
      { resource: "ComponentEndpoints", op: "delete", ids: ["x2c0s0b0", "x2c0s0b0n0"] },
      { resource: "Components", op: "upsert", ids: ["x2c0s0b0", "x2c0s0b0n0"] },
    ]);
  });

  test("DELETE all: 200 `deleted N entries`, then 404", async () => {
    const count = (await call(smd, "GET", RFES)).json().RedfishEndpoints.length;
    assert.deepEqual((await call(smd, "DELETE", RFES)).json(), {
      code: 0,
      message: `deleted ${count} entries`,
    });
    const again = await call(smd, "DELETE", RFES);
    assert.equal(again.status, 404);
    assert.equal(again.json().detail, "no entries to delete");
    assert.deepEqual((await call(smd, "GET", RFES)).json(), { RedfishEndpoints: [] });
  });

  test("a wrong method on a known path is a 405 with Allow", async () => {
    const response = await call(smd, "PATCH", RFES, {});
    assert.equal(response.status, 405);
    assert.equal(response.headers.get("allow"), "GET,POST,DELETE");
  });
});

describe("Inventory/RedfishEndpoints with auth on", () => {
  let smd: TestSmd;
  before(async () => {
    smd = await startSmd({ auth: true });
  });
  after(() => smd.close());

  test("protected: 401 without a token (BSS probes this), scopes per method", async () => {
    const anonymous = await call(smd, "GET", RFES);
    assert.equal(anonymous.status, 401);
    assert.match(anonymous.headers.get("www-authenticate") ?? "", /^Bearer/);
    const read = { authorization: `Bearer ${await smd.token(["read"])}` };
    const write = { authorization: `Bearer ${await smd.token(["write"])}` };
    assert.equal((await call(smd, "GET", RFES, undefined, read)).status, 200);
    assert.equal((await call(smd, "POST", RFES, { ID: "x0c0s0b0" }, read)).status, 403);
    assert.equal((await call(smd, "POST", RFES, { ID: "x0c0s0b0" }, write)).status, 201);
    assert.equal((await call(smd, "DELETE", `${RFES}/x0c0s0b0`, undefined, write)).status, 403);
  });
});
