import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isProblem, STATES, withExtensions } from "@openchami/core";
import fc from "fast-check";
import {
  type Component,
  componentToWire,
  firstPerId,
  formulaNid,
  type NewComponent,
  stateChange,
  upsertNotifications,
  validateComponent,
  withDefaults,
} from "./component.ts";

const enums = withExtensions({ Role: ["Gateway"] });

function valid(input: object): NewComponent {
  const result = validateComponent(input, enums);
  assert.ok(!("error" in result), JSON.stringify(result));
  return result;
}

describe("validateComponent", () => {
  it("normalises the ID, derives Type, canonicalises enums and applies defaults", () => {
    assert.deepEqual(
      valid({
        ID: "X0001C0S0B0N0",
        State: "ready",
        Flag: "warn",
        Role: "gateway",
        NetType: "sling",
        Class: "river",
      }),
      {
        id: "x1c0s0b0n0",
        type: "Node",
        state: "Ready",
        flag: "Warning",
        enabled: true,
        softwareStatus: "",
        role: "Gateway",
        subRole: "",
        nid: undefined,
        subtype: "",
        netType: "Sling",
        arch: "",
        class: "River",
      },
    );
    assert.equal(valid({ ID: "p9999.9999", State: "Empty" }).type, "Partition");
    assert.equal(valid({ ID: "x0c0s0b0n0", State: "On", NID: -7 }).nid, -1);
  });

  it("reports upstream's reasons", () => {
    const cases: [object, string][] = [
      [{ ID: "FAKE", State: "On" }, "xname ID 'FAKE' is invalid"],
      [{ State: "On" }, "xname ID '' is invalid"],
      [{ ID: "x0c0s0b0n0" }, "state '' is invalid"],
      [{ ID: "x0c0s0b0n0", State: "Asleep" }, "state 'Asleep' is invalid"],
      [{ ID: "x0c0s0b0n0", State: "On", Flag: "Bad" }, "flag 'Bad' is invalid"],
      [{ ID: "x0c0s0b0n0", State: "On", Role: "Chef" }, "role 'Chef' is invalid"],
      [{ ID: "x0c0s0b0n0", State: "On", SubRole: "Chef" }, "subRole 'Chef' is invalid"],
      [{ ID: "x0c0s0b0n0", State: "On", NetType: "Wifi" }, "netType 'Wifi' is invalid"],
      [{ ID: "x0c0s0b0n0", State: "On", Arch: "Sparc" }, "arch 'Sparc' is invalid"],
      [{ ID: "x0c0s0b0n0", State: "On", Class: "Lake" }, "class 'Lake' is invalid"],
    ];
    for (const [input, error] of cases) assert.deepEqual(validateComponent(input, enums), { error });
  });
});

describe("node defaults (§5.1)", () => {
  it("computes upstream's NID formula, VirtualNodes using vN", () => {
    assert.equal(formulaNid("x0c0s0b0n0"), 16384);
    assert.equal(formulaNid("x1000c7s1b0n0"), 1001 * 16384 + 7 * 2048 + 32);
    assert.equal(formulaNid("x3c1s2b1n1v5"), 4 * 16384 + 2048 + 64 + 4 + 5);
    fc.assert(
      fc.property(fc.nat(9999), fc.nat(7), fc.nat(63), fc.nat(3), fc.nat(3), (x, c, s, b, n) => {
        assert.equal(
          formulaNid(`x${x}c${c}s${s}b${b}n${n}`),
          (x + 1) * 16384 + c * 2048 + s * 32 + b * 4 + n,
        );
      }),
    );
  });

  it("fills each missing field from the NodeMap, else the formula / Compute", () => {
    const node = valid({ ID: "x0c0s1b0n0", State: "On" });
    assert.deepEqual(pick(withDefaults(node, undefined)), { nid: 16416, role: "Compute", subRole: "" });
    const map = { nid: 7, role: "Service", subRole: "Master" };
    assert.deepEqual(pick(withDefaults(node, map)), { nid: 7, role: "Service", subRole: "Master" });
    const given = valid({ ID: "x0c0s1b0n0", State: "On", NID: 3, Role: "Storage", SubRole: "Worker" });
    assert.deepEqual(pick(withDefaults(given, map)), { nid: 3, role: "Storage", subRole: "Worker" });
  });

  it("leaves non-nodes alone except an unset NID, which becomes -1", () => {
    const bmc = valid({ ID: "x0c0s1b0", State: "On" });
    assert.deepEqual(pick(withDefaults(bmc, { nid: 9, role: "Service", subRole: "" })), {
      nid: -1,
      role: "",
      subRole: "",
    });
  });

  function pick(c: NewComponent) {
    return { nid: c.nid, role: c.role, subRole: c.subRole };
  }
});

