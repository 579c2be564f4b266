import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { silentLogger } from "@openchami/core";
import { openDb } from "@openchami/db";
import { skipWithoutPostgres, startPostgres } from "@openchami/testkit";
import { smdMigrations } from "../migrations.ts";
import {
  ALL_RESET_TYPES,
  MAGELLAN_RESET_TYPES,
  magellanBody,
  numberedBmc,
  numberedMagellanBody,
  ochamiBody,
} from "../test-bodies.ts";
import { call, startSmd, type TestSmd } from "../test-support.ts";

const RFES = "/Inventory/RedfishEndpoints";
const CEI_CONFLICT =
  "operation would conflict with an existing component ethernet interface that has the same MAC address.";

async function nids(smd: TestSmd): Promise<Map<string, number>> {
  const rows = await smd.db.kysely
    .selectFrom("components")
    .select(["id", "nid"])
    .where("type", "=", "Node")
    .orderBy("id")
    .execute();
  return new Map(rows.map((r: { id: string; nid: number }) => [r.id, r.nid]));
}

/** Everything ingestion writes, to show a failed request left nothing behind. */
async function inventory(smd: TestSmd) {
  return {
    rfes: (await call(smd, "GET", RFES)).json().RedfishEndpoints.map((r: { ID: string }) => r.ID),
    compeps: (await call(smd, "GET", "/Inventory/ComponentEndpoints"))
      .json()
      .ComponentEndpoints.map((c: { ID: string }) => c.ID),
    ceis: (await call(smd, "GET", "/Inventory/EthernetInterfaces")).json().map((c: { ID: string }) => c.ID),
    components: (await smd.db.kysely.selectFrom("components").select("id").orderBy("id").execute()).map(
      (r: { id: string }) => r.id,
    ),
  };
}

