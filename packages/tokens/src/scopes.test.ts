import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { allowsScope, grantScopes, isScopeToken, ROLE_SCOPES } from "./scopes.ts";

describe("allowsScope", () => {
  it("orders levels admin ⊇ write ⊇ read", () => {
    assert.ok(allowsScope(["admin"], "read"));
    assert.ok(allowsScope(["write"], "write"));
    assert.ok(!allowsScope(["write"], "admin"));
    assert.ok(!allowsScope(["read"], "write"));
  });

  it("lets a plain level cover any service's alias, and an alias only its service", () => {
    assert.ok(allowsScope(["read"], "smd.read"));
    assert.ok(allowsScope(["write"], "bss:read"));
    assert.ok(!allowsScope(["read"], "cloud-init.write"));
    assert.ok(allowsScope(["smd.write"], "smd.read"));
    assert.ok(!allowsScope(["smd.write"], "bss.read"));
    assert.ok(!allowsScope(["smd.admin"], "read"));
  });

  it("matches other scopes exactly", () => {
    assert.ok(allowsScope(["custom"], "custom"));
    assert.ok(!allowsScope(["admin"], "custom"));
  });
});

describe("grantScopes", () => {
  it("grants all the client's scopes when none are asked for", () => {
    assert.deepEqual(grantScopes(undefined, ROLE_SCOPES.operator), { granted: ["write", "read"] });
    assert.deepEqual(grantScopes("", ROLE_SCOPES.viewer), { granted: ["read"] });
    assert.deepEqual(grantScopes("openid", ROLE_SCOPES.viewer), { granted: ["read"] });
  });

  it("grants a requested subset as asked, dropping openid and duplicates", () => {
    assert.deepEqual(grantScopes("openid smd.read  smd.read", ROLE_SCOPES.viewer), { granted: ["smd.read"] });
    assert.deepEqual(grantScopes("read", ROLE_SCOPES.admin), { granted: ["read"] });
  });

  it("refuses scopes the client does not hold", () => {
    assert.deepEqual(grantScopes("read admin smd.write", ROLE_SCOPES.viewer), {
      refused: ["admin", "smd.write"],
    });
  });
});

describe("isScopeToken", () => {
  it("accepts RFC 6749 scope tokens only", () => {
    assert.ok(isScopeToken("smd.read"));
    assert.ok(!isScopeToken(""));
    assert.ok(!isScopeToken("a b"));
    assert.ok(!isScopeToken('a"b'));
  });
});
