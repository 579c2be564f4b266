import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { call, insertComponents, startSmd, type TestSmd } from "../test-support.ts";

/** A POST entry for location `id` of kind `<T>`. */
function entry(id: string, kind: string, fruInfo: object, locationInfo: object = { Name: id }): object {
  return { ID: id, [`${kind}LocationInfo`]: locationInfo, PopulatedFRU: { [`${kind}FRUInfo`]: fruInfo } };
}

function fru(serial: string, manufacturer = "HPE", partNumber = "P-1"): object {
  return { Manufacturer: manufacturer, PartNumber: partNumber, SerialNumber: serial };
}

/** One location for every `<T>` of spec §3.8, with the FRU ID upstream derives for it. */
const EVERY_KIND: [id: string, kind: string, type: string, fruId: string][] = [
  ["x1", "Cabinet", "Cabinet", "Cabinet.HPE.P1.S1"],
  ["x1c0", "Chassis", "Chassis", "Chassis.HPE.P1.S2"],
  ["x1c0s0", "ComputeModule", "ComputeModule", "ComputeModule.HPE.P1.S3"],
  ["x1c0r0", "RouterModule", "RouterModule", "RouterModule.HPE.P1.S4"],
  ["x1c0s0e0", "NodeEnclosure", "NodeEnclosure", "NodeEnclosure.HPE.P1.S5"],
  ["x1c0r0e0", "HSNBoard", "HSNBoard", "HSNBoard.HPE.P1.S6"],
  ["x1c0w1", "MgmtSwitch", "MgmtSwitch", "MgmtSwitch.HPE.P1.S7"],
  ["x1c0h1s1", "MgmtHLSwitch", "MgmtHLSwitch", "MgmtHLSwitch.HPE.P1.S8"],
  ["d1w1", "CDUMgmtSwitch", "CDUMgmtSwitch", "CDUMgmtSwitch.HPE.P1.S9"],
  ["x1c0s0b0n0", "Node", "Node", "Node.HPE.P1.S10"],
  ["x1c0s0b0n0p0", "Processor", "Processor", "Processor.HPE.P1.S11"],
  ["x1c0s0b0n0a0", "NodeAccel", "NodeAccel", "NodeAccel.HPE.P1.S12"],
  ["x1c0s0b0n0r0", "NodeAccelRiser", "NodeAccelRiser", "FRUIDforx1c0s0b0n0r0"],
  ["x1c0s0b0n0g0k0", "Drive", "Drive", "Drive.HPE.P1.S14"],
  ["x1c0s0b0n0d0", "Memory", "Memory", "Memory.HPE.P1.S15"],
  ["x1m0p0", "PDU", "CabinetPDU", "CabinetPDU.HPE.P1.S16"],
  ["x1m0p0v1", "Outlet", "CabinetPDUPowerConnector", "FRUIDforx1m0p0v1"],
  ["x1c0t0", "CMMRectifier", "CMMRectifier", "CMMRectifier.HPE.S18"],
  ["x1c0s0e0t0", "NodeEnclosurePowerSupply", "NodeEnclosurePowerSupply", "NodeEnclosurePowerSupply.HPE.S19"],
  ["x1c0s0b0", "NodeBMC", "NodeBMC", "NodeBMC.HPE.P1.S20"],
  ["x1c0r0b0", "RouterBMC", "RouterBMC", "RouterBMC.HPE.P1.S21"],
  ["x1c0s0b0n0h0", "NodeHsnNic", "NodeHsnNic", "NodeHsnNic.HPE.P1.S22"],
];

/** Upstream's CT example (test_hardware.tavern.yaml), FRUID as upstream derives it. */
const RECTIFIER = {
  ID: "x9999c7t9",
  Type: "CMMRectifier",
  Ordinal: 9,
  Status: "Populated",
  HWInventoryByLocationType: "HWInvByLocCMMRectifier",
  CMMRectifierLocationInfo: { Name: "Rectifier9", FirmwareVersion: "" },
  PopulatedFRU: {
    FRUID: "CMMRectifier.ABB.LBGEPE20KZ46051725",
    Type: "CMMRectifier",
    Subtype: "",
    HWInventoryByFRUType: "HWInvByFRUCMMRectifier",
    CMMRectifierFRUInfo: {
      Manufacturer: "ABB",
      SerialNumber: "LBGEPE20KZ46051725",
      Model: "CC15000H3C380T",
      PartNumber: "",
      PowerCapacityWatts: 0,
      PowerInputWatts: 0,
      PowerOutputWatts: 0,
      PowerSupplyType: "",
    },
  },
};

