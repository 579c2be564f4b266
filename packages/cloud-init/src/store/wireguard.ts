import { createPrivateKey, createPublicKey, generateKeyPairSync } from "node:crypto";
import type { Db, Tx } from "@openchami/db";
import { type Kysely, sql } from "kysely";
import { lowestFree, type WgPool } from "../domain/wg-pool.ts";

export interface Lease {
  nodeId: string;
  publicKey: string;
  tunnelIp: string;
  /** Epoch milliseconds. */
  expiresAt: number;
}

export interface KeyPair {
  privateKey: string;
  publicKey: string;
}

/** Why an allocation was refused (the transaction rolls back: nothing is allocated). */
export class LeaseRefused extends Error {
  constructor(
    readonly status: 409 | 503,
    message: string,
  ) {
    super(message);
  }
}

// biome-ignore lint/suspicious/noExplicitAny: raw SQL only, as with Kysely<any>
type Q = Kysely<any>;

interface PeerRow {
  node_id: string;
  public_key: string;
  tunnel_ip: string;
  expires_ms: number | string;
}

const COLUMNS = sql`node_id, public_key, host(tunnel_ip) AS tunnel_ip,
  (extract(epoch FROM expires_at) * 1000)::float8 AS expires_ms`;

function toLease(row: PeerRow): Lease {
  return {
    nodeId: row.node_id,
    publicKey: row.public_key,
    tunnelIp: row.tunnel_ip,
    expiresAt: Number(row.expires_ms),
  };
}

/** The X25519 public key of a raw 32-byte private key, both standard base64. */
export function publicKeyOf(privateKey: string): string {
  const raw = Buffer.from(privateKey, "base64");
  if (raw.length !== 32) throw new Error("WireGuard private key: want base64 of 32 bytes");
  const der = Buffer.concat([Buffer.from("302e020100300506032b656e04220420", "hex"), raw]);
  const jwk = createPublicKey(createPrivateKey({ key: der, format: "der", type: "pkcs8" })).export({
    format: "jwk",
  });
  return Buffer.from(jwk.x as string, "base64url").toString("base64");
}

export function generateKeyPair(): KeyPair {
  const { privateKey } = generateKeyPairSync("x25519");
  const jwk = privateKey.export({ format: "jwk" });
  const priv = Buffer.from(jwk.d as string, "base64url").toString("base64");
  return { privateKey: priv, publicKey: Buffer.from(jwk.x as string, "base64url").toString("base64") };
}

/** WireGuard's SQL (§4, §5: ci_wg_server, ci_wg_peers). */
export class WireGuardStore {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  /** The stored server key pair, generated and stored once. */
  async serverKey(): Promise<KeyPair> {
    const q = this.#db.kysely as Q;
    const fresh = generateKeyPair();
    await sql`INSERT INTO ci_wg_server (id, private_key, public_key)
      VALUES (1, ${fresh.privateKey}, ${fresh.publicKey}) ON CONFLICT (id) DO NOTHING`.execute(q);
    const { rows } = await sql<{
      private_key: string;
      public_key: string;
    }>`SELECT private_key, public_key FROM ci_wg_server WHERE id = 1`.execute(q);
    const row = rows[0];
    if (!row) throw new Error("ci_wg_server: no key");
    return { privateKey: row.private_key, publicKey: row.public_key };
  }

  async loadAll(): Promise<Lease[]> {
    const { rows } = await sql<PeerRow>`SELECT ${COLUMNS} FROM ci_wg_peers`.execute(this.#db.kysely as Q);
    return rows.map(toLease);
  }

  async load(nodeId: string): Promise<Lease | undefined> {
    const { rows } = await sql<PeerRow>`SELECT ${COLUMNS} FROM ci_wg_peers WHERE node_id = ${nodeId}`.execute(
      this.#db.kysely as Q,
    );
    return rows[0] && toLease(rows[0]);
  }

  /** Deletes the expired leases; returns them. */
  async expire(q: Q = this.#db.kysely as Q): Promise<Lease[]> {
    const { rows } = await sql<PeerRow>`DELETE FROM ci_wg_peers WHERE expires_at <= now()
      RETURNING ${COLUMNS}`.execute(q);
    return rows.map(toLease);
  }

  /**
   * A node's lease (§4 step 4), in the caller's transaction (after its lock): the node's
   * existing lease keeps its IP and takes the new key; else the lowest free address.
   * Expired leases are released first. Returns the lease, the key it replaced and the
   * leases that expired.
   */
  async allocate(
    tx: Tx,
    request: { nodeId: string; publicKey: string; clientIp: string; ttlSeconds: number; pool: WgPool },
  ): Promise<{ lease: Lease; replacedKey: string | undefined; expired: Lease[] }> {
    const q = tx.kysely as Q;
    const expired = await this.expire(q);
    const { nodeId, publicKey, clientIp, ttlSeconds, pool } = request;
    const owner = await sql<{
      node_id: string;
    }>`SELECT node_id FROM ci_wg_peers WHERE public_key = ${publicKey}`.execute(q);
    const holder = owner.rows[0]?.node_id;
    if (holder !== undefined && holder !== nodeId) throw new LeaseRefused(409, "Public key already in use");
    const current = await sql<PeerRow>`SELECT ${COLUMNS} FROM ci_wg_peers WHERE node_id = ${nodeId}`.execute(
      q,
    );
    const existing = current.rows[0] && toLease(current.rows[0]);
    if (existing) {
      const { rows } = await sql<PeerRow>`UPDATE ci_wg_peers SET public_key = ${publicKey},
          client_ip = ${clientIp}::inet, expires_at = now() + make_interval(secs => ${ttlSeconds}),
          updated_at = now()
        WHERE node_id = ${nodeId} RETURNING ${COLUMNS}`.execute(q);
      const lease = toLease(rows[0] as PeerRow);
      return {
        lease,
        replacedKey: existing.publicKey === publicKey ? undefined : existing.publicKey,
        expired,
      };
    }
    const used = await sql<{ ip: string }>`SELECT host(tunnel_ip) AS ip FROM ci_wg_peers`.execute(q);
    const ip = lowestFree(pool, new Set(used.rows.map((r) => r.ip)));
    if (ip === undefined) throw new LeaseRefused(503, "WireGuard address pool exhausted");
    const { rows } =
      await sql<PeerRow>`INSERT INTO ci_wg_peers (node_id, public_key, tunnel_ip, client_ip, expires_at)
      VALUES (${nodeId}, ${publicKey}, ${ip}::inet, ${clientIp}::inet, now() + make_interval(secs => ${ttlSeconds}))
      RETURNING ${COLUMNS}`.execute(q);
    return { lease: toLease(rows[0] as PeerRow), replacedKey: undefined, expired };
  }

  /** Deletes the node's lease (idempotent); returns it. */
  async release(tx: Tx, nodeId: string): Promise<Lease | undefined> {
    const { rows } = await sql<PeerRow>`DELETE FROM ci_wg_peers WHERE node_id = ${nodeId}
      RETURNING ${COLUMNS}`.execute(tx.kysely as Q);
    return rows[0] && toLease(rows[0]);
  }
}