describe("firstPerId", () => {
  it("keeps the first occurrence of each id, in order", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom("a", "b", "c"), fc.nat())), (pairs) => {
        const items = pairs.map(([id, n]) => ({ id, n }));
        const kept = firstPerId(items);
        assert.deepEqual(
          kept.map((k) => k.id),
          [...new Set(items.map((i) => i.id))],
        );
        for (const k of kept)
          assert.equal(
            k,
            items.find((i) => i.id === k.id),
          );
      }),
    );
  });
});

describe("componentToWire", () => {
  it("omits '', false and NID -1, keeps Enabled whenever present", () => {
    const full: Component = {
      id: "x0c0s0b0n0",
      type: "Node",
      state: "",
      flag: "OK",
      enabled: false,
      softwareStatus: "",
      role: "",
      subRole: "",
      nid: -1,
      subtype: "",
      netType: "",
      arch: "",
      class: "",
      reservationDisabled: false,
      locked: true,
    };
    assert.deepEqual(componentToWire(full), {
      ID: "x0c0s0b0n0",
      Type: "Node",
      Flag: "OK",
      Enabled: false,
      Locked: true,
    });
    assert.deepEqual(componentToWire({ id: "x1", type: "Cabinet", nid: 0 }), {
      ID: "x1",
      Type: "Cabinet",
      NID: 0,
    });
  });
});

describe("stateChange (§5.2)", () => {
  const force = [false, true];

  it("Unknown/Empty/Populated need Force", () => {
    for (const state of ["Unknown", "empty", "POPULATED"]) {
      assert.throws(
        () => stateChange(enums, state, undefined, false),
        (e) => isProblem(e) && e.detail === "operation not allowed and not forced.",
      );
      assert.deepEqual(stateChange(enums, state, undefined, true).from, undefined);
    }
  });

  it("an omitted flag is OK; Ready+Warning only from Ready, forced or not", () => {
    assert.deepEqual(stateChange(enums, "off", undefined, false), {
      state: "Off",
      flag: "OK",
      from: ["Off", "On", "Standby", "Halt", "Ready"],
    });
    for (const f of force) assert.deepEqual(stateChange(enums, "ready", "warn", f).from, ["Ready"]);
  });

  it("the table of allowed start states", () => {
    const table: Record<string, string[]> = {
      Off: ["Off", "On", "Standby", "Halt", "Ready"],
      On: ["On", "Off", "Standby", "Halt"],
      Standby: ["Standby", "Ready"],
      Halt: ["Halt", "Ready"],
      Ready: ["Ready", "On", "Off", "Standby", "Halt"],
    };
    for (const [state, from] of Object.entries(table))
      assert.deepEqual(stateChange(enums, state, "OK", false).from, from);
  });

  it("rejects bad states and flags with upstream's texts", () => {
    fc.assert(
      fc.property(
        fc.string().filter((s) => !STATES.some((st) => st.toLowerCase() === s.toLowerCase())),
        (state) => {
          assert.throws(
            () => stateChange(enums, state, undefined, true),
            (e) => isProblem(e) && e.detail === "Argument was not a valid HMS State",
          );
        },
      ),
    );
    assert.throws(
      () => stateChange(enums, "On", "Bad", false),
      (e) => isProblem(e) && e.detail === "Argument was not a valid HMS Flag",
    );
  });
});

describe("upsertNotifications (§5.6)", () => {
  it("groups new components per value and adds forced State changes", () => {
    const created = [
      withDefaults(valid({ ID: "x0c0s0b0n0", State: "On", SoftwareStatus: "up" }), undefined),
      withDefaults(valid({ ID: "x0c0s1b0n0", State: "Off", Role: "Service", SubRole: "Master" }), undefined),
      withDefaults(valid({ ID: "x0c0s1b0", State: "On", Enabled: false }), undefined),
    ];
    assert.deepEqual(
      upsertNotifications({ written: [], created, restated: [{ id: "x9c0s0b0n0", state: "Off" }] }),
      [
        { Components: ["x0c0s0b0n0", "x0c0s1b0"], State: "On" },
        { Components: ["x0c0s1b0n0", "x9c0s0b0n0"], State: "Off" },
        { Components: ["x0c0s0b0n0", "x0c0s1b0n0"], Enabled: true },
        { Components: ["x0c0s1b0"], Enabled: false },
        { Components: ["x0c0s0b0n0"], SoftwareStatus: "up" },
        { Components: ["x0c0s0b0n0"], Role: "Compute" },
        { Components: ["x0c0s1b0n0"], Role: "Service", SubRole: "Master" },
      ],
    );
    assert.deepEqual(upsertNotifications({ written: [], created: [], restated: [] }), []);
  });
});