function detail(response: { json: () => { detail: string } }): string {
  return response.json().detail;
}

async function post(smd: TestSmd, hardware: object[]) {
  return call(smd, "POST", "/Inventory/Hardware", { Hardware: hardware });
}

describe("Inventory/Hardware", () => {
  let smd: TestSmd;
  before(async () => {
    smd = await startSmd();
  });
  after(() => smd.close());

  test("POST takes every <T> (200 `Created N entries`); GET one answers upstream's shape", async () => {
    const body = EVERY_KIND.map(([id, kind], i) => {
      const serial = `S${i + 1}`;
      if (kind === "NodeAccelRiser") return entry(id, kind, { Producer: "", SerialNumber: serial });
      if (kind === "Outlet") return entry(id, kind, {});
      return entry(id, kind, fru(serial, "HPE", "P-1"));
    });
    const posted = await post(smd, body);
    assert.equal(posted.status, 200);
    assert.deepEqual(posted.json(), { code: 0, message: `Created ${EVERY_KIND.length} entries` });
    for (const [id, kind, type, fruId] of EVERY_KIND) {
      const got = (await call(smd, "GET", `/Inventory/Hardware/${id}`)).json();
      assert.equal(got.ID, id);
      assert.equal(got.Type, type);
      assert.equal(got.Status, "Populated");
      assert.equal(got.HWInventoryByLocationType, `HWInvByLoc${kind}`);
      assert.deepEqual(got[`${kind}LocationInfo`], { Name: id });
      assert.equal(got.PopulatedFRU.FRUID, fruId, id);
      assert.equal(got.PopulatedFRU.HWInventoryByFRUType, `HWInvByFRU${kind}`);
      assert.equal(got.PopulatedFRU.Type, type);
    }
  });

  test("upstream's CT entry round-trips exactly; the client's FRUID is recomputed from the FRU info", async () => {
    const sent = structuredClone(RECTIFIER);
    sent.PopulatedFRU.FRUID = "ignored";
    assert.equal((await post(smd, [sent])).status, 200);
    const got = await call(smd, "GET", "/Inventory/Hardware/X9999C7T9");
    assert.deepEqual(got.json(), RECTIFIER);
  });

  test("keys match case-insensitively, ID is normalised, Ordinal comes from the ID", async () => {
    const posted = await call(smd, "POST", "/Inventory/Hardware", {
      hardware: [
        {
          id: "X0002C0S0B0N0",
          Ordinal: 7,
          nodelocationinfo: { Id: "Node0" },
          populatedfru: { fruid: "x", subtype: "River", NODEFRUINFO: fru("SN-9") },
        },
      ],
    });
    assert.equal(posted.status, 200);
    const got = (await call(smd, "GET", "/Inventory/Hardware/x2c0s0b0n0")).json();
    assert.equal(got.Ordinal, 0);
    assert.deepEqual(got.NodeLocationInfo, { Id: "Node0" });
    assert.deepEqual(got.PopulatedFRU, {
      FRUID: "Node.HPE.P1.SN9",
      Type: "Node",
      Subtype: "River",
      HWInventoryByFRUType: "HWInvByFRUNode",
      NodeFRUInfo: fru("SN-9"),
    });
  });

  test("bad entries are 400 with upstream's details and store nothing", async () => {
    const good = entry("x8c0s0b0n0", "Node", fru("GOOD"));
    const cases: [object, string][] = [
      [{ NodeLocationInfo: {}, PopulatedFRU: { NodeFRUInfo: {} } }, "ID is empty or not a valid xname"],
      [entry("", "Node", {}), "ID is empty or not a valid xname"],
      [entry("FAKE", "NodeHsnNic", {}), "ID is empty or not a valid xname"],
      [{ ID: "x8c0s0b0n0d9" }, "PopulatedFRU must be populated"],
      [{ ID: "x8c0s0b0n0d9", MemoryLocationInfo: {}, PopulatedFRU: null }, "PopulatedFRU must be populated"],
      [{ ID: "x8c0s9b9", PopulatedFRU: { NodeBMCFRUInfo: {} } }, "Component location info is empty"],
      [
        { ID: "x8c0s9b9", NodeLocationInfo: {}, PopulatedFRU: { NodeBMCFRUInfo: {} } },
        "Component location info is empty",
      ],
      [{ ID: "x8c0s9e9", NodeEnclosureLocationInfo: {}, PopulatedFRU: {} }, "FRU info is empty"],
      [entry("x8c0s0b0n0i0", "NodeNic", {}), "HMSType value not supported for this operation"],
    ];
    for (const [bad, expected] of cases) {
      const response = await post(smd, [good, bad]);
      assert.equal(response.status, 400, JSON.stringify(bad));
      assert.equal(detail(response), expected, JSON.stringify(bad));
    }
    for (const body of [
      { Hardware: [{ ...good, Ordinal: "9" }] },
      { Hardware: [{ ...good, NodeLocationInfo: "x" }] },
      "{",
    ]) {
      const response = await call(smd, "POST", "/Inventory/Hardware", body);
      assert.equal(response.status, 400);
      assert.match(detail(response), /^error decoding JSON /);
    }
    assert.equal((await call(smd, "GET", "/Inventory/Hardware/x8c0s0b0n0")).status, 404);
  });

  test("an empty or missing list creates nothing (200 `Created 0 entries`, as upstream)", async () => {
    for (const body of [{ Hardware: [] }, {}, { Hardware: null }]) {
      const response = await call(smd, "POST", "/Inventory/Hardware", body);
      assert.deepEqual(response.json(), { code: 0, message: "Created 0 entries" });
    }
  });

  test("GET filters: id, type, manufacturer (substring), partnumber, serialnumber, fruid; sorted by ID", async () => {
    const ids = async (query: string) =>
      (await call(smd, "GET", `/Inventory/Hardware?${query}`)).json().map((l: { ID: string }) => l.ID);
    assert.deepEqual(await ids("id=x1c0s0b0n0&id=X1C0S0B0"), ["x1c0s0b0", "x1c0s0b0n0"]);
    assert.deepEqual(await ids("type=processor&TYPE=Memory"), ["x1c0s0b0n0d0", "x1c0s0b0n0p0"]);
    assert.deepEqual(await ids("manufacturer=ab"), ["x9999c7t9"]);
    assert.deepEqual(await ids("manufacturer=HP&type=Node"), ["x1c0s0b0n0", "x2c0s0b0n0"]);
    assert.deepEqual(await ids("partnumber=P-1&serialnumber=S2"), ["x1c0"]);
    assert.deepEqual(await ids("fruid=Processor.HPE.P1.S11&FruID=FRUIDforx1m0p0v1"), [
      "x1c0s0b0n0p0",
      "x1m0p0v1",
    ]);
    assert.deepEqual(await ids("manufacturer=%25"), []);
    const all = await ids("");
    assert.deepEqual(all, [...all].sort());
    assert.equal(all.length, EVERY_KIND.length + 2);
  });

  test("GET filters: bad id → 400 `Invalid xname`, bad type → 400 `Invalid HMS type`", async () => {
    assert.equal(detail(await call(smd, "GET", "/Inventory/Hardware?id=FAKE")), "Invalid xname");
    assert.equal(detail(await call(smd, "GET", "/Inventory/Hardware?type=FAKE")), "Invalid HMS type");
    assert.equal(detail(await call(smd, "GET", "/Inventory/Hardware?partition=b@d")), "Invalid partition");
  });

  test("GET/DELETE one: 404 `no such xname.` for absent and malformed (including DELETE …/FAKE)", async () => {
    for (const method of ["GET", "DELETE"]) {
      for (const id of ["x9989c7s9b9n9", "FAKE"]) {
        const response = await call(smd, method, `/Inventory/Hardware/${id}`);
        assert.equal(response.status, 404, `${method} ${id}`);
        assert.equal(detail(response), "no such xname.");
      }
    }
    const gone = await call(smd, "DELETE", "/Inventory/Hardware/X0002C0S0B0N0");
    assert.deepEqual(gone.json(), { code: 0, message: "deleted 1 entry" });
    assert.equal((await call(smd, "GET", "/Inventory/Hardware/x2c0s0b0n0")).status, 404);
    // The FRU it held stays.
    assert.equal((await call(smd, "GET", "/Inventory/HardwareByFRU/Node.HPE.P1.SN9")).status, 200);
  });

  test("a wrong method on a known path is 405 with Allow", async () => {
    const cases: [string, string, string][] = [
      ["PUT", "/Inventory/Hardware", "allow GET,POST,DELETE"],
      ["POST", "/Inventory/Hardware/x1c0", "allow GET,DELETE"],
      ["POST", "/Inventory/Hardware/Query/s0", "allow GET"],
      ["PATCH", "/Inventory/HardwareByFRU/x", "allow GET,DELETE"],
    ];
    for (const [method, path, allow] of cases) {
      const response = await call(smd, method, path, {});
      assert.equal(response.status, 405, `${method} ${path}`);
      assert.equal(detail(response), allow);
    }
  });

  test("writes emit Hardware change events after commit", async () => {
    const events: unknown[] = [];
    const unsubscribe = await smd.db.listen("smd_changes", (event) => events.push(event));
    await post(smd, [entry("x3c0s0b0n0", "Node", fru("EV"))]);
    await call(smd, "DELETE", "/Inventory/Hardware/x3c0s0b0n0");
    await unsubscribe();
    assert.deepEqual(
      events.filter((e) => (e as { resource: string }).resource === "Hardware"),
      [
        { resource: "Hardware", op: "upsert", ids: ["x3c0s0b0n0"] },
        { resource: "Hardware", op: "delete", ids: ["x3c0s0b0n0"] },
      ],
    );
  });
});

