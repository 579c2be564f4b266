import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isValidXname, xnameParent } from "@openchami/core";
import fc from "fast-check";
import {
  fruIdFor,
  type HardwareLocation,
  hardwareInventory,
  hardwareQuery,
  locationAncestors,
  toHardwareLocation,
} from "./hardware.ts";
import { expectBadRequest } from "./test-helpers.ts";

const STANDARD = { manufacturer: "Manufacturer", partNumber: true } as const;

describe("fruIdFor", () => {
  it("matches upstream's FRU IDs from its CT suite", () => {
    const chassis = { Manufacturer: "HPE", PartNumber: "101426404.D", SerialNumber: "IMZ2409069079" };
    assert.equal(fruIdFor("Chassis", "x9999c7", chassis, STANDARD), "Chassis.HPE.101426404D.IMZ2409069079");
    const nic = { Manufacturer: "HPE-PRM", PartNumber: "P43012-001", SerialNumber: "OTI6996696413" };
    assert.equal(
      fruIdFor("NodeHsnNic", "x1c0s0b0n0h0", nic, STANDARD),
      "NodeHsnNic.HPEPRM.P43012001.OTI6996696413",
    );
    const blade = { Manufacturer: "HPE", PartNumber: "", SerialNumber: "" };
    assert.equal(fruIdFor("ComputeModule", "x9999c7s9", blade, STANDARD), "FRUIDforx9999c7s9");
    assert.equal(fruIdFor("CabinetPDUPowerConnector", "x1m0p0v1", {}, "supplied", "Outlet.1"), "Outlet.1");
    assert.equal(fruIdFor("CabinetPDUPowerConnector", "x1m0p0v1", {}, "supplied", ""), "FRUIDforx1m0p0v1");
  });

  it("is trackable exactly when a serial and a manufacturer or part number survive cleaning", () => {
    const field = fc.oneof(fc.string({ maxLength: 12 }), fc.constant(""), fc.integer());
    fc.assert(
      fc.property(field, field, field, (Manufacturer, PartNumber, SerialNumber) => {
        const fruId = fruIdFor("Node", "x1c0s0b0n0", { Manufacturer, PartNumber, SerialNumber }, STANDARD);
        const clean = (v: unknown) => (typeof v === "string" ? v.replace(/[^a-zA-Z0-9]/g, "") : "");
        const trackable =
          (clean(Manufacturer) !== "" || clean(PartNumber) !== "") && clean(SerialNumber) !== "";
        if (trackable) {
          assert.match(fruId, /^Node(\.[A-Za-z0-9]+){2,3}$/);
          assert.ok(fruId.endsWith(`.${clean(SerialNumber)}`));
        } else {
          assert.equal(fruId, "FRUIDforx1c0s0b0n0");
        }
      }),
    );
  });

  it("falls back to FRUIDfor<ID> when the ID would exceed 255 characters", () => {
    const long = { Manufacturer: "M".repeat(200), SerialNumber: "S".repeat(60) };
    assert.equal(fruIdFor("Node", "x1c0s0b0n0", long, STANDARD), "FRUIDforx1c0s0b0n0");
  });
});

const nodeXname = fc
  .tuple(fc.nat(9999), fc.nat(7), fc.nat(64), fc.nat(3), fc.nat(3))
  .map(([x, c, s, b, n]) => `x${x}c${c}s${s}b${b}n${n}`);
const subcomponent = fc.tuple(nodeXname, fc.constantFrom("p0", "p3", "d12", "a1", "r7", "h2", "g0k1"));

describe("locationAncestors", () => {
  it("lists valid enclosing xnames, outermost first, each the next one's parent, ending with the ID", () => {
    fc.assert(
      fc.property(subcomponent, ([node, suffix]) => {
        const id = `${node}${suffix}`;
        const chain = locationAncestors(id);
        assert.equal(chain.at(-1), id);
        assert.equal(xnameParent(chain[0] as string), "s0");
        for (let i = 1; i < chain.length; i++) {
          assert.equal(xnameParent(chain[i] as string), chain[i - 1]);
          assert.ok(isValidXname(chain[i] as string));
        }
        assert.ok(chain.includes(node));
      }),
    );
  });
});

