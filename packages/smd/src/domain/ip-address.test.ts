import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { ipAddressString, trimChars } from "./ip-address.ts";

test("IPv4 addresses come back as given, with their port", () => {
  fc.assert(
    fc.property(fc.ipV4(), fc.option(fc.integer({ min: 1, max: 65535 })), (ip, port) => {
      const raw = port === null ? ip : `${ip}:${port}`;
      assert.equal(ipAddressString(raw), raw);
    }),
  );
});

test("IPv6 addresses are canonical, bracketed and stable", () => {
  fc.assert(
    fc.property(fc.ipV6(), (ip) => {
      const once = ipAddressString(ip.toUpperCase());
      assert.ok(once?.startsWith("[") && once.endsWith("]"), `${ip} -> ${once}`);
      assert.equal(ipAddressString(once!), once);
      assert.equal(ipAddressString(`${once}:8443`), `${once}:8443`);
    }),
  );
  assert.equal(ipAddressString("FE80:0:0:0::1%eth0"), "[fe80::1%eth0]");
});

test("host names and malformed addresses are not IPs", () => {
  for (const raw of [
    "x0c0s0b0",
    "bmc.example.com",
    "10.0.0.300",
    "010.0.0.1",
    "10.0.0.1%eth0",
    "[10.0.0.1]:x:1",
    "",
  ]) {
    assert.equal(ipAddressString(raw), undefined, raw);
  }
});

test("trimChars drops the given characters from both ends only", () => {
  assert.equal(trimChars("./x0c0s0b0. /", "./ "), "x0c0s0b0");
  assert.equal(trimChars("a.b", "."), "a.b");
  assert.equal(trimChars("...", "."), "");
});
