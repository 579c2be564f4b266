import { generateKeyPair, type KeyObject } from "node:crypto";
import { join } from "node:path";
import type { Logger } from "@openchami/core";
import { calculateJwkThumbprint, type JSONWebKeySet, type JWK } from "jose";
import { type FileStamp, fileStampSync, readJsonSync, withDirLock, writeJsonAtomic } from "./files.ts";

/** One entry of `signing-keys.json`. Times are ISO 8601; `retiredAt` is null for the active key. */
interface StoredKey {
  kid: string;
  createdAt: string;
  retiredAt: string | null;
  /** The private RSA key. */
  jwk: JWK;
}

export interface SigningKey {
  kid: string;
  jwk: JWK;
}

export interface KeyRingOptions {
  dir: string;
  /** How long a retired key stays published: the longest a token it signed can live. */
  maxTtlMs: number;
  clock: () => number;
  logger: Logger;
}

/** How often `jwks()` looks for a rotation made by another process. */
const RELOAD_INTERVAL_MS = 1_000;

/**
 * The signing keys in `signing-keys.json`: one active key that signs, plus retired keys that
 * stay published until every token they signed has expired. Another process (the CLI) may
 * rotate them, so the file is re-read whenever it changes on disk.
 */
export class KeyRing {
  readonly #path: string;
  readonly #options: KeyRingOptions;
  #keys: StoredKey[];
  #stamp: FileStamp;
  #checkedAt: number;

  private constructor(path: string, options: KeyRingOptions) {
    this.#path = path;
    this.#options = options;
    const { value, stamp } = readJsonSync(path);
    this.#keys = parseKeyFile(value, path);
    this.#stamp = stamp;
    this.#checkedAt = options.clock();
  }

  /** Loads the keys, generating the first one when the directory has none. */
  static async open(options: KeyRingOptions): Promise<KeyRing> {
    const path = join(options.dir, "signing-keys.json");
    if (fileStampSync(path) === undefined) {
      const first = await generateKey(options.clock());
      await withDirLock(options.dir, async () => {
        if (fileStampSync(path) !== undefined) return; // another process won the race
        await writeJsonAtomic(path, { keys: [first] });
        options.logger.info({ kid: first.kid }, "generated the first token signing key");
      });
    }
    return new KeyRing(path, options);
  }

  /** The public keys verifiers need: the active one and retired ones still within maxTtl. */
  jwks(): JSONWebKeySet {
    this.#reloadIfChanged(RELOAD_INTERVAL_MS);
    const now = this.#options.clock();
    return { keys: this.#keys.filter((key) => !this.#expired(key, now)).map(publicJwk) };
  }

  /** The key to sign with; checks the file on every call so no process signs with a retired key. */
  active(): SigningKey {
    this.#reloadIfChanged(0);
    const key = this.#keys.find((k) => k.retiredAt === null)!; // parseKeyFile guarantees one
    return { kid: key.kid, jwk: key.jwk };
  }

  /** Makes a new key active, retires the current one and drops keys no token can need. */
  async rotate(): Promise<{ kid: string }> {
    const next = await generateKey(this.#options.clock()); // slow: done before taking the lock
    return withDirLock(this.#options.dir, async () => {
      this.#reloadIfChanged(0);
      const now = this.#options.clock();
      const retiredAt = new Date(now).toISOString();
      const kept = this.#keys
        .filter((key) => !this.#expired(key, now))
        .map((key) => (key.retiredAt === null ? { ...key, retiredAt } : key));
      const pruned = this.#keys.filter((key) => this.#expired(key, now)).map((key) => key.kid);
      const keys = [...kept, next];
      await writeJsonAtomic(this.#path, { keys });
      this.#keys = keys;
      this.#stamp = fileStampSync(this.#path)!;
      this.#options.logger.info({ kid: next.kid, pruned }, "rotated the token signing key");
      return { kid: next.kid };
    });
  }

  #expired(key: StoredKey, now: number): boolean {
    return key.retiredAt !== null && Date.parse(key.retiredAt) + this.#options.maxTtlMs <= now;
  }

  #reloadIfChanged(maxAgeMs: number): void {
    const now = this.#options.clock();
    if (now - this.#checkedAt < maxAgeMs) return;
    this.#checkedAt = now;
    const stamp = fileStampSync(this.#path);
    if (stamp === undefined || stamp === this.#stamp) return; // deleted: keep serving what we have
    try {
      const file = readJsonSync(this.#path);
      this.#keys = parseKeyFile(file.value, this.#path);
      this.#stamp = file.stamp;
    } catch (err) {
      // A hand-edited, broken file must not take verification down: keep the last good keys.
      this.#stamp = stamp;
      this.#options.logger.error({ err }, "ignoring unreadable signing key file");
    }
  }
}

async function generateKey(now: number): Promise<StoredKey> {
  const privateKey = await new Promise<KeyObject>((resolve, reject) =>
    generateKeyPair("rsa", { modulusLength: 2048 }, (err, _publicKey, key) =>
      err ? reject(err) : resolve(key),
    ),
  );
  const jwk = privateKey.export({ format: "jwk" }) as JWK;
  const kid = await calculateJwkThumbprint({ kty: "RSA", n: jwk.n!, e: jwk.e! }); // RFC 7638, SHA-256
  return { kid, createdAt: new Date(now).toISOString(), retiredAt: null, jwk };
}

function publicJwk(key: StoredKey): JWK {
  return { kty: "RSA", n: key.jwk.n!, e: key.jwk.e!, kid: key.kid, alg: "RS256", use: "sig" };
}

function parseKeyFile(value: unknown, path: string): StoredKey[] {
  const keys = (value as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys) || !keys.every(isStoredKey)) {
    throw new Error(`${path}: expected {"keys": [{kid, createdAt, retiredAt, jwk}]}`);
  }
  if (keys.filter((key) => key.retiredAt === null).length !== 1) {
    throw new Error(`${path}: exactly one key must be active (retiredAt null)`);
  }
  return keys;
}

function isStoredKey(value: unknown): value is StoredKey {
  const key = value as Partial<StoredKey> | null;
  return (
    typeof key?.kid === "string" &&
    typeof key.createdAt === "string" &&
    (key.retiredAt === null || typeof key.retiredAt === "string") &&
    key.jwk?.kty === "RSA" &&
    typeof key.jwk.n === "string" &&
    typeof key.jwk.d === "string"
  );
}
