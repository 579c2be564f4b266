import assert from "node:assert/strict";
import { test } from "node:test";
import { cloudInitConfigFromEnv, DEFAULT_CLOUD_INIT_CONFIG } from "./config.ts";

test("defaults with no environment", () => {
  assert.deepEqual(cloudInitConfigFromEnv({}), DEFAULT_CLOUD_INIT_CONFIG);
});

test("upstream's variables, MEM_PATH as SEED_PATH's alias", () => {
  const config = cloudInitConfigFromEnv({
    BASE_URL: "http://h:27777/cloud-init",
    TRUSTED_PROXIES: "10.0.0.1/32, 10.1.0.0/16",
    IMPERSONATION: "true",
    MERGED_USER_DATA: "1",
    WIREGUARD_SERVER: "100.97.0.1/16",
    WIREGUARD_ONLY: "yes",
    WIREGUARD_PORT: "51820",
    WIREGUARD_PEER_TTL: "2h",
    MEM_PATH: "/seed",
  });
  assert.equal(config.baseUrl, "http://h:27777/cloud-init");
  assert.deepEqual(config.trustedProxies, ["10.0.0.1/32", "10.1.0.0/16"]);
  assert.equal(config.impersonation, true);
  assert.equal(config.mergedUserData, true);
  assert.equal(config.wireguardOnly, true);
  assert.equal(config.wireguardPort, 51820);
  assert.equal(config.wireguardPeerTtl, 7200);
  assert.equal(config.seedPath, "/seed");
});

test("invalid values name their variable", () => {
  assert.throws(() => cloudInitConfigFromEnv({ IMPERSONATION: "maybe" }), /IMPERSONATION/);
  assert.throws(() => cloudInitConfigFromEnv({ WIREGUARD_PORT: "70000" }), /WIREGUARD_PORT/);
  assert.throws(() => cloudInitConfigFromEnv({ WIREGUARD_ONLY: "true" }), /WIREGUARD_SERVER/);
  assert.throws(() => cloudInitConfigFromEnv({ TRUSTED_PROXIES: "10.0.0.0/40" }), /TRUSTED_PROXIES/);
  assert.throws(() => cloudInitConfigFromEnv({ WIREGUARD_SERVER: "100.97.0.1" }), /WIREGUARD_SERVER/);
});
