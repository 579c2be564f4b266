import assert from "node:assert/strict";
import { test } from "node:test";
import { queryParams } from "./query.ts";

test("names are case-insensitive and repeated values accumulate", () => {
  const params = queryParams({ Type: "Node", type: ["NodeBMC"], STATE: "!Off", empty: "" });
  assert.deepEqual(params.get("type"), ["Node", "NodeBMC"]);
  assert.deepEqual(params.get("state"), ["!Off"]);
  assert.deepEqual(params.get("empty"), [""]);
  assert.equal(params.get("missing"), undefined);
});

test("a missing query is empty", () => {
  assert.equal(queryParams(undefined).size, 0);
});