describe("toHardwareLocation", () => {
  it("checks in upstream's order: ID, PopulatedFRU, supported type, location info, FRU info", () => {
    assert.equal(
      expectBadRequest(() => toHardwareLocation({ ID: "FAKE" })),
      "ID is empty or not a valid xname",
    );
    assert.equal(
      expectBadRequest(() => toHardwareLocation({ ID: "x1c0s0b0n0i0" })),
      "PopulatedFRU must be populated",
    );
    assert.equal(
      expectBadRequest(() => toHardwareLocation({ ID: "x1c0s0b0n0i0", PopulatedFRU: {} })),
      "HMSType value not supported for this operation",
    );
    assert.equal(
      expectBadRequest(() =>
        toHardwareLocation({ ID: "x1c0s0b0n0", PopulatedFRU: {}, ChassisLocationInfo: {} }),
      ),
      "Component location info is empty",
    );
    assert.equal(
      expectBadRequest(() =>
        toHardwareLocation({ ID: "x1c0s0b0n0", PopulatedFRU: { ChassisFRUInfo: {} }, NodeLocationInfo: {} }),
      ),
      "FRU info is empty",
    );
  });

  it("derives type, ordinal and FRU; keeps the info objects as given", () => {
    const location = toHardwareLocation({
      ID: "X1C0S0B0N0D12",
      MemoryLocationInfo: { Id: "DIMM12", extra: [1] },
      PopulatedFRU: { Subtype: "DDR5", MemoryFRUInfo: { Manufacturer: "Micron", SerialNumber: "1" } },
    });
    assert.deepEqual(location, {
      id: "x1c0s0b0n0d12",
      type: "Memory",
      ordinal: 12,
      info: { Id: "DIMM12", extra: [1] },
      fru: {
        fruId: "Memory.Micron.1",
        type: "Memory",
        subtype: "DDR5",
        info: { Manufacturer: "Micron", SerialNumber: "1" },
      },
    });
  });
});

function params(query: Record<string, string>): Map<string, string[]> {
  return new Map(Object.entries(query).map(([k, v]) => [k, [v]]));
}

describe("hardwareQuery", () => {
  it("maps upstream's children/parents/type combinations to a plan", () => {
    const plan = (x: string, query: Record<string, string> = {}) => hardwareQuery(x, params(query)).plan;
    const above = ["x1", "x1c0", "x1c0s0", "x1c0s0b0"];
    assert.deepEqual(plan("x1c0s0b0n0"), {
      within: "x1c0s0b0n0",
      types: undefined,
      expand: false,
      alsoIds: [],
    });
    assert.deepEqual(plan("x1c0s0b0n0", { type: "processor" }), {
      within: "x1c0s0b0n0",
      types: ["Processor"],
      expand: true,
      alsoIds: [],
    });
    assert.deepEqual(plan("x1c0s0b0n0", { children: "false" }), {
      ids: ["x1c0s0b0n0"],
      expand: false,
      alsoIds: [],
    });
    assert.deepEqual(plan("x1c0s0b0n0", { children: "f", type: "Memory" }), {
      within: "x1c0s0b0n0",
      types: ["Memory"],
      expand: false,
      alsoIds: [],
    });
    assert.deepEqual(plan("x1c0s0b0n0", { parents: "t" }), {
      ids: ["x1c0s0b0n0", ...above],
      types: undefined,
      expand: false,
      alsoIds: [],
    });
    assert.deepEqual(plan("x1c0s0b0n0", { parents: "1", children: "1", type: "Node" }), {
      within: "x1c0s0b0n0",
      expand: false,
      alsoIds: above,
    });
    assert.deepEqual(plan("s0"), { within: undefined, types: undefined, expand: false, alsoIds: [] });
    assert.deepEqual(plan("P1.2"), {
      within: undefined,
      types: undefined,
      expand: false,
      alsoIds: [],
      partitions: ["p1.2"],
    });
  });

  it("defaults to NestNodesOnly; formats are case-insensitive", () => {
    assert.equal(hardwareQuery("all", params({})).format, "NestNodesOnly");
    assert.equal(hardwareQuery("all", params({ format: "FULLYFLAT" })).format, "FullyFlat");
    assert.equal(
      expectBadRequest(() => hardwareQuery("all", params({ format: "Hierarchical" }))),
      "Invalid format",
    );
  });
});

describe("hardwareInventory", () => {
  const location = (id: string, type: string): HardwareLocation => ({
    id,
    type,
    ordinal: 0,
    info: {},
    fru: undefined,
  });
  const universe: HardwareLocation[] = [
    location("x1c0s0b0n0", "Node"),
    location("x1c0s0b0n0p0", "Processor"),
    location("x1c0s0b0n0g0k0", "Drive"),
    location("x1c0s0b0n1d0", "Memory"),
    location("x1c0s0b0n1", "Node"),
    location("x1c0s0b0", "NodeBMC"),
    location("x1m0p0", "CabinetPDU"),
    location("x1m0p0v1", "CabinetPDUPowerConnector"),
    location("x1m0p1v1", "CabinetPDUPowerConnector"),
  ];

  function count(value: unknown): number {
    if (Array.isArray(value)) return value.reduce((sum, item) => sum + 1 + count(item), 0);
    if (typeof value === "object" && value !== null)
      return Object.values(value).reduce((s: number, v) => s + count(v), 0);
    return 0;
  }

  it("places every location exactly once, in either format, with all 22 lists", () => {
    fc.assert(
      fc.property(
        fc.subarray(universe),
        fc.constantFrom("FullyFlat", "NestNodesOnly") as fc.Arbitrary<"FullyFlat" | "NestNodesOnly">,
        (subset, format) => {
          const answer = hardwareInventory("s0", format, subset);
          assert.equal(Object.keys(answer).length, 24);
          assert.equal(count(answer), subset.length);
          const nodes = answer.Nodes as Record<string, unknown>[];
          for (const node of nodes) {
            if (format === "NestNodesOnly") assert.ok(Array.isArray(node.Processors));
            else assert.equal(node.Processors, undefined);
          }
        },
      ),
    );
  });
});
