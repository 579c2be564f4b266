import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import type { PasswordVault } from "./store/redfish-endpoints.ts";

const PREFIX = "aes256gcm:";
const IV_BYTES = 12;

/** A vault that can also read back what it sealed: only the Redfish collector needs that. */
export interface ReadablePasswordVault extends PasswordVault {
  open(stored: string): string;
}

/**
 * D3: BMC passwords encrypted at rest with AES-256-GCM under a configured 32-byte key.
 * Stored as `aes256gcm:<iv>.<tag>.<ciphertext>` (base64url), so values written before a
 * key was configured stay readable as they are.
 */
export function encryptingVault(key: Buffer): ReadablePasswordVault {
  if (key.length !== 32) throw new Error("the secret key must be 32 bytes (AES-256)");
  return {
    seal(password) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv("aes-256-gcm", key, iv);
      const ciphertext = Buffer.concat([cipher.update(password, "utf8"), cipher.final()]);
      const parts = [iv, cipher.getAuthTag(), ciphertext].map((b) => b.toString("base64url"));
      return `${PREFIX}${parts.join(".")}`;
    },
    open(stored) {
      if (!stored.startsWith(PREFIX)) return stored;
      const [iv, tag, ciphertext] = stored
        .slice(PREFIX.length)
        .split(".")
        .map((p) => Buffer.from(p, "base64url"));
      const decipher = createDecipheriv("aes-256-gcm", key, iv!);
      decipher.setAuthTag(tag!);
      return Buffer.concat([decipher.update(ciphertext!), decipher.final()]).toString("utf8");
    },
  };
}

/** Parses a key given as 64 hex digits or 32 bytes of base64; a clear error otherwise. */
export function parseSecretKey(raw: string): Buffer {
  const text = raw.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(text) ? Buffer.from(text, "hex") : Buffer.from(text, "base64");
  if (key.length !== 32) {
    throw new Error(
      "the secret key must be 32 bytes: 64 hex digits or base64 (e.g. `openssl rand -base64 32`)",
    );
  }
  return key;
}
