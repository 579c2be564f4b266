import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { sql } from "kysely";
import { encryptingVault } from "../password-vault.ts";
import { call, startSmd, type TestSmd } from "../test-support.ts";

async function storedPassword(smd: TestSmd, id: string): Promise<string> {
  const { rows } = await sql<{
    password: string;
  }>`select password from redfish_endpoints where id = ${id}`.execute(smd.db.kysely);
  return rows[0]!.password;
}

describe("RedfishEndpoint passwords (D3)", () => {
  const key = randomBytes(32);
  let plain: TestSmd;
  let encrypting: TestSmd;
  before(async () => {
    plain = await startSmd();
    encrypting = await startSmd({ deps: { secretKey: key } });
  });
  after(async () => {
    await plain.close();
    await encrypting.close();
  });

  test("are never returned", async () => {
    await call(plain, "POST", "/Inventory/RedfishEndpoints", {
      ID: "x1c0s0b0",
      FQDN: "x1c0s0b0",
      User: "root",
      Password: "hunter2",
    });
    const got = await call(plain, "GET", "/Inventory/RedfishEndpoints/x1c0s0b0");
    assert.equal(got.json().Password, "");
    assert.equal(got.json().User, "root");
  });

  test("are stored encrypted when a secret key is configured, and open with that key", async () => {
    await call(encrypting, "POST", "/Inventory/RedfishEndpoints", {
      ID: "x1c0s0b0",
      FQDN: "x1c0s0b0",
      Password: "hunter2",
    });
    const stored = await storedPassword(encrypting, "x1c0s0b0");
    assert.doesNotMatch(stored, /hunter2/);
    assert.equal(encryptingVault(key).open(stored), "hunter2");
    assert.equal((await call(encrypting, "GET", "/Inventory/RedfishEndpoints/x1c0s0b0")).json().Password, "");

    // A PUT without a password keeps the stored one; with one, replaces it (encrypted too).
    await call(encrypting, "PUT", "/Inventory/RedfishEndpoints/x1c0s0b0", {
      ID: "x1c0s0b0",
      FQDN: "x1c0s0b0",
    });
    assert.equal(encryptingVault(key).open(await storedPassword(encrypting, "x1c0s0b0")), "hunter2");
    await call(encrypting, "PATCH", "/Inventory/RedfishEndpoints/x1c0s0b0", { Password: "correct horse" });
    const patched = await storedPassword(encrypting, "x1c0s0b0");
    assert.doesNotMatch(patched, /correct horse/);
    assert.equal(encryptingVault(key).open(patched), "correct horse");
  });
});