describe("RedfishEndpoint ingestion: magellan send", () => {
  let smd: TestSmd;
  before(async () => {
    smd = await startSmd();
  });
  after(() => smd.close());

  test("POST of a V2 body: 201 with the URI list and Location", async () => {
    const posted = await call(smd, "POST", RFES, magellanBody("x1000c1s7b3"));
    assert.equal(posted.status, 201, posted.text);
    assert.deepEqual(posted.json(), [{ URI: "/hsm/v2/Inventory/RedfishEndpoints/x1000c1s7b3" }]);
    assert.equal(posted.headers.get("location"), "/hsm/v2/Inventory/RedfishEndpoints/x1000c1s7b3");
  });

  test("the endpoint: FQDN host:port is the hostname and IP, Password never returned", async () => {
    const rfe = await call(smd, "GET", `${RFES}/x1000c1s7b3`);
    assert.deepEqual(rfe.json(), {
      ID: "x1000c1s7b3",
      Type: "NodeBMC",
      Hostname: "172.16.0.104:443",
      Domain: "",
      FQDN: "172.16.0.104:443",
      Enabled: true,
      User: "Administrator",
      Password: "",
      MACRequired: true,
      MACAddr: "EC:EB:B8:99:4F:A6",
      IPAddress: "172.16.0.104:443",
      RediscoverOnUpdate: false,
      DiscoveryInfo: { LastDiscoveryStatus: "NotYetQueried" },
    });
  });

  test("components: the BMC, and one Node per distinct system uuid with a NID", async () => {
    const bmc = await call(smd, "GET", "/State/Components/x1000c1s7b3");
    assert.equal(bmc.json().Type, "NodeBMC");
    assert.equal(bmc.json().Enabled, true);
    assert.equal(bmc.json().State, undefined);
    const node = await call(smd, "GET", "/State/Components/x1000c1s7b3n0");
    assert.equal(node.json().Type, "Node");
    assert.equal(node.json().State, "On");
    assert.equal(node.json().NID, 1);
    assert.deepEqual([...(await nids(smd)).keys()], ["x1000c1s7b3n0"]);
  });

  test("ComponentEndpoints: Manager and ComputerSystem, paths, actions, power", async () => {
    const { ComponentEndpoints } = (await call(smd, "GET", "/Inventory/ComponentEndpoints")).json();
    assert.deepEqual(ComponentEndpoints, [
      {
        ID: "x1000c1s7b3",
        Type: "NodeBMC",
        RedfishType: "Manager",
        RedfishSubtype: "",
        OdataID: "/redfish/v1/Managers/1",
        RedfishEndpointID: "x1000c1s7b3",
        Enabled: true,
        RedfishEndpointFQDN: "172.16.0.104:443",
        RedfishURL: "172.16.0.104:443/redfish/v1/Managers/1",
        ComponentEndpointType: "ComponentEndpointManager",
        RedfishManagerInfo: {
          Name: "Manager",
          Actions: {
            "#Manager.Reset": {
              "ResetType@Redfish.AllowableValues": [],
              "@Redfish.ActionInfo": "/redfish/v1/Managers/1/ResetActionInfo",
              target: "/redfish/v1/Managers/1/Actions/Manager.Reset",
            },
          },
          EthernetNICInfo: [
            {
              RedfishId: "/redfish/v1/Managers/1/EthernetInterfaces/1/",
              "@odata.id": "/redfish/v1/Managers/1/EthernetInterfaces/1/",
              Description: "Configuration of this Manager Network Interface",
              Hostname: "Manager Dedicated Network Interface",
              InterfaceEnabled: true,
              MACAddress: "ec:eb:b8:99:4f:a6",
              PermanentMACAddress: "ec:eb:b8:99:4f:a6",
            },
          ],
        },
      },
      {
        ID: "x1000c1s7b3n0",
        Type: "Node",
        RedfishType: "ComputerSystem",
        RedfishSubtype: "Physical",
        UUID: "30393150-3931-584d-5131-343430334e39",
        OdataID: "/redfish/v1/Systems/1",
        RedfishEndpointID: "x1000c1s7b3",
        Enabled: true,
        RedfishEndpointFQDN: "172.16.0.104:443",
        RedfishURL: "/redfish/v1/Systems/1",
        ComponentEndpointType: "ComponentEndpointComputerSystem",
        RedfishSystemInfo: {
          Name: "Computer System",
          Actions: {
            "#ComputerSystem.Reset": {
              "ResetType@Redfish.AllowableValues": MAGELLAN_RESET_TYPES,
              "@Redfish.ActionInfo": "/redfish/v1/Systems/1/ResetActionInfo",
              target: "/redfish/v1/Systems/1/Actions/ComputerSystem.Reset",
            },
          },
          EthernetNICInfo: [
            {
              RedfishId: "/redfish/v1/Systems/1/EthernetInterfaces/DE07A001/",
              "@odata.id": "/redfish/v1/Systems/1/EthernetInterfaces/DE07A001/",
              InterfaceEnabled: true,
              MACAddress: "b4:7a:f1:3b:5c:01",
              PermanentMACAddress: "b4:7a:f1:3b:5c:01",
            },
            {
              RedfishId: "/redfish/v1/Systems/1/EthernetInterfaces/DE07A000/",
              "@odata.id": "/redfish/v1/Systems/1/EthernetInterfaces/DE07A000/",
              InterfaceEnabled: true,
              MACAddress: "b4:7a:f1:3b:5c:00",
              PermanentMACAddress: "b4:7a:f1:3b:5c:00",
            },
          ],
          PowerURL: "/redfish/v1/Chassis/1/Power",
          PowerControl: [],
        },
      },
    ]);
  });

  test("EthernetInterfaces: one per NIC, canonical MACs, no IP → []", async () => {
    const ceis = (await call(smd, "GET", "/Inventory/EthernetInterfaces")).json();
    assert.deepEqual(
      ceis.map((c: Record<string, unknown>) => [c.ID, c.MACAddress, c.ComponentID, c.Type, c.IPAddresses]),
      [
        ["b47af13b5c00", "b4:7a:f1:3b:5c:00", "x1000c1s7b3n0", "Node", []],
        ["b47af13b5c01", "b4:7a:f1:3b:5c:01", "x1000c1s7b3n0", "Node", []],
        ["ecebb8994fa6", "ec:eb:b8:99:4f:a6", "x1000c1s7b3", "NodeBMC", [{ IPAddress: "172.16.0.104" }]],
      ],
    );
  });

  test("re-POST of the known BMC is a 409 (magellan then PUTs with --force-update)", async () => {
    const again = await call(smd, "POST", RFES, magellanBody("x1000c1s7b3"));
    assert.equal(again.status, 409);
    assert.equal(
      again.json().detail,
      "operation would conflict with an existing resource that has the same FQDN or xname ID.",
    );
  });

  test("--force-update: PUT replaces (200 + endpoint), interfaces replaced, NID kept", async () => {
    const body = magellanBody("x1000c1s7b3", { host: "172.16.0.105:443" });
    const put = await call(smd, "PUT", `${RFES}/x1000c1s7b3`, body);
    assert.equal(put.status, 200, put.text);
    assert.equal(put.json().FQDN, "172.16.0.105:443");
    assert.equal(put.json().Password, "");
    const bmcCei = (await call(smd, "GET", "/Inventory/EthernetInterfaces/ecebb8994fa6")).json();
    assert.deepEqual(bmcCei.IPAddresses, [{ IPAddress: "172.16.0.105" }]);
    assert.equal((await nids(smd)).get("x1000c1s7b3n0"), 1);
    assert.equal(
      (await call(smd, "GET", "/Inventory/ComponentEndpoints/x1000c1s7b3")).json().RedfishURL,
      "172.16.0.105:443/redfish/v1/Managers/1",
    );
  });

  test("PUT of an absent endpoint creates it: 204, with its inventory", async () => {
    const put = await call(
      smd,
      "PUT",
      `${RFES}/x1000c1s6b0`,
      magellanBody("x1000c1s6b0", {
        host: "172.16.0.106:443",
        bmcMac: "ec:eb:b8:99:4f:b0",
        nicMacs: ["b4:7a:f1:3b:6c:01", "b4:7a:f1:3b:6c:00"],
        uuid: "other-system",
      }),
    );
    assert.equal(put.status, 204);
    assert.equal(put.text, "");
    assert.equal((await call(smd, "GET", `${RFES}/x1000c1s6b0`)).status, 200);
    assert.equal((await nids(smd)).get("x1000c1s6b0n0"), 2);
  });
});

