import assert from "node:assert/strict";
import { test } from "node:test";
import { parseIpv4 } from "../ip.ts";
import { ipv4s, text, u8, u16, u32 } from "./option-values.ts";

test("addresses are written big-endian back to back, also from signed 32-bit arithmetic", () => {
  assert.equal(
    ipv4s(parseIpv4("10.99.0.1")!, parseIpv4("255.255.255.0")!).toString("hex"),
    "0a630001ffffff00",
  );
  assert.equal(ipv4s(0xffffff00 | 0).toString("hex"), "ffffff00");
  assert.equal(ipv4s().length, 0);
});

test("integers take their fixed widths", () => {
  assert.equal(u32(3600).toString("hex"), "00000e10");
  assert.equal(u32(0xffffffff).toString("hex"), "ffffffff");
  assert.equal(u16(576).toString("hex"), "0240");
  assert.equal(u8(5).toString("hex"), "05");
});

test("text has no terminating NUL", () => {
  assert.equal(text("nid0001").toString("hex"), "6e696430303031");
  assert.equal(text("").length, 0);
});
