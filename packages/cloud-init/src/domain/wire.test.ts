import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { clientIp, normalizeIp, TrustedProxies } from "./client-ip.ts";
import {
  DecodeError,
  decodeClusterDefaults,
  decodeGroup,
  decodeInstanceInfo,
  EMPTY_DEFAULTS,
  mergeDefaults,
} from "./wire.ts";

describe("wire decoding (§2.4)", () => {
  test("cluster defaults: aliases, any case, canonical beats alias, only non-empty fields, base-url trimmed", () => {
    assert.deepEqual(
      decodeClusterDefaults({
        "Cloud-Provider": "alias",
        "CLUSTER-NAME": "demo",
        "base-url": "http://x/ci//",
        "nid-length": 0,
        region: "",
        "public-keys": [],
        extra: 1,
      }),
      { cloud_provider: "alias", "cluster-name": "demo", "base-url": "http://x/ci" },
    );
    assert.deepEqual(decodeClusterDefaults({ "cloud-provider": "alias", cloud_provider: "canon" }), {
      cloud_provider: "canon",
    });
    const merged = mergeDefaults(
      { ...EMPTY_DEFAULTS, region: "r", "cluster-name": "a" },
      { "cluster-name": "b" },
    );
    assert.equal(merged.region, "r");
    assert.equal(merged["cluster-name"], "b");
    assert.throws(() => decodeClusterDefaults({ "nid-length": "3" }), DecodeError);
    assert.throws(() => decodeClusterDefaults([]), DecodeError);
  });

  test("groups: name required, data alias, encodings, bad base64 refused", () => {
    assert.throws(() => decodeGroup({}), { message: "name is required" });
    const group = decodeGroup({ NAME: "g", data: { a: 1 }, file: { Content: "x" }, priority: 3 });
    assert.deepEqual(group, {
      name: "g",
      description: "",
      "meta-data": { a: 1 },
      file: { content: "x", filename: "", encoding: "plain" },
      versions: {},
      priority: 3,
    });
    assert.equal(decodeGroup({ name: "body" }, "path").name, "path");
    assert.throws(() => decodeGroup({ name: "g", file: { encoding: "base64", content: "!!" } }), {
      message: "invalid base64 content",
    });
    assert.throws(() => decodeGroup({ name: "g", file: { encoding: "gzip" } }), DecodeError);
    assert.throws(() => decodeGroup({ name: "g", priority: 1.5 }), DecodeError);
  });

  test("instance info: local_hostname alias, instance-id format", () => {
    const info = decodeInstanceInfo({ local_hostname: "lh", "public-keys": ["k"] }, "x1");
    assert.equal(info["local-hostname"], "lh");
    assert.equal(info.id, "x1");
    assert.throws(() => decodeInstanceInfo({ "instance-id": "nope" }, "x1"), DecodeError);
  });
});

describe("client IP (§2.1, decision 2)", () => {
  test("the peer, IPv4-mapped unwrapped; X-Forwarded-For ignored from untrusted peers", () => {
    const none = new TrustedProxies([]);
    assert.equal(normalizeIp("::ffff:10.0.0.5"), "10.0.0.5");
    assert.equal(clientIp("::ffff:10.0.0.5", "10.9.9.9", none), "10.0.0.5");
  });

  test("behind trusted proxies: the rightmost untrusted entry", () => {
    const trusted = new TrustedProxies(["10.0.0.0/24", "fd00::/64"]);
    assert.equal(clientIp("10.0.0.1", "1.1.1.1, 2.2.2.2, 10.0.0.7", trusted), "2.2.2.2");
    assert.equal(clientIp("10.0.0.1", ["1.1.1.1", "2.2.2.2"], trusted), "2.2.2.2");
    assert.equal(clientIp("fd00::1", "::ffff:3.3.3.3", trusted), "3.3.3.3");
    assert.equal(clientIp("10.0.0.1", "10.0.0.8, 10.0.0.9", trusted), "10.0.0.8");
    assert.equal(clientIp("10.0.0.1", undefined, trusted), "10.0.0.1");
    assert.equal(clientIp("10.0.1.1", "1.1.1.1", trusted), "10.0.1.1");
    assert.throws(() => new TrustedProxies(["nonsense"]), /TRUSTED_PROXIES/);
    assert.throws(() => new TrustedProxies(["10.0.0.0/33"]), /TRUSTED_PROXIES/);
  });
});