describe("RedfishEndpoint ingestion: ochami discover static", () => {
  let smd: TestSmd;
  before(async () => {
    smd = await startSmd();
  });
  after(() => smd.close());

  const bmc = { xname: "x1000c0s0b0", mac: "de:ca:fc:0f:fe:e1", ip: "172.16.0.101" };
  const node = {
    xname: "x1000c0s0b0n0",
    name: "compute1",
    nid: 7,
    mac: "52:54:00:BE:EF:01",
    ip: "172.16.0.1",
  };
  const iface = {
    ID: "",
    ComponentID: node.xname,
    Type: "Node",
    Description: "Interface 0 for compute1",
    MACAddress: node.mac,
    IPAddresses: [{ IPAddress: node.ip, Network: "management" }],
  };

  test("components first (the file's NIDs), then the V2 endpoint: the NID survives", async () => {
    const components = await call(smd, "POST", "/State/Components", {
      Components: [{ ID: node.xname, NID: node.nid, Type: "Node", State: "On", Enabled: true }],
    });
    assert.equal(components.status, 204, components.text);
    const posted = await call(smd, "POST", RFES, ochamiBody(bmc, [node]));
    assert.equal(posted.status, 201, posted.text);
    assert.equal((await nids(smd)).get(node.xname), node.nid);
  });

  test("every ResetType reaches the ComputerSystem endpoint; a null action list is []", async () => {
    const system = (await call(smd, "GET", `/Inventory/ComponentEndpoints/${node.xname}`)).json();
    assert.deepEqual(
      system.RedfishSystemInfo.Actions["#ComputerSystem.Reset"]["ResetType@Redfish.AllowableValues"],
      ALL_RESET_TYPES,
    );
    assert.equal(system.OdataID, `/redfish/v1/Systems/${node.xname}`);
    assert.equal(system.RedfishSystemInfo.PowerURL, "");
    const manager = (await call(smd, "GET", `/Inventory/ComponentEndpoints/${bmc.xname}`)).json();
    assert.deepEqual(
      manager.RedfishManagerInfo.Actions["#Manager.Reset"]["ResetType@Redfish.AllowableValues"],
      [],
    );
    const cei = (await call(smd, "GET", "/Inventory/EthernetInterfaces/525400beef01")).json();
    assert.equal(cei.MACAddress, "52:54:00:be:ef:01");
    assert.deepEqual(cei.IPAddresses, [{ IPAddress: node.ip }]);
  });

  test("--discovery-version 1: the CEI POST is a 409, --overwrite PATCHes it", async () => {
    const posted = await call(smd, "POST", "/Inventory/EthernetInterfaces", iface);
    assert.equal(posted.status, 409);
    assert.equal(posted.json().detail, CEI_CONFLICT);
    const patched = await call(smd, "PATCH", "/Inventory/EthernetInterfaces/525400beef01", {
      ...iface,
      ID: "525400beef01",
    });
    assert.equal(patched.status, 200, patched.text);
    assert.deepEqual(patched.json().IPAddresses, [{ IPAddress: node.ip, Network: "management" }]);
  });

  test("--overwrite: the RFE POST is a 409, the PUT replaces it", async () => {
    const body = ochamiBody(bmc, [node]);
    assert.equal((await call(smd, "POST", RFES, body)).status, 409);
    const put = await call(smd, "PUT", `${RFES}/${bmc.xname}`, body);
    assert.equal(put.status, 200, put.text);
    assert.equal(put.json().IPAddress, bmc.ip);
    assert.equal((await nids(smd)).get(node.xname), node.nid);
  });
});

