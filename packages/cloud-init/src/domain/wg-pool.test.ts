import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { intToIp, ipToInt, isWgKey, lowestFree, parsePool } from "./wg-pool.ts";

describe("WireGuard pool (§4)", () => {
  test("server is network+1, clients network+2 … broadcast-1, host part ignored", () => {
    const pool = parsePool("100.97.3.7/16");
    assert.equal(pool.server, "100.97.0.1");
    assert.equal(intToIp(pool.first), "100.97.0.2");
    assert.equal(intToIp(pool.last), "100.97.255.254");
    const small = parsePool("10.0.0.0/24");
    assert.equal(small.last - small.first + 1, 253, "a /24 gives 253 clients");
    assert.throws(() => parsePool("10.0.0.0/31"), /WIREGUARD_SERVER/);
    assert.throws(() => parsePool("fd00::/64"), /WIREGUARD_SERVER/);
    assert.equal(ipToInt("256.0.0.1"), undefined);
  });

  test("lowest free address, reuse, exhaustion", () => {
    const pool = parsePool("10.0.0.0/29");
    assert.equal(lowestFree(pool, new Set()), "10.0.0.2");
    assert.equal(lowestFree(pool, new Set(["10.0.0.2", "10.0.0.4"])), "10.0.0.3");
    const all = new Set(["10.0.0.2", "10.0.0.3", "10.0.0.4", "10.0.0.5", "10.0.0.6"]);
    assert.equal(lowestFree(pool, all), undefined, "network .0, server .1 and broadcast .7 are never given");
  });

  test("public keys: standard base64 of 32 bytes", () => {
    assert.ok(isWgKey(Buffer.alloc(32, 7).toString("base64")));
    assert.ok(isWgKey("Ok/4YPn+/0NEsxpIAP23AK9mRUWfqhK2xKKqYQSfmSM="));
    assert.ok(!isWgKey(Buffer.alloc(31).toString("base64")));
    assert.ok(!isWgKey(Buffer.alloc(32).toString("base64url")));
    assert.ok(!isWgKey("Ok/4YPn+/0NEsxpIAP23AK9mRUWfqhK2xKKqYQSfmSN="), "non-canonical last character");
  });
});
