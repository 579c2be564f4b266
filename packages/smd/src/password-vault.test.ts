import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { test } from "node:test";
import fc from "fast-check";
import { encryptingVault, parseSecretKey } from "./password-vault.ts";

test("sealed passwords open to the original, never contain it, and differ each time", () => {
  const vault = encryptingVault(randomBytes(32));
  fc.assert(
    fc.property(fc.string({ minLength: 4 }), (password) => {
      const sealed = vault.seal(password);
      assert.ok(!sealed.includes(password) || password.length < 4);
      assert.equal(vault.open(sealed), password);
      assert.notEqual(vault.seal(password), sealed, "a fresh IV per seal");
    }),
  );
  assert.equal(vault.open("stored-before-a-key"), "stored-before-a-key");
});

test("another key, or a tampered value, cannot be opened", () => {
  const sealed = encryptingVault(randomBytes(32)).seal("root-password");
  assert.throws(() => encryptingVault(randomBytes(32)).open(sealed));
});

test("keys: 64 hex digits or base64 of 32 bytes", () => {
  const bytes = randomBytes(32);
  assert.deepEqual(parseSecretKey(bytes.toString("hex")), bytes);
  assert.deepEqual(parseSecretKey(` ${bytes.toString("base64")}\n`), bytes);
  assert.throws(() => parseSecretKey("short"), /must be 32 bytes/);
});
