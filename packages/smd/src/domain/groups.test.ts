import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { groupField, groupFilter, partitionFilter, toGroup, toGroupPatch, toPartition } from "./groups.ts";
import { badRequestDetail, nodeXname } from "./test-helpers.ts";

const FIELD_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-:._".split("");
const field = fc
  .array(fc.constantFrom(...FIELD_CHARS), { minLength: 1, maxLength: 20 })
  .map((cs) => cs.join(""));

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
      fc.property(field, fc.array(field), fc.array(nodeXname), (label, tags, members) => {
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
      badRequestDetail(() => toGroup({})),
      bad,
    );
    assert.equal(
      badRequestDetail(() => toGroup({ label: "a/b" })),
      bad,
    );
    assert.equal(
      badRequestDetail(() => toGroup({ label: "a", tags: ["ok", "not ok"] })),
      bad,
    );
    assert.equal(
      badRequestDetail(() => toGroup({ label: "a", exclusiveGroup: "x y" })),
      bad,
    );
    assert.equal(
      badRequestDetail(() => toGroup({ label: "a", members: { ids: ["node1"] } })),
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
        badRequestDetail(() => toPartition({ name })),
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
      badRequestDetail(() => toGroupPatch({})),
      none,
    );
    assert.equal(
      badRequestDetail(() => toGroupPatch({ description: null, tags: null })),
      none,
    );
    assert.deepEqual(toGroupPatch({ description: "" }), { description: "" });
    assert.deepEqual(toGroupPatch({ tags: ["A", "a"] }), { tags: ["a"] });
    assert.equal(
      badRequestDetail(() => toGroupPatch({ tags: ["a b"] })),
      "Invalid tag.",
    );
  });

  it("partition filter: the first value, `NULL` for none", () => {
    assert.equal(partitionFilter(undefined), undefined);
    assert.equal(partitionFilter(["NULL", "p1"]), null);
    assert.equal(partitionFilter(["P1", "p2"]), "p1");
    assert.equal(
      badRequestDetail(() => partitionFilter(["p 1"])),
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
