import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import {
  DEFAULT_FLAG,
  type EnumKind,
  HMS_TYPES,
  parseEnum,
  parseHmsConfig,
  serviceValues,
  withExtensions,
} from "./enums.ts";

describe("serviceValues", () => {
  it("lists every enum in the spec's order (§4, D4)", () => {
    const values = serviceValues();
    assert.deepEqual(Object.keys(values), [
      "Arch",
      "Class",
      "Flag",
      "NetType",
      "Role",
      "SubRole",
      "State",
      "Type",
    ]);
    assert.deepEqual(values.State, [
      "Unknown",
      "Empty",
      "Populated",
      "Off",
      "On",
      "Standby",
      "Halt",
      "Ready",
    ]);
    assert.deepEqual(values.Flag, ["Unknown", "OK", "Warning", "Alert", "Locked"]);
    assert.deepEqual(values.Role, ["Compute", "Service", "System", "Application", "Storage", "Management"]);
    assert.deepEqual(values.SubRole, ["Master", "Worker", "Storage"]);
    assert.deepEqual(values.Arch, ["X86", "ARM", "UNKNOWN", "Other"]);
    assert.deepEqual(values.Class, ["River", "Mountain", "Hill"]);
    assert.deepEqual(values.NetType, ["Sling", "Infiniband", "Ethernet", "OEM", "None"]);
  });

  it("lists types in table order, pseudo-types last, without duplicates", () => {
    const types = serviceValues().Type;
    assert.equal(types.length, 56);
    assert.equal(new Set(types).size, types.length);
    assert.deepEqual(types.slice(0, 3), ["CDU", "CDUMgmtSwitch", "Cabinet"]);
    assert.deepEqual(types.slice(-7), [
      "System",
      "SMSBox",
      "Partition",
      "All",
      "AllComp",
      "AllSvc",
      "INVALID",
    ]);
    assert.ok(types.indexOf("NodeHsnNic") < types.indexOf("RouterModule"));
  });

  it("appends extras after the built-ins, skipping ones already present in any case", () => {
    const values = serviceValues({ Role: ["UAN", "compute", "uan", "LNet"], SubRole: ["Visualization"] });
    assert.deepEqual(values.Role, [
      "Compute",
      "Service",
      "System",
      "Application",
      "Storage",
      "Management",
      "UAN",
      "LNet",
    ]);
    assert.deepEqual(values.SubRole, ["Master", "Worker", "Storage", "Visualization"]);
    assert.deepEqual(serviceValues().Role.length, 6);
  });
});

describe("parseEnum", () => {
  it("is case-insensitive in and canonical out", () => {
    assert.equal(parseEnum("State", "ready"), "Ready");
    assert.equal(parseEnum("Flag", "ok"), "OK");
    assert.equal(parseEnum("Arch", "x86"), "X86");
    assert.equal(parseEnum("Arch", "unknown"), "UNKNOWN");
    assert.equal(parseEnum("NetType", "INFINIBAND"), "Infiniband");
    assert.equal(parseEnum("Class", "mountain"), "Mountain");
    assert.equal(parseEnum("Role", "MANAGEMENT"), "Management");
    assert.equal(parseEnum("SubRole", "worker"), "Worker");
    assert.equal(parseEnum("Type", "nodebmc"), "NodeBMC");
    assert.equal(parseEnum("Type", "ALLCOMP"), "AllComp");
  });

  it("reads warn as Warning and defaults Flag to OK", () => {
    assert.equal(parseEnum("Flag", "warn"), "Warning");
    assert.equal(parseEnum("Flag", "WARN"), "Warning");
    assert.equal(DEFAULT_FLAG, "OK");
  });

  it("rejects non-members", () => {
    assert.equal(parseEnum("Type", "Booster"), undefined);
    assert.equal(parseEnum("State", ""), undefined);
    assert.equal(parseEnum("State", " On"), undefined);
    assert.equal(parseEnum("Role", "UAN"), undefined);
    assert.equal(parseEnum("State", "warn"), undefined);
    assert.equal(parseEnum("State", "toString"), undefined);
  });

  it("maps every value in any case back to itself", () => {
    const values = serviceValues();
    const pairs = (Object.keys(values) as EnumKind[]).flatMap((kind) =>
      values[kind].map((v) => [kind, v] as const),
    );
    fc.assert(
      fc.property(fc.constantFrom(...pairs), fc.boolean(), ([kind, value], upper) => {
        assert.equal(parseEnum(kind, upper ? value.toUpperCase() : value.toLowerCase()), value);
      }),
    );
  });

  it("knows every type the xname grammar produces", () => {
    for (const type of HMS_TYPES) assert.equal(parseEnum("Type", type), type);
  });
});

describe("withExtensions", () => {
  const registry = withExtensions({ Role: ["UAN"], SubRole: ["Gateway"] });

  it("accepts the extras, case-insensitively, in their configured spelling", () => {
    assert.equal(registry.parse("Role", "uan"), "UAN");
    assert.equal(registry.parse("SubRole", "GATEWAY"), "Gateway");
    assert.equal(registry.parse("Role", "compute"), "Compute");
    assert.equal(registry.parse("Flag", "warn"), "Warning");
  });

  it("keeps extras to their own enum", () => {
    assert.equal(registry.parse("Role", "Gateway"), undefined);
    assert.equal(registry.parse("SubRole", "UAN"), undefined);
  });
});

describe("parseHmsConfig", () => {
  it("reads upstream's format from text or parsed JSON", () => {
    const text = '{"HMSExtendedDefinitions":{"Role":["UAN","LNet"],"SubRole":["Gateway"]}}';
    const expected = { Role: ["UAN", "LNet"], SubRole: ["Gateway"] };
    assert.deepEqual(parseHmsConfig(text), expected);
    assert.deepEqual(parseHmsConfig(JSON.parse(text)), expected);
  });

  it("matches keys case-insensitively, ignores unknown ones, allows omissions", () => {
    assert.deepEqual(parseHmsConfig({ hmsextendeddefinitions: { role: ["UAN"] }, Other: 1 }), {
      Role: ["UAN"],
    });
    assert.deepEqual(parseHmsConfig({ HMSExtendedDefinitions: { SubRole: null } }), {});
    assert.deepEqual(parseHmsConfig({}), {});
  });

  it("throws a clear Error on anything malformed", () => {
    const cases: [unknown, RegExp][] = [
      ["{not json", /^HMS config: invalid JSON: /],
      ["[]", /^HMS config: expected a JSON object$/],
      [null, /^HMS config: expected a JSON object$/],
      [{ HMSExtendedDefinitions: [] }, /HMSExtendedDefinitions must be an object/],
      [
        { HMSExtendedDefinitions: { Role: "UAN" } },
        /HMSExtendedDefinitions\.Role must be an array of non-empty strings/,
      ],
      [{ HMSExtendedDefinitions: { SubRole: ["ok", 3] } }, /HMSExtendedDefinitions\.SubRole must be/],
      [{ HMSExtendedDefinitions: { Role: [" "] } }, /HMSExtendedDefinitions\.Role must be/],
    ];
    for (const [input, message] of cases) {
      assert.throws(
        () => parseHmsConfig(input),
        (err: unknown) => err instanceof Error && err.name === "Error" && message.test(err.message),
      );
    }
  });
});
