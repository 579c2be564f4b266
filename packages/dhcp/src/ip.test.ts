import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import {
  cidrBroadcast,
  cidrContains,
  formatIpv4,
  maskPrefix,
  parseCidr,
  parseIpv4,
  prefixMask,
} from "./ip.ts";

test("dotted quads parse and print back; malformed ones are refused", () => {
  fc.assert(fc.property(fc.ipV4(), (ip) => assert.equal(formatIpv4(parseIpv4(ip)!), ip)));
  for (const bad of ["", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "a.b.c.d", "1.2.3.4/24"]) {
    assert.equal(parseIpv4(bad), undefined, bad);
  }
});

test("CIDRs clear host bits, contain their addresses and know their broadcast", () => {
  const cidr = parseCidr("172.16.0.77/24")!;
  assert.equal(formatIpv4(cidr.network), "172.16.0.0");
  assert.equal(formatIpv4(cidr.mask), "255.255.255.0");
  assert.equal(formatIpv4(cidrBroadcast(cidr)), "172.16.0.255");
  assert.ok(cidrContains(cidr, parseIpv4("172.16.0.200")!));
  assert.ok(!cidrContains(cidr, parseIpv4("172.16.1.1")!));
  assert.ok(cidrContains(parseCidr("0.0.0.0/0")!, parseIpv4("8.8.8.8")!));
  for (const bad of ["172.16.0.0", "172.16.0.0/33", "172.16.0.0/x", "1.2.3/8", "1.2.3.4/8/9"]) {
    assert.equal(parseCidr(bad), undefined, bad);
  }
});

test("netmasks and prefix lengths convert both ways; masks with holes are refused", () => {
  for (let prefix = 0; prefix <= 32; prefix++) assert.equal(maskPrefix(prefixMask(prefix)), prefix);
  assert.equal(maskPrefix(parseIpv4("255.0.255.0")!), undefined);
});