describe("RedfishEndpoint ingestion is all or nothing (D2)", () => {
  let smd: TestSmd;
  before(async () => {
    smd = await startSmd();
  });
  after(() => smd.close());

  const empty = { rfes: [], compeps: [], ceis: [], components: [] };

  test("a wrongly typed second NIC MAC: 400 and nothing stored", async () => {
    const body = magellanBody("x1c0s0b0");
    (body.Systems as { ethernet_interfaces: { mac: unknown }[] }[])[0]!.ethernet_interfaces[1]!.mac = 12;
    const posted = await call(smd, "POST", RFES, body);
    assert.equal(posted.status, 400);
    assert.match(posted.json().detail, /^error decoding JSON /);
    assert.deepEqual(await inventory(smd), empty);
  });

  test("a derived node ID that is no xname: 400 and nothing stored", async () => {
    const posted = await call(smd, "POST", RFES, { ...magellanBody("x1c0b0"), FQDN: "x1c0b0" });
    assert.equal(posted.status, 400);
    assert.equal(
      posted.json().detail,
      "couldn't validate endpoint data: x1c0b0n0 is not a valid locational xname ID",
    );
    assert.deepEqual(await inventory(smd), empty);
  });

  test("an existing interface on POST: 409 and only that interface remains", async () => {
    const existing = await call(smd, "POST", "/Inventory/EthernetInterfaces", {
      MACAddress: "b4:7a:f1:3b:5c:00",
    });
    assert.equal(existing.status, 201);
    const posted = await call(smd, "POST", RFES, magellanBody("x1c0s0b0"));
    assert.equal(posted.status, 409);
    assert.equal(posted.json().detail, CEI_CONFLICT);
    assert.deepEqual(await inventory(smd), { ...empty, ceis: ["b47af13b5c00"] });
    assert.equal((await call(smd, "DELETE", "/Inventory/EthernetInterfaces")).status, 200);
  });

  test("a PUT whose FQDN another endpoint holds: 409 and the endpoint unchanged", async () => {
    assert.equal((await call(smd, "POST", RFES, { ID: "x1c0s1b0", FQDN: "bmc1.example.com" })).status, 201);
    assert.equal(
      (await call(smd, "POST", RFES, { ID: "x1c0s2b0", FQDN: "x1c0s2b0.example.com" })).status,
      201,
    );
    const taken = await call(smd, "PUT", `${RFES}/x1c0s2b0`, {
      ...magellanBody("x1c0s2b0"),
      FQDN: "bmc1.example.com",
    });
    assert.equal(taken.status, 409);
    assert.equal(
      taken.json().detail,
      "operation would conflict with an existing resource that has the same FQDN",
    );
    assert.equal((await call(smd, "GET", `${RFES}/x1c0s2b0`)).json().FQDN, "x1c0s2b0.example.com");
    assert.deepEqual((await inventory(smd)).compeps, []);
  });
});