describe("Inventory/Hardware/Query/{x}", () => {
  let smd: TestSmd;
  before(async () => {
    smd = await startSmd();
    await post(smd, [
      entry("x1c0s0", "ComputeModule", fru("CM")),
      entry("x1c0s0b0", "NodeBMC", fru("BMC")),
      entry("x1c0s0b0n0", "Node", fru("N0")),
      entry("x1c0s0b0n0p0", "Processor", fru("P0")),
      entry("x1c0s0b0n0p1", "Processor", fru("P1")),
      entry("x1c0s0b0n0d0", "Memory", fru("D0")),
      entry("x1c0s0b0n0g0k0", "Drive", fru("K0")),
      entry("x1c0s0b0n1", "Node", fru("N1")),
      entry("x1c0s1b0n0p0", "Processor", fru("ORPHAN")),
      entry("x1c0s10", "ComputeModule", fru("CM10")),
      entry("x1m0p0", "PDU", fru("PDU")),
      entry("x1m0p0v1", "Outlet", {}),
    ]);
    await insertComponents(smd, ["x1c0s0b0n1"]);
    await smd.db.kysely.insertInto("partitions").values({ name: "p1" }).execute();
    await smd.db.kysely
      .insertInto("partition_members")
      .values({ component_id: "x1c0s0b0n1", partition_name: "p1" })
      .execute();
  });
  after(() => smd.close());

  /** Every ID in an answer, nested ones included, sorted. */
  function idsOf(answer: Record<string, unknown>): string[] {
    const ids: string[] = [];
    const visit = (location: Record<string, unknown>) => {
      ids.push(location.ID as string);
      for (const value of Object.values(location)) if (Array.isArray(value)) value.forEach(visit);
    };
    for (const value of Object.values(answer)) if (Array.isArray(value)) value.forEach(visit);
    return ids.sort();
  }

  async function query(path: string) {
    return call(smd, "GET", `/Inventory/Hardware/Query/${path}`);
  }

  test("NestNodesOnly (default): subcomponents under their node, outlets under their PDU, every list present", async () => {
    const answer = (await query("x1c0s0")).json();
    assert.equal(answer.XName, "x1c0s0");
    assert.equal(answer.Format, "NestNodesOnly");
    for (const list of [
      "Cabinets",
      "Chassis",
      "RouterModules",
      "HSNBoards",
      "MgmtSwitches",
      "CabinetPDUs",
      "NodeHsnNics",
    ]) {
      assert.deepEqual(answer[list], [], list);
    }
    assert.deepEqual(
      answer.ComputeModules.map((m: { ID: string }) => m.ID),
      ["x1c0s0"],
    );
    assert.deepEqual(answer.Processors, []);
    assert.deepEqual(answer.Memory, []);
    const [n0, n1] = answer.Nodes;
    assert.deepEqual(
      n0.Processors.map((p: { ID: string }) => p.ID),
      ["x1c0s0b0n0p0", "x1c0s0b0n0p1"],
    );
    assert.deepEqual(
      n0.Memory.map((m: { ID: string }) => m.ID),
      ["x1c0s0b0n0d0"],
    );
    assert.deepEqual(
      n0.Drives.map((d: { ID: string }) => d.ID),
      ["x1c0s0b0n0g0k0"],
    );
    assert.deepEqual(n1.Processors, []);
    assert.deepEqual(n1.NodeAccelRisers, []);
    assert.equal(n0.PopulatedFRU.FRUID, "Node.HPE.P1.N0");

    const pdu = (await query("x1m0")).json();
    assert.equal(pdu.CabinetPDUs[0].CabinetPDUPowerConnectors[0].ID, "x1m0p0v1");
    assert.deepEqual(pdu.CabinetPDUPowerConnectors, []);
  });

  test("FullyFlat lists everything at the top; a subcomponent without its node stays at the top", async () => {
    const flat = (await query("x1c0s0?format=fullyflat")).json();
    assert.equal(flat.Format, "FullyFlat");
    assert.equal(flat.Processors.length, 2);
    assert.equal(flat.Nodes[0].Processors, undefined);
    const orphan = (await query("x1c0s1")).json();
    assert.deepEqual(
      orphan.Processors.map((p: { ID: string }) => p.ID),
      ["x1c0s1b0n0p0"],
    );
  });

  test("children (default) covers {x} and what it encloses — x1c0s0 is not x1c0s10", async () => {
    assert.deepEqual(idsOf((await query("x1c0s0")).json()), [
      "x1c0s0",
      "x1c0s0b0",
      "x1c0s0b0n0",
      "x1c0s0b0n0d0",
      "x1c0s0b0n0g0k0",
      "x1c0s0b0n0p0",
      "x1c0s0b0n0p1",
      "x1c0s0b0n1",
    ]);
    assert.deepEqual(idsOf((await query("x1c0s0?children=false")).json()), ["x1c0s0"]);
    assert.deepEqual(idsOf((await query("X0001C0S0B0N0?children=0&format=FullyFlat")).json()), [
      "x1c0s0b0n0",
    ]);
  });

  test("type with children: the matching locations and what they enclose; without: just the matches", async () => {
    assert.deepEqual(idsOf((await query("x1c0s0?type=Node")).json()), [
      "x1c0s0b0n0",
      "x1c0s0b0n0d0",
      "x1c0s0b0n0g0k0",
      "x1c0s0b0n0p0",
      "x1c0s0b0n0p1",
      "x1c0s0b0n1",
    ]);
    assert.deepEqual(idsOf((await query("s0?type=Processor&children=false")).json()), [
      "x1c0s0b0n0p0",
      "x1c0s0b0n0p1",
      "x1c0s1b0n0p0",
    ]);
    assert.deepEqual(idsOf((await query("all?type=ComputeModule")).json()).length, 9);
  });

  test("parents adds the enclosing locations", async () => {
    assert.deepEqual(idsOf((await query("x1c0s0b0n0p0?parents=true")).json()), [
      "x1c0s0",
      "x1c0s0b0",
      "x1c0s0b0n0",
      "x1c0s0b0n0p0",
    ]);
    assert.deepEqual(idsOf((await query("x1c0s0b0n0p0?parents=true&type=NodeBMC")).json()), ["x1c0s0b0"]);
    assert.deepEqual(idsOf((await query("x1c0s0b0n0?parents=true&children=true")).json()), [
      "x1c0s0",
      "x1c0s0b0",
      "x1c0s0b0n0",
      "x1c0s0b0n0d0",
      "x1c0s0b0n0g0k0",
      "x1c0s0b0n0p0",
      "x1c0s0b0n0p1",
    ]);
  });

  test("s0, all and partitions; a partition covers what its members enclose", async () => {
    assert.equal(idsOf((await query("s0")).json()).length, 12);
    assert.equal(idsOf((await query("all?format=FullyFlat")).json()).length, 12);
    const partition = (await query("p1")).json();
    assert.equal(partition.XName, "p1");
    assert.deepEqual(idsOf(partition), ["x1c0s0b0n1"]);
    assert.deepEqual(idsOf((await query("x1c0s0?partition=P1")).json()), ["x1c0s0b0n1"]);
    assert.deepEqual(idsOf((await query("p2")).json()), []);
  });

  test("a well-formed absent xname is 200 with empty lists", async () => {
    const response = await query("x9999c7s9b9n9?children=False");
    assert.equal(response.status, 200);
    const answer = response.json();
    assert.equal(answer.XName, "x9999c7s9b9n9");
    assert.equal(answer.Format, "NestNodesOnly");
    assert.equal(Object.keys(answer).length, 2 + 22);
    for (const [key, value] of Object.entries(answer))
      if (key !== "XName" && key !== "Format") assert.deepEqual(value, []);
  });

  test("400s: malformed xname, Hierarchical or unknown format, bad type, bad booleans", async () => {
    const cases: [string, string][] = [
      ["FAKE", "Invalid xname"],
      ["x1c0s0?format=Hierarchical", "Invalid format"],
      ["x1c0s0?format=tree", "Invalid format"],
      ["x1c0s0?type=Booster", "Invalid HMS type"],
      ["x1c0s0?children=maybe", "Invalid boolean for children"],
      ["x1c0s0?parents=2", "Invalid boolean for parents"],
    ];
    for (const [path, expected] of cases) {
      const response = await query(path);
      assert.equal(response.status, 400, path);
      assert.equal(detail(response), expected, path);
    }
  });
});

