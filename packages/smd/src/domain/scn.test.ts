import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { STATES, withExtensions } from "@openchami/core";
import fc from "fast-check";
import { applyPatch, subscriptionId, type Triggers, targetUrls, toPatch, toSubscription } from "./scn.ts";
import { badRequestDetail, expectBadRequest, subscription } from "./test-helpers.ts";

const enums = withExtensions();

const values = fc.uniqueArray(fc.constantFrom("a", "b", "c", "d"), { maxLength: 4 });
const triggers: fc.Arbitrary<Triggers> = fc.record({
  enabled: fc.constantFrom(true, false, null),
  roles: values,
  subRoles: values,
  softwareStatus: values,
  states: values,
});

describe("toSubscription", () => {
  it("canonicalises enum triggers and de-duplicates them", () => {
    const sub = toSubscription(
      { Subscriber: "s", Url: "https://h/x", States: ["on", "ON", "ready"], Roles: ["compute"] },
      enums,
    );
    assert.deepEqual(sub, {
      subscriber: "s",
      url: "https://h/x",
      enabled: null,
      roles: ["Compute"],
      subRoles: [],
      softwareStatus: [],
      states: ["On", "Ready"],
    });
  });

  it("Enabled: true alone is a trigger; false alone is not", () => {
    assert.equal(toSubscription({ Subscriber: "s", Url: "http://h", Enabled: true }, enums).enabled, true);
    assert.match(
      expectBadRequest(() => toSubscription({ Subscriber: "s", Url: "http://h", Enabled: false }, enums)),
      /^Missing trigger/,
    );
  });
});

describe("applyPatch", () => {
  it("add then remove of the same values leaves the lists without them", () => {
    fc.assert(
      fc.property(triggers, triggers, (current, patch) => {
        const added = applyPatch(current, "add", patch);
        const removed = applyPatch(added, "remove", patch);
        for (const key of ["roles", "subRoles", "softwareStatus", "states"] as const) {
          assert.deepEqual(new Set(added[key]), new Set([...current[key], ...patch[key]]));
          assert.deepEqual(
            removed[key],
            current[key].filter((v) => !patch[key].includes(v)),
          );
        }
      }),
    );
  });

  it("Enabled: add turns the trigger on, remove turns it off, replace sets what is given", () => {
    fc.assert(
      fc.property(triggers, triggers, (current, patch) => {
        const expected = patch.enabled === true ? true : current.enabled;
        assert.equal(applyPatch(current, "add", patch).enabled, expected);
        assert.equal(
          applyPatch(current, "remove", patch).enabled,
          patch.enabled === true ? false : current.enabled,
        );
        assert.equal(applyPatch(current, "replace", patch).enabled, patch.enabled ?? current.enabled);
      }),
    );
  });

  it("replace swaps non-empty lists only", () => {
    fc.assert(
      fc.property(triggers, triggers, (current, patch) => {
        const replaced = applyPatch(current, "replace", patch);
        assert.deepEqual(replaced.states, patch.states.length > 0 ? patch.states : current.states);
      }),
    );
  });

  it("ops are case-insensitive; others are 400", () => {
    assert.equal(toPatch({ Op: "ADD", States: ["on"] }, enums).op, "add");
    assert.equal(
      badRequestDetail(() => toPatch({ Op: "merge", States: ["on"] }, enums)),
      "Invalid Patch Op - merge",
    );
  });
});

describe("targetUrls", () => {
  it("a state event reaches exactly the distinct URLs subscribed to that state", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom("u1", "u2", "u3"), fc.uniqueArray(fc.constantFrom(...STATES))), {
          maxLength: 8,
        }),
        fc.constantFrom(...STATES),
        (specs, state) => {
          const subs = specs.map(([url, states], i) => subscription(i, url, { states }));
          const urls = targetUrls(subs, { Components: ["x1"], State: state.toLowerCase() });
          assert.deepEqual(
            new Set(urls),
            new Set(subs.filter((s) => s.states.includes(state)).map((s) => s.url)),
          );
          assert.equal(urls.length, new Set(urls).size);
        },
      ),
    );
  });

  it("a flag-only event reaches nobody; an Enabled change reaches Enabled subscribers", () => {
    const subs = [
      subscription(1, "u1", { enabled: true }),
      subscription(2, "u2", { enabled: false, states: ["On"] }),
    ];
    assert.deepEqual(targetUrls(subs, { Components: ["x1"], Flag: "Alert" }), []);
    assert.deepEqual(targetUrls(subs, { Components: ["x1"], Enabled: false }), ["u1"]);
  });
});

describe("subscriptionId", () => {
  it("positive integers pass; anything else is `Invalid id - <id>`", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 31 - 1 }), (id) =>
        assert.equal(subscriptionId(String(id)), id),
      ),
    );
    for (const raw of ["0", "-1", "x", "1e3", "", "1.0"])
      assert.equal(
        badRequestDetail(() => subscriptionId(raw)),
        `Invalid id - ${raw}`,
      );
    assert.equal(subscriptionId("9999999999"), undefined);
  });
});
