import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { normalizeXname } from "@openchami/core";
import fc from "fast-check";
import { toPowerMap, toPowerMaps } from "./power-map.ts";
import { badRequestDetail, nodeXname } from "./test-helpers.ts";

const node = nodeXname.map((id) => id.toUpperCase());
const outlet = fc
  .tuple(fc.nat(9), fc.nat(7), fc.integer({ min: 1, max: 40 }))
  .map(([x, p, v]) => `x${x}m0p${p}v${v}`);

describe("power maps", () => {
  it("normalise ids and supplies; the last entry for an id wins", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(node, fc.array(outlet, { minLength: 1 })), { minLength: 1 }),
        (entries) => {
          const maps = toPowerMaps(entries.map(([id, poweredBy]) => ({ id, poweredBy })));
          const expected = new Map(
            entries.map(([id, poweredBy]) => [normalizeXname(id), poweredBy.map(normalizeXname)]),
          );
          assert.deepEqual(new Map(maps.map((m) => [m.id, m.poweredBy])), expected);
        },
      ),
    );
  });

  it("PUT: the body id must match the path; supplies are required", () => {
    assert.deepEqual(toPowerMap({ id: "X1c0s0b0n0", poweredBy: ["x1m0p0v1"] }, "x1c0s0b0n0"), {
      id: "x1c0s0b0n0",
      poweredBy: ["x1m0p0v1"],
    });
    assert.equal(
      badRequestDetail(() => toPowerMap({ id: "x2c0s0b0n0", poweredBy: ["x1m0p0v1"] }, "x1c0s0b0n0")),
      "xname in URL and PUT body do not match",
    );
    assert.equal(
      badRequestDetail(() => toPowerMap({ poweredBy: null }, "x1c0s0b0n0")),
      "poweredby is required in PUT body",
    );
  });
});
