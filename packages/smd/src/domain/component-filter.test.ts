import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { FLAGS, normalizeXname, ROLES, STATES, withExtensions } from "@openchami/core";
import fc from "fast-check";
import {
  descendantPattern,
  type FilterParams,
  filterParamsFromBody,
  parseComponentFilter,
  parseComponentView,
  withNidRanges,
} from "./component-filter.ts";
import { badRequestDetail } from "./test-helpers.ts";

const enums = withExtensions();
const params = (entries: Record<string, string[]>): FilterParams => new Map(Object.entries(entries));

/** A value in random case, optionally negated. */
const spelled = (values: readonly string[]) =>
  fc.record({
    value: fc.constantFrom(...values),
    upper: fc.array(fc.boolean(), { minLength: 20, maxLength: 20 }),
    negated: fc.boolean(),
  });

function respell({ value, upper, negated }: { value: string; upper: boolean[]; negated: boolean }): string {
  const cased = [...value].map((ch, i) => (upper[i] ? ch.toUpperCase() : ch.toLowerCase())).join("");
  return negated ? `!${cased}` : cased;
}

describe("parseComponentFilter", () => {
  it("plain values OR into include, `!` values into exclude, canonical and in order", () => {
    fc.assert(
      fc.property(fc.array(spelled(STATES), { minLength: 1, maxLength: 6 }), (items) => {
        const filter = parseComponentFilter(params({ state: items.map(respell) }), enums);
        assert.deepEqual(filter.state, {
          include: items.filter((i) => !i.negated).map((i) => i.value),
          exclude: items.filter((i) => i.negated).map((i) => i.value),
        });
      }),
    );
  });

  it("different keys AND: each key yields its own selection, the others stay unset", () => {
    fc.assert(
      fc.property(spelled(FLAGS), spelled(ROLES), (flag, role) => {
        const filter = parseComponentFilter(params({ flag: [respell(flag)], role: [respell(role)] }), enums);
        assert.deepEqual(Object.keys(filter).sort(), ["flag", "role"]);
        const side = (negated: boolean) => (negated ? "exclude" : "include");
        assert.deepEqual(filter.flag?.[side(flag.negated)], [flag.value]);
        assert.deepEqual(filter.role?.[side(role.negated)], [role.value]);
      }),
    );
  });

  it("normalises ids (case, padding) and rejects invalid ones", () => {
    const xname = fc
      .tuple(fc.nat(9999), fc.nat(7), fc.nat(64), fc.nat(3), fc.nat(3), fc.nat(3))
      .map(([x, c, s, b, n, pad]) => `X${"0".repeat(pad)}${x}C${c}s${"0".repeat(pad)}${s}B${b}n${n}`);
    fc.assert(
      fc.property(fc.array(xname, { minLength: 1, maxLength: 5 }), (ids) => {
        const filter = parseComponentFilter(params({ id: ids }), enums);
        assert.deepEqual(filter.id?.include, ids.map(normalizeXname));
      }),
    );
    assert.equal(
      badRequestDetail(() => parseComponentFilter(params({ id: ["FAKE"] }), enums)),
      "bad query param: Argument was not a valid xname ID",
    );
  });

  it("rejects bad values with upstream's text per key", () => {
    const cases: [string, string, string][] = [
      ["type", "Booster", "Argument was not a valid HMS Type"],
      ["state", "Asleep", "Argument was not a valid HMS State"],
      ["state", "", "Argument was not a valid HMS State"],
      ["flag", "Bad", "Argument was not a valid HMS Flag"],
      ["role", "Chef", "Argument was not a valid HMS Role"],
      ["subrole", "Chef", "Argument was not a valid HMS SubRole"],
      ["arch", "Sparc", "Argument was not a valid HMS Arch"],
      ["class", "Lake", "Argument was not a valid HMS Class"],
      ["subtype", "a-b", "Argument was not a valid HMS Subtype"],
      ["enabled", "yes", "a required argument did not match any valid input"],
      ["locked", "maybe", "a required argument did not match any valid input"],
      ["reservation_disabled", "2", "a required argument did not match any valid input"],
      ["nid", "-3", "a required argument was not an integer"],
      ["nid", "abc", "a required argument was not an integer"],
      ["nid_start", "1x", "a required argument was not an integer"],
      ["nid_end", "99999999999", "a required argument was not an integer"],
      ["group", "bad label!", "no such group"],
      ["partition", "p 1", "no such partition"],
    ];
    for (const [key, value, reason] of cases) {
      assert.equal(
        badRequestDetail(() => parseComponentFilter(params({ [key]: [value] }), enums)),
        `bad query param: ${reason}`,
        `${key}=${value}`,
      );
    }
  });

  it("empty values select unset columns where upstream allows them; NID '' is -1", () => {
    const filter = parseComponentFilter(params({ role: [""], subtype: ["!"], nid: [""], type: [""] }), enums);
    assert.deepEqual(filter.role, { include: [""], exclude: [] });
    assert.deepEqual(filter.subtype, { include: [], exclude: [""] });
    assert.deepEqual(filter.nid, { include: [-1], exclude: [] });
    assert.deepEqual(filter.type, { include: [""], exclude: [] });
  });

  it("booleans take true/false/1/0/t/f in any case", () => {
    for (const [raw, value] of [
      ["TRUE", true],
      ["1", true],
      ["t", true],
      ["False", false],
      ["0", false],
      ["F", false],
    ] as const) {
      assert.deepEqual(parseComponentFilter(params({ enabled: [raw] }), enums).enabled?.include, [value]);
    }
  });

  it("pairs nid_start/nid_end by position; unpaired ends start at 0", () => {
    const filter = parseComponentFilter(
      params({ nid_start: ["5", "100"], nid_end: ["10", "200", "3"] }),
      enums,
    );
    assert.deepEqual(filter.nidRanges, [
      { start: 5, end: 10 },
      { start: 100, end: 200 },
      { start: 0, end: 3 },
    ]);
    assert.deepEqual(parseComponentFilter(params({ nid_start: ["7"] }), enums).nidRanges, [{ start: 7 }]);
  });

  it("group/partition: lower-cased names, NULL = in none, `!` excludes", () => {
    const filter = parseComponentFilter(
      params({ group: ["Compute", "NULL", "!blue"], partition: ["p1.2"] }),
      enums,
    );
    assert.deepEqual(filter.group, { include: ["compute", null], exclude: ["blue"] });
    assert.deepEqual(filter.partition, { include: ["p1.2"], exclude: [] });
  });

  it("an empty query is an empty filter", () => {
    assert.deepEqual(parseComponentFilter(new Map(), enums), {});
  });
});