describe("RedfishEndpoint ingestion: system-wide unique NIDs (D2)", () => {
  let smd: TestSmd;
  before(async () => {
    smd = await startSmd();
  });
  after(() => smd.close());

  test("NodeMap NID first, then the smallest NID neither held nor reserved", async () => {
    // NID 1 is held by a component, 2 reserved by a NodeMap for another node, 4 for the first BMC's node.
    await call(smd, "POST", "/State/Components", { Components: [{ ID: "x9c0s0b0n0", State: "On", NID: 1 }] });
    await call(smd, "POST", "/Defaults/NodeMaps", {
      NodeMaps: [
        { ID: "x9c0s1b0n0", NID: 2 },
        { ID: `${numberedBmc(0)}n0`, NID: 4, Role: "Service" },
      ],
    });
    for (const i of [0, 1, 2]) {
      assert.equal((await call(smd, "POST", RFES, numberedMagellanBody(i))).status, 201);
    }
    const assigned = await nids(smd);
    assert.equal(assigned.get(`${numberedBmc(0)}n0`), 4);
    assert.equal(assigned.get(`${numberedBmc(1)}n0`), 3);
    assert.equal(assigned.get(`${numberedBmc(2)}n0`), 5);
    assert.equal((await call(smd, "GET", `/State/Components/${numberedBmc(0)}n0`)).json().Role, "Service");
  });

  test("distinct system uuids of one BMC become n0, n1 with their own NIDs", async () => {
    const body = numberedMagellanBody(3);
    const second = { ...(body.Systems as object[])[0], uuid: "system-3b", ethernet_interfaces: [] };
    body.Systems = [...(body.Systems as object[]), second];
    assert.equal((await call(smd, "POST", RFES, body)).status, 201);
    const assigned = await nids(smd);
    assert.equal(assigned.get(`${numberedBmc(3)}n0`), 6);
    assert.equal(assigned.get(`${numberedBmc(3)}n1`), 7);
  });

  test("parallel ingestions never hand out the same NID", async () => {
    const bmcs = Array.from({ length: 40 }, (_, k) => k + 10);
    const statuses = await Promise.all(
      bmcs.map(async (i) => (await call(smd, "POST", RFES, numberedMagellanBody(i))).status),
    );
    assert.deepEqual(new Set(statuses), new Set([201]));
    const values = [...(await nids(smd)).values()];
    assert.equal(new Set(values).size, values.length, `duplicate NIDs: ${values}`);
    assert.deepEqual(
      values.filter((n) => n > 7).sort((a, b) => a - b),
      Array.from({ length: 40 }, (_, k) => k + 8),
    );
  });
});

describe("RedfishEndpoint ingestion on PostgreSQL: parallel NIDs", { skip: skipWithoutPostgres }, () => {
  test("40 concurrent V2 POSTs over a pool of connections get 40 distinct NIDs", async () => {
    const pg = await startPostgres();
    const db = await openDb({ url: pg.url }, { logger: silentLogger() });
    await db.migrate([smdMigrations]);
    const smd = await startSmd({ db });
    try {
      const posts = Array.from({ length: 40 }, (_, i) => call(smd, "POST", RFES, numberedMagellanBody(i)));
      assert.deepEqual(new Set((await Promise.all(posts)).map((r) => r.status)), new Set([201]));
      const values = [...(await nids(smd)).values()].sort((a, b) => a - b);
      assert.deepEqual(
        values,
        Array.from({ length: 40 }, (_, k) => k + 1),
      );
    } finally {
      await smd.close();
      await db.close();
      await pg.stop();
    }
  });
});

