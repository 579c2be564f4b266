import { randomBytes, scrypt, timingSafeEqual } from "node:crypto";
import { join } from "node:path";
import type { Logger } from "@openchami/core";
import { type FileStamp, fileStampSync, readJsonSync, withDirLock, writeJsonAtomic } from "./files.ts";
import { isScopeToken, ROLE_SCOPES } from "./scopes.ts";

/** One entry of `clients.json`. Only a salted hash of the secret is kept. */
interface StoredClient {
  id: string;
  scopes: string[];
  salt: string;
  hash: string;
  createdAt: string;
}

export interface ClientStoreOptions {
  dir: string;
  clock: () => number;
  logger: Logger;
}

const ADMIN_CLIENT_ID = "admin";
const CLIENT_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const HASH_BYTES = 32;
/**
 * Secrets are 256 random bits, so the hash need not be slow to resist offline guessing; a low
 * scrypt cost keeps a flood of bad logins from tying up libuv's thread pool.
 */
const SCRYPT_COST = { N: 4096, r: 8, p: 1 };
/** Compared against for unknown clients, so they cost the same time as a wrong secret. */
const UNKNOWN_CLIENT = { salt: randomBytes(16), hash: Buffer.alloc(HASH_BYTES) };

/**
 * The OAuth clients in `clients.json`. Another process (the CLI) may add clients, so the file
 * is re-read whenever it changes on disk.
 */
export class ClientStore {
  readonly adminClientFile: string;
  readonly #path: string;
  readonly #options: ClientStoreOptions;
  #clients: StoredClient[] = [];
  #stamp: FileStamp | undefined;

  private constructor(options: ClientStoreOptions) {
    this.#options = options;
    this.#path = join(options.dir, "clients.json");
    this.adminClientFile = join(options.dir, "admin-client.json");
  }

  /**
   * Loads the clients. On first start, creates the "admin" client and writes its secret to
   * `admin-client.json` (before `clients.json`, so a crash in between is retried next start).
   */
  static async open(options: ClientStoreOptions): Promise<ClientStore> {
    const store = new ClientStore(options);
    if (fileStampSync(store.#path) === undefined) {
      await withDirLock(options.dir, async () => {
        if (fileStampSync(store.#path) !== undefined) return; // another process won the race
        const admin = await newClient(ADMIN_CLIENT_ID, ROLE_SCOPES.admin, options.clock());
        await writeJsonAtomic(store.adminClientFile, { id: ADMIN_CLIENT_ID, secret: admin.secret });
        await writeJsonAtomic(store.#path, { clients: [admin.stored] });
        options.logger.info({ file: store.adminClientFile }, "created the admin token client");
      });
    }
    store.#reloadIfChanged();
    return store;
  }

  /** Registers a client and returns its secret, which is not stored and cannot be shown again. */
  async create(id: string, scopes: string[]): Promise<{ id: string; secret: string }> {
    if (!CLIENT_ID.test(id)) throw new Error(`client id must match ${CLIENT_ID}`);
    if (scopes.length === 0 || !scopes.every(isScopeToken)) {
      throw new Error("client scopes must be a non-empty list of OAuth scope tokens");
    }
    const client = await newClient(id, [...new Set(scopes)], this.#options.clock());
    await withDirLock(this.#options.dir, async () => {
      this.#reloadIfChanged();
      if (this.#clients.some((c) => c.id === id)) throw new Error(`client "${id}" already exists`);
      const clients = [...this.#clients, client.stored];
      await writeJsonAtomic(this.#path, { clients });
      this.#clients = clients;
      this.#stamp = fileStampSync(this.#path);
    });
    this.#options.logger.info({ clientId: id, scopes: client.stored.scopes }, "created a token client");
    return { id, secret: client.secret };
  }

  /** The client's scopes if the secret is right; unknown clients and wrong secrets look alike. */
  async authenticate(id: string, secret: string): Promise<{ id: string; scopes: string[] } | undefined> {
    this.#reloadIfChanged();
    const client = this.#clients.find((c) => c.id === id);
    const salt = client ? Buffer.from(client.salt, "base64url") : UNKNOWN_CLIENT.salt;
    const expected = client ? Buffer.from(client.hash, "base64url") : UNKNOWN_CLIENT.hash;
    const actual = await hashSecret(secret, salt);
    const match = actual.length === expected.length && timingSafeEqual(actual, expected);
    return client && match ? { id: client.id, scopes: [...client.scopes] } : undefined;
  }

  #reloadIfChanged(): void {
    const stamp = fileStampSync(this.#path);
    if (stamp === undefined || stamp === this.#stamp) return;
    const { value, stamp: readStamp } = readJsonSync(this.#path);
    this.#clients = parseClientFile(value, this.#path);
    this.#stamp = readStamp;
  }
}

async function newClient(id: string, scopes: string[], now: number) {
  const secret = randomBytes(32).toString("base64url");
  const salt = randomBytes(16);
  const hash = await hashSecret(secret, salt);
  const stored: StoredClient = {
    id,
    scopes,
    salt: salt.toString("base64url"),
    hash: hash.toString("base64url"),
    createdAt: new Date(now).toISOString(),
  };
  return { secret, stored };
}

function hashSecret(secret: string, salt: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(secret, salt, HASH_BYTES, SCRYPT_COST, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

function parseClientFile(value: unknown, path: string): StoredClient[] {
  const clients = (value as { clients?: unknown } | null)?.clients;
  if (!Array.isArray(clients) || !clients.every(isStoredClient)) {
    throw new Error(`${path}: expected {"clients": [{id, scopes, salt, hash, createdAt}]}`);
  }
  return clients;
}

function isStoredClient(value: unknown): value is StoredClient {
  const client = value as Partial<StoredClient> | null;
  return (
    typeof client?.id === "string" &&
    Array.isArray(client.scopes) &&
    client.scopes.every((scope) => typeof scope === "string") &&
    typeof client.salt === "string" &&
    typeof client.hash === "string" &&
    typeof client.createdAt === "string"
  );
}