describe("projections", () => {
  it("the first projection set to a Go true wins", () => {
    assert.equal(parseComponentView(params({})), "default");
    assert.equal(parseComponentView(params({ nidonly: ["1"], stateonly: ["True"] })), "stateonly");
    assert.equal(parseComponentView(params({ stateonly: ["yes"], roleonly: ["t"] })), "roleonly");
    assert.equal(parseComponentView(filterParamsFromBody({ flagonly: true })), "flagonly");
  });
});

describe("filterParamsFromBody", () => {
  it("lower-cases keys, stringifies values, accepts scalars and renames", () => {
    const converted = filterParamsFromBody(
      { Type: ["Node"], NID: [1, 2], Partition: "p1", ComponentIDs: ["x1"] },
      {
        componentids: "id",
      },
    );
    assert.deepEqual(Object.fromEntries(converted), {
      type: ["Node"],
      nid: ["1", "2"],
      partition: ["p1"],
      id: ["x1"],
    });
  });
});

describe("withNidRanges", () => {
  it("splits ranges into start/end pairs and single NIDs, replacing NID params", () => {
    const merged = withNidRanges(params({ nid: ["9"], type: ["Node"] }), ["1-10", "15", "20-30-40"]);
    assert.deepEqual(Object.fromEntries(merged), {
      nid: ["15"],
      type: ["Node"],
      nid_start: ["1", "20"],
      nid_end: ["10", "40"],
    });
  });

  it("rejects half-open ranges and lists with no NIDs", () => {
    assert.equal(
      badRequestDetail(() => withNidRanges(new Map(), ["-5"])),
      "bad query param: argument was not a valid NID Range",
    );
    assert.equal(
      badRequestDetail(() => withNidRanges(new Map(), [""])),
      "Missing NID ranges",
    );
  });
});

describe("descendantPattern", () => {
  it("escapes LIKE wildcards, so only a literal prefix matches", () => {
    assert.equal(descendantPattern("x1c0s1"), "x1c0s1%");
    assert.equal(descendantPattern("all_comp"), "all\\_comp%");
    fc.assert(
      fc.property(fc.string(), (root) => {
        const pattern = descendantPattern(root);
        assert.ok(pattern.endsWith("%"));
        assert.equal(pattern.slice(0, -1).replace(/\\(.)/g, "$1"), root);
      }),
    );
  });
});