describe("RedfishEndpoint ingestion: PDU and legacy bodies", () => {
  let smd: TestSmd;
  before(async () => {
    smd = await startSmd();
  });
  after(() => smd.close());

  test("PDUInventory: controller, /jaws Manager, one power connector and Outlet per outlet", async () => {
    const posted = await call(smd, "POST", RFES, {
      ID: "x3000m0",
      FQDN: "x3000m0.example.com",
      PDUInventory: {
        Model: "JAWS",
        Outlets: [
          { original_id: "AA1", id_suffix: "p0v1", name: "Link1_Outlet_1", state: "on", socket_type: "C13" },
          { original_id: "AA2", id_suffix: "p0v2", name: "Link1_Outlet_2", state: "Off", socket_type: "C19" },
        ],
      },
    });
    assert.equal(posted.status, 201, posted.text);
    const { ComponentEndpoints } = (
      await call(smd, "GET", "/Inventory/ComponentEndpoints?redfish_ep=x3000m0")
    ).json();
    assert.deepEqual(
      ComponentEndpoints.map((c: Record<string, unknown>) => [
        c.ID,
        c.Type,
        c.RedfishType,
        c.OdataID,
        c.RedfishURL,
        c.Enabled,
      ]),
      [
        ["x3000m0", "CabinetPDUController", "Manager", "/jaws", "x3000m0.example.com/jaws", true],
        [
          "x3000m0p0v1",
          "CabinetPDUPowerConnector",
          "Outlet",
          "/jaws/monitor/outlets/AA1",
          "x3000m0.example.com/jaws/monitor/outlets/AA1",
          true,
        ],
        [
          "x3000m0p0v2",
          "CabinetPDUPowerConnector",
          "Outlet",
          "/jaws/monitor/outlets/AA2",
          "x3000m0.example.com/jaws/monitor/outlets/AA2",
          false,
        ],
      ],
    );
    assert.deepEqual(ComponentEndpoints[1].RedfishOutletInfo, {
      Name: "Link1_Outlet_1",
      Actions: {
        "#Outlet.PowerControl": {
          "PowerState@Redfish.AllowableValues": ["On", "Off"],
          target: "/jaws/control/outlets/AA1",
        },
      },
    });
    const outlet = (await call(smd, "GET", "/State/Components/x3000m0p0v1")).json();
    assert.equal(outlet.State, "On");
    assert.equal(outlet.Enabled, true);
  });

  test("PDUInventory without outlets stores only the endpoint", async () => {
    const posted = await call(smd, "POST", RFES, { ID: "x3001m0", PDUInventory: { Outlets: [] } });
    assert.equal(posted.status, 201);
    assert.equal((await call(smd, "GET", "/Inventory/ComponentEndpoints/x3001m0")).status, 404);
  });

  test("legacy: raw Redfish under Systems[].Data describes the endpoint's own ID", async () => {
    const posted = await call(smd, "POST", RFES, {
      ID: "x5c0s0b0",
      Systems: [
        {
          Data: {
            "@odata.id": "/redfish/v1/Systems/Self",
            UUID: "legacy-uuid",
            SystemType: "Physical",
            Status: { State: "Enabled" },
          },
          EthernetInterfaces: [
            {
              Id: "1",
              "@odata.id": "/redfish/v1/Systems/Self/EthernetInterfaces/1",
              MACAddress: "AA-BB-CC-DD-EE-01",
              InterfaceEnabled: true,
            },
          ],
        },
      ],
    });
    assert.equal(posted.status, 201, posted.text);
    const compep = (await call(smd, "GET", "/Inventory/ComponentEndpoints/x5c0s0b0")).json();
    assert.equal(compep.RedfishType, "ComputerSystem");
    assert.equal(compep.UUID, "legacy-uuid");
    assert.equal(compep.RedfishURL, "/redfish/v1/Systems/Self");
    assert.deepEqual(compep.RedfishSystemInfo.EthernetNICInfo, [
      {
        RedfishId: "1",
        "@odata.id": "/redfish/v1/Systems/Self/EthernetInterfaces/1",
        InterfaceEnabled: true,
        MACAddress: "aa:bb:cc:dd:ee:01",
      },
    ]);
    assert.equal((await call(smd, "GET", "/State/Components/x5c0s0b0")).json().Enabled, true);
  });
});
