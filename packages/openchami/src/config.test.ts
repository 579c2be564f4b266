import assert from "node:assert/strict";
import { test } from "node:test";
import { resolveServeConfig } from "./config.ts";
import { expandScopes } from "./token-command.ts";

test("defaults: every service on 8081, auth on, the XDG data dir, embedded database", () => {
  const config = resolveServeConfig({}, { HOME: "/home/admin" });
  assert.deepEqual(config, {
    host: "0.0.0.0",
    port: 8081,
    dataDir: "/home/admin/.local/share/openchami",
    databaseUrl: undefined,
    services: ["smd", "bss", "cloud-init", "tokens"],
    auth: true,
    jwksUrl: undefined,
    issuer: undefined,
    audiences: undefined,
    smdUrl: undefined,
    secretKey: undefined,
    logLevel: "info",
    network: [],
    dhcpConfigFile: undefined,
  });
  assert.equal(resolveServeConfig({}, { XDG_DATA_HOME: "/srv/data" }).dataDir, "/srv/data/openchami");
});

test("--enable picks the network protocols in a fixed order and needs --dhcp-config", () => {
  const config = resolveServeConfig({ enable: "DNS,dhcp", dhcpConfig: "/etc/dhcp.yaml" }, {});
  assert.deepEqual(config.network, ["dhcp", "dns"]);
  assert.equal(config.dhcpConfigFile, "/etc/dhcp.yaml");
  assert.deepEqual(
    resolveServeConfig({}, { OPENCHAMI_ENABLE: "tftp", OPENCHAMI_DHCP_CONFIG: "/f" }).network,
    ["tftp"],
  );
  assert.throws(() => resolveServeConfig({ enable: "dhcp" }, {}), /--enable dhcp needs --dhcp-config FILE/);
  assert.throws(
    () => resolveServeConfig({ enable: "dhcp,bootp", dhcpConfig: "/f" }, {}),
    /--enable: unknown protocol bootp \(available: dhcp, tftp, dns\)/,
  );
});

test("a service alone defaults to its upstream port; flags beat the environment", () => {
  assert.equal(resolveServeConfig({ only: "smd" }, {}).port, 27779);
  assert.equal(resolveServeConfig({ only: "smd,tokens" }, {}).port, 27779);
  assert.equal(resolveServeConfig({ only: "bss" }, {}).port, 27778);
  assert.equal(resolveServeConfig({ only: "cloud-init" }, {}).port, 27777);
  assert.equal(resolveServeConfig({ only: "smd,bss" }, {}).port, 8081);
  assert.equal(resolveServeConfig({}, { HSM_URL: "http://smd:27779" }).smdUrl, "http://smd:27779");
  assert.equal(resolveServeConfig({ only: "smd", port: "9000" }, { OPENCHAMI_PORT: "9001" }).port, 9000);
  assert.equal(resolveServeConfig({}, { OPENCHAMI_PORT: "9001" }).port, 9001);
  assert.deepEqual(resolveServeConfig({}, { OPENCHAMI_ONLY: "SMD" }).services, ["smd"]);
});

test("upstream's SMD_* variables are honoured; --no-auth turns auth off", () => {
  const config = resolveServeConfig(
    { auth: false },
    {
      SMD_JWKS_URL: "http://tokensmith:8080/.well-known/jwks.json",
      SMD_AUTH_ISSUER: "https://tokensmith.openchami.dev",
      SMD_AUTH_AUDIENCES: "smd, bss",
      DATABASE_URL: "postgres://db/openchami",
    },
  );
  assert.equal(config.auth, false);
  assert.equal(config.jwksUrl, "http://tokensmith:8080/.well-known/jwks.json");
  assert.equal(config.issuer, "https://tokensmith.openchami.dev");
  assert.deepEqual(config.audiences, ["smd", "bss"]);
  assert.equal(config.databaseUrl, "postgres://db/openchami");
  assert.equal(resolveServeConfig({}, { OPENCHAMI_NO_AUTH: "true" }).auth, false);
});

test("bad values name their source", () => {
  assert.throws(() => resolveServeConfig({ port: "http" }, {}), /^Error: --port: port must be an integer/);
  assert.throws(() => resolveServeConfig({}, { OPENCHAMI_PORT: "70000" }), /^Error: OPENCHAMI_PORT:/);
  assert.throws(() => resolveServeConfig({ only: "smd,dhcpd" }, {}), /--only: unknown service dhcpd/);
  assert.throws(() => resolveServeConfig({ only: " , " }, {}), /--only: name at least one service/);
});

test("roles and levels expand to the scopes they imply, strongest first", () => {
  assert.deepEqual(expandScopes(["admin"]), ["admin", "write", "read"]);
  assert.deepEqual(expandScopes(["operator"]), ["write", "read"]);
  assert.deepEqual(expandScopes(["viewer"]), ["read"]);
  assert.deepEqual(expandScopes(["write"]), ["write", "read"]);
  assert.deepEqual(expandScopes(["smd.read", "read"]), ["read", "smd.read"]);
});