describe("Inventory/HardwareByFRU", () => {
  let smd: TestSmd;
  before(async () => {
    smd = await startSmd();
    await post(smd, [
      entry("x1c0s0b0n0", "Node", fru("N0", "Cray Inc")),
      entry("x1c0s0b0n0p0", "Processor", fru("P0", "AMD", "100-0001")),
      entry("x1c0s0b0n0p1", "Processor", fru("P1", "Intel", "100-0002")),
    ]);
  });
  after(() => smd.close());

  test("GET lists FRUs sorted by FRU ID, with filters fruid, type, manufacturer, partnumber, serialnumber", async () => {
    const fruIds = async (query: string) =>
      (await call(smd, "GET", `/Inventory/HardwareByFRU?${query}`))
        .json()
        .map((f: { FRUID: string }) => f.FRUID);
    assert.deepEqual(await fruIds(""), [
      "Node.CrayInc.P1.N0",
      "Processor.AMD.1000001.P0",
      "Processor.Intel.1000002.P1",
    ]);
    assert.deepEqual(await fruIds("type=PROCESSOR&manufacturer=intel"), ["Processor.Intel.1000002.P1"]);
    assert.deepEqual(await fruIds("partnumber=100-0001"), ["Processor.AMD.1000001.P0"]);
    assert.deepEqual(await fruIds("serialnumber=N0&serialnumber=P1"), [
      "Node.CrayInc.P1.N0",
      "Processor.Intel.1000002.P1",
    ]);
    assert.deepEqual(await fruIds("fruid=Node.CrayInc.P1.N0"), ["Node.CrayInc.P1.N0"]);
    assert.equal(detail(await call(smd, "GET", "/Inventory/HardwareByFRU?type=FAKE")), "Invalid HMS type");
  });

  test("GET one answers the FRU; absent → 404 `no such FRU ID.`", async () => {
    const got = await call(smd, "GET", "/Inventory/HardwareByFRU/Processor.AMD.1000001.P0");
    assert.deepEqual(got.json(), {
      FRUID: "Processor.AMD.1000001.P0",
      Type: "Processor",
      Subtype: "",
      HWInventoryByFRUType: "HWInvByFRUProcessor",
      ProcessorFRUInfo: fru("P0", "AMD", "100-0001"),
    });
    const absent = await call(smd, "GET", "/Inventory/HardwareByFRU/nope");
    assert.equal(absent.status, 404);
    assert.equal(detail(absent), "no such FRU ID.");
  });

  test("DELETE one empties the location that held it; absent → 404", async () => {
    const gone = await call(smd, "DELETE", "/Inventory/HardwareByFRU/Processor.AMD.1000001.P0");
    assert.deepEqual(gone.json(), { code: 0, message: "deleted 1 entry" });
    const location = (await call(smd, "GET", "/Inventory/Hardware/x1c0s0b0n0p0")).json();
    assert.equal(location.Status, "Empty");
    assert.equal(location.PopulatedFRU, undefined);
    assert.deepEqual(location.ProcessorLocationInfo, { Name: "x1c0s0b0n0p0" });
    const again = await call(smd, "DELETE", "/Inventory/HardwareByFRU/Processor.AMD.1000001.P0");
    assert.equal(again.status, 404);
    assert.equal(detail(again), "no such FRU ID.");
  });

  test("DELETE all FRUs: 200 then 404; locations stay, Empty; DELETE all locations: 200 then 404", async () => {
    assert.deepEqual((await call(smd, "DELETE", "/Inventory/HardwareByFRU")).json(), {
      code: 0,
      message: "deleted 2 entries",
    });
    assert.equal(detail(await call(smd, "DELETE", "/Inventory/HardwareByFRU")), "no entries to delete");
    const locations = (await call(smd, "GET", "/Inventory/Hardware")).json();
    assert.deepEqual(
      locations.map((l: { Status: string }) => l.Status),
      ["Empty", "Empty", "Empty"],
    );
    assert.deepEqual((await call(smd, "DELETE", "/Inventory/Hardware")).json(), {
      code: 0,
      message: "deleted 3 entries",
    });
    const again = await call(smd, "DELETE", "/Inventory/Hardware");
    assert.equal(again.status, 404);
    assert.equal(detail(again), "no entries to delete");
    assert.deepEqual((await call(smd, "GET", "/Inventory/Hardware")).json(), []);
  });
});

describe("Inventory/Hardware with auth", () => {
  let smd: TestSmd;
  before(async () => {
    smd = await startSmd({ auth: true });
  });
  after(() => smd.close());

  test("GET needs read, POST write, DELETE admin", async () => {
    const bearer = async (scopes: string[]) => ({ authorization: `Bearer ${await smd.token(scopes)}` });
    assert.equal((await call(smd, "GET", "/Inventory/Hardware")).status, 401);
    assert.equal(
      (await call(smd, "GET", "/Inventory/Hardware", undefined, await bearer(["read"]))).status,
      200,
    );
    const body = { Hardware: [entry("x1c0s0b0n0", "Node", fru("A"))] };
    assert.equal((await call(smd, "POST", "/Inventory/Hardware", body, await bearer(["read"]))).status, 403);
    assert.equal((await call(smd, "POST", "/Inventory/Hardware", body, await bearer(["write"]))).status, 200);
    assert.equal(
      (await call(smd, "DELETE", "/Inventory/Hardware", undefined, await bearer(["write"]))).status,
      403,
    );
    assert.equal(
      (await call(smd, "DELETE", "/Inventory/Hardware", undefined, await bearer(["admin"]))).status,
      200,
    );
  });
});
