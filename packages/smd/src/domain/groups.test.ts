import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isProblem } from "@openchami/core";
import fc from "fast-check";
import { groupField, groupFilter, partitionFilter, toGroup, toGroupPatch, toPartition } from "./groups.ts";

/** The 400 detail `fn` throws, or undefined. */
function failure(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (error) {
    assert.ok(isProblem(error), String(error));
    assert.equal(error.status, 400);
    return error.detail;
  }
}

const FIELD_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-:._".split("");
const field = fc
  .array(fc.constantFrom(...FIELD_CHARS), { minLength: 1, maxLength: 20 })
  .map((cs) => cs.join(""));
const node = fc.tuple(fc.nat(20), fc.nat(7), fc.nat(30)).map(([x, c, s]) => `x${x}c${c}s${s}b0n0`);

describe("groupField", () => {
  it("accepts exactly the label characters, in any case, and lower-cases", () => {
    fc.assert(
      fc.property(fc.string(), (raw) => {
        const result = groupField(raw);
        const valid = /^[-a-z0-9:._]+$/.test(raw.toLowerCase());
        assert.equal(result, valid ? raw.toLowerCase() : undefined);
      }),
    );
  });

  it("is idempotent", () => {
    fc.assert(
      fc.property(field, (raw) => assert.equal(groupField(groupField(raw) as string), groupField(raw))),
    );
  });
});

describe("toGroup", () => {
  it("lower-cases label, tags and exclusive group; normalises and de-duplicates members", () => {
    fc.assert(
      fc.property(field, fc.array(field), fc.array(node), (label, tags, members) => {
        const group = toGroup({
          label,
          tags,
          exclusiveGroup: label,
          members: { ids: members.map((m) => m.toUpperCase()) },
        });
        assert.equal(group.label, label.toLowerCase());
        assert.equal(group.exclusiveGroup, label.toLowerCase());
        assert.deepEqual(group.tags, [...new Set(tags.map((t) => t.toLowerCase()))]);
        assert.deepEqual(group.members, [...new Set(members)]);
      }),
    );
  });

  it("treats null like absent, as Go does", () => {
    assert.deepEqual(
      toGroup({ label: "a", description: null, tags: null, exclusiveGroup: null, members: null }),
      {
        label: "a",
        description: "",
        exclusiveGroup: "",
        tags: [],
        members: [],
      },
    );
  });

  it("rejects bad fields and non-xname members with upstream's texts", () => {
    const bad = "couldn't validate group: group or partition field has invalid characters";
    assert.equal(
      failure(() => toGroup({})),
      bad,
    );
    assert.equal(
      failure(() => toGroup({ label: "a/b" })),
      bad,
    );
    assert.equal(
      failure(() => toGroup({ label: "a", tags: ["ok", "not ok"] })),
      bad,
    );
    assert.equal(
      failure(() => toGroup({ label: "a", exclusiveGroup: "x y" })),
      bad,
    );
    assert.equal(
      failure(() => toGroup({ label: "a", members: { ids: ["node1"] } })),
      "couldn't validate group: got HMSTypeInvalid instead of valid type",
    );
  });
});

describe("toPartition", () => {
  it("accepts p<N> and p<N>.<N> names only", () => {
    fc.assert(
      fc.property(fc.nat(), fc.option(fc.nat()), (major, minor) => {
        const name = minor === null ? `P${major}` : `p${major}.${minor}`;
        assert.equal(toPartition({ name }).name, name.toLowerCase());
      }),
    );
    for (const name of ["", "p", "p1.", "p1.2.3", "q1", "p-1", "compute"]) {
      assert.equal(
        failure(() => toPartition({ name })),
        "couldn't validate partition: Bad partition name. Must be p# or p#.#",
      );
    }
  });

  it("keeps members that are not xnames as given", () => {
    assert.deepEqual(
      toPartition({ name: "p1", members: { ids: ["X0c0s0b0n0", "my-node", "my-node"] } }).members,
      ["x0c0s0b0n0", "my-node"],
    );
  });
});

describe("patch and query filters", () => {
  it("a patch needs description or tags; null counts as absent", () => {
    const none = "Request must have at least one patch field.";
    assert.equal(
      failure(() => toGroupPatch({})),
      none,
    );
    assert.equal(
      failure(() => toGroupPatch({ description: null, tags: null })),
      none,
    );
    assert.deepEqual(toGroupPatch({ description: "" }), { description: "" });
    assert.deepEqual(toGroupPatch({ tags: ["A", "a"] }), { tags: ["a"] });
    assert.equal(
      failure(() => toGroupPatch({ tags: ["a b"] })),
      "Invalid tag.",
    );
  });

  it("partition filter: the first value, `NULL` for none", () => {
    assert.equal(partitionFilter(undefined), undefined);
    assert.equal(partitionFilter(["NULL", "p1"]), null);
    assert.equal(partitionFilter(["P1", "p2"]), "p1");
    assert.equal(
      failure(() => partitionFilter(["p 1"])),
      "Invalid partition name.",
    );
    assert.deepEqual(
      groupFilter(
        new Map([
          ["group", ["A", "b"]],
          ["tag", ["T"]],
        ]),
      ),
      {
        names: ["a", "b"],
        tags: ["t"],
        partition: undefined,
      },
    );
  });
});
