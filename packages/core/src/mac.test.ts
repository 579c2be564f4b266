import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { macToInterfaceId, normalizeMac } from "./mac.ts";

test("any separator and case give the canonical MAC", () => {
  for (const raw of [
    "AA:BB:CC:DD:EE:FF",
    "aa-bb-cc-dd-ee-ff",
    "aabb.ccdd.eeff",
    "aabbccddeeff",
    " AaBbCcDdEeFf ",
  ]) {
    assert.equal(normalizeMac(raw), "aa:bb:cc:dd:ee:ff", raw);
  }
  assert.equal(macToInterfaceId("aa:bb:cc:dd:ee:ff"), "aabbccddeeff");
});

test("anything but 12 hex digits is not a MAC", () => {
  for (const raw of [
    "",
    "aa:bb:cc:dd:ee",
    "aa:bb:cc:dd:ee:ff:00",
    "gg:bb:cc:dd:ee:ff",
    "aa bb cc dd ee ff",
  ]) {
    assert.equal(normalizeMac(raw), undefined, raw);
  }
});

test("normalising is idempotent and preserves the digits", () => {
  fc.assert(
    fc.property(
      fc.uint8Array({ minLength: 6, maxLength: 6 }),
      fc.constantFrom(":", "-", ""),
      (bytes, sep) => {
        const hex = [...bytes].map((b) => b.toString(16).padStart(2, "0"));
        const canonical = normalizeMac(hex.join(sep).toUpperCase());
        assert.equal(canonical, hex.join(":"));
        assert.equal(normalizeMac(canonical!), canonical);
      },
    ),
  );
});
