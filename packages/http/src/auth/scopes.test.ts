import assert from "node:assert/strict";
import { test } from "node:test";
import { type Claims, grantsLevel, requiredLevel, scopesOf } from "./scopes.ts";

test("methods map to scope levels", () => {
  assert.equal(requiredLevel("GET"), "read");
  assert.equal(requiredLevel("HEAD"), "read");
  assert.equal(requiredLevel("POST"), "write");
  assert.equal(requiredLevel("put"), "write");
  assert.equal(requiredLevel("PATCH"), "write");
  assert.equal(requiredLevel("DELETE"), "admin");
  assert.equal(requiredLevel("TRACE"), "admin");
});

test("scopes come from scope and scp, as arrays or space-separated", () => {
  assert.deepEqual(scopesOf({ scope: "read  smd.write" }), ["read", "smd.write"]);
  assert.deepEqual(scopesOf({ scp: ["admin", 7 as unknown as string] }), ["admin"]);
  assert.deepEqual(scopesOf({ scope: "read", scp: "write" }), ["read", "write"]);
  assert.deepEqual(scopesOf({}), []);
});

test("admin implies write implies read", () => {
  const cases: [string, boolean, boolean, boolean][] = [
    ["read", true, false, false],
    ["write", true, true, false],
    ["admin", true, true, true],
    ["", false, false, false],
    ["reader", false, false, false],
  ];
  for (const [scope, read, write, admin] of cases) {
    const claims: Claims = { scope };
    assert.equal(grantsLevel(claims, "smd", "read"), read, scope);
    assert.equal(grantsLevel(claims, "smd", "write"), write, scope);
    assert.equal(grantsLevel(claims, "smd", "admin"), admin, scope);
  }
});

test("service aliases count only for their own service", () => {
  for (const scope of ["smd.write", "smd:write"]) {
    assert.equal(grantsLevel({ scope }, "smd", "write"), true, scope);
    assert.equal(grantsLevel({ scope }, "smd", "read"), true, scope);
    assert.equal(grantsLevel({ scope }, "smd", "admin"), false, scope);
    assert.equal(grantsLevel({ scope }, "bss", "read"), false, scope);
  }
  assert.equal(grantsLevel({ scp: ["cloud-init.admin"] }, "cloud-init", "admin"), true);
  assert.equal(grantsLevel({ scope: "smd.toString" }, "smd", "read"), false);
});
