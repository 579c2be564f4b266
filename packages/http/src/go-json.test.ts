import assert from "node:assert/strict";
import { test } from "node:test";
import { Type } from "typebox";
import { canonicalizeKeys } from "./go-json.ts";

const Component = Type.Object({
  ID: Type.String(),
  Id: Type.Optional(Type.String()),
  Enabled: Type.Optional(Type.Boolean()),
  Nested: Type.Optional(Type.Object({ Name: Type.String() })),
  List: Type.Optional(Type.Array(Type.Object({ NID: Type.Integer() }))),
  Labels: Type.Optional(Type.Record(Type.String(), Type.String())),
  Info: Type.Optional(Type.Unknown()),
  Either: Type.Optional(Type.Union([Type.Object({ Alpha: Type.String() }), Type.Null()])),
});

test("keys match exactly first, then case-insensitively", () => {
  assert.deepEqual(canonicalizeKeys(Component, { id: "a", ENABLED: true }), { ID: "a", Enabled: true });
  assert.deepEqual(canonicalizeKeys(Component, { Id: "b" }), { Id: "b" });
  assert.deepEqual(canonicalizeKeys(Component, { iD: "c" }), { ID: "c" });
});

test("unknown keys are dropped", () => {
  assert.deepEqual(canonicalizeKeys(Component, { ID: "a", Extra: 1, extra2: { x: 1 } }), { ID: "a" });
});

test("when two keys fold to one field, the later wins", () => {
  assert.deepEqual(canonicalizeKeys(Component, { enabled: true, Enabled: false }), { Enabled: false });
  assert.deepEqual(canonicalizeKeys(Component, { Enabled: false, enabled: true }), { Enabled: true });
});

test("recurses into nested objects, arrays and union members", () => {
  const input = {
    id: "x",
    nested: { name: "n", junk: 1 },
    list: [{ nid: 1, junk: 2 }, { NID: 2 }],
    either: { alpha: "a", junk: 3 },
  };
  assert.deepEqual(canonicalizeKeys(Component, input), {
    ID: "x",
    Nested: { Name: "n" },
    List: [{ NID: 1 }, { NID: 2 }],
    Either: { Alpha: "a" },
  });
  assert.deepEqual(canonicalizeKeys(Type.Array(Component), [{ id: "y" }]), [{ ID: "y" }]);
});

test("maps and free-form values keep their keys", () => {
  const input = { ID: "x", labels: { MixedCase: "v" }, info: { Anything: { goes: true } } };
  assert.deepEqual(canonicalizeKeys(Component, input), {
    ID: "x",
    Labels: { MixedCase: "v" },
    Info: { Anything: { goes: true } },
  });
  const open = Type.Object({ A: Type.String() }, { additionalProperties: true });
  assert.deepEqual(canonicalizeKeys(open, { a: "1", b: 2 }), { A: "1", b: 2 });
});

test("values of the wrong type pass through for the validator to reject", () => {
  assert.deepEqual(canonicalizeKeys(Component, { enabled: "fake", nested: 3, list: "no" }), {
    Enabled: "fake",
    Nested: 3,
    List: "no",
  });
  assert.equal(canonicalizeKeys(Component, "text"), "text");
  assert.equal(canonicalizeKeys(Component, null), null);
});

test("never mutates its input, and __proto__ cannot reach the prototype", () => {
  const input = JSON.parse('{"id":"a","labels":{"__proto__":{"polluted":true}}}');
  const frozen = structuredClone(input);
  const output = canonicalizeKeys(Component, input) as { Labels: Record<string, unknown> };
  assert.deepEqual(input, frozen);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  assert.equal(Object.getPrototypeOf(output.Labels), Object.prototype);
});
