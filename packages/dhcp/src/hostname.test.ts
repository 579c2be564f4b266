import assert from "node:assert/strict";
import { test } from "node:test";
import { patternUsesNid, renderPattern } from "./hostname.ts";

test("patterns render the xname and the zero-padded NID", () => {
  assert.equal(renderPattern("nid{04d}", "x1000c0s0b0n0", 7), "nid0007");
  assert.equal(renderPattern("nid{4d}", "x1000c0s0b0n0", 7), "nid0007");
  assert.equal(renderPattern("n{2d}-{id}", "x1000c0s0b0n0", 12345), "n12345-x1000c0s0b0n0");
  assert.equal(renderPattern("{id}", "x1000c0s0b0", undefined), "x1000c0s0b0");
  assert.equal(renderPattern("bmc{03d}", "x1000c0s0b0", undefined), undefined);
  assert.ok(patternUsesNid("a{1d}") && !patternUsesNid("{id}.mgmt"));
});
