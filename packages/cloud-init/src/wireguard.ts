import { readFile } from "node:fs/promises";
import type { Logger } from "@openchami/core";
import type { CloudInitConfig } from "./config.ts";
import { parsePool, type WgPool } from "./domain/wg-pool.ts";
import type { CloudInitState } from "./state.ts";
import { type KeyPair, type Lease, publicKeyOf, type WireGuardStore } from "./store/wireguard.ts";
import { WgKernel } from "./wg-kernel.ts";

const SWEEP_MS = 30_000;

type Allocation = Awaited<ReturnType<WireGuardStore["allocate"]>>;

/**
 * WireGuard tunnels for nodes (spec cloud-init.md §4): leases persisted in the database,
 * indexed in memory (CloudInitState), released on phone-home or expiry; the kernel is
 * touched only with `wireguardApply`.
 */
export class WireGuard {
  readonly enabled: boolean;
  readonly pool: WgPool | undefined;
  #keys: KeyPair | undefined;
  readonly #config: CloudInitConfig;
  readonly #state: CloudInitState;
  readonly #store: WireGuardStore;
  readonly #logger: Logger;
  readonly #kernel: WgKernel | undefined;
  #sweeper: NodeJS.Timeout | undefined;
  #sweeping: Promise<void> | undefined;

  constructor(config: CloudInitConfig, state: CloudInitState, store: WireGuardStore, logger: Logger) {
    this.#config = config;
    this.#state = state;
    this.#store = store;
    this.#logger = logger;
    this.enabled = config.wireguardServer !== "";
    this.pool = this.enabled ? parsePool(config.wireguardServer) : undefined;
    this.#kernel =
      this.enabled && config.wireguardApply ? new WgKernel(config.wireguardInterface, logger) : undefined;
  }

  get serverPublicKey(): string {
    return this.#keys?.publicKey ?? "";
  }

  async start(): Promise<void> {
    if (!this.enabled || !this.pool) return;
    this.#keys = this.#config.wireguardPrivateKeyFile
      ? await this.#keyFromFile(this.#config.wireguardPrivateKeyFile)
      : await this.#store.serverKey();
    if (this.#kernel) {
      await this.#kernel.setup({
        privateKey: this.#keys.privateKey,
        serverIp: this.pool.server,
        prefix: this.pool.prefix,
        port: this.#config.wireguardPort,
      });
      const now = Date.now();
      for (const lease of this.#state.leases.values())
        if (lease.expiresAt > now) await this.#kernel.addPeer(lease.publicKey, lease.tunnelIp);
    }
    this.#sweeper = setInterval(
      () => {
        this.#sweeping ??= this.sweep()
          .catch((err) => this.#logger.error({ err }, "releasing expired WireGuard leases failed"))
          .finally(() => {
            this.#sweeping = undefined;
          });
      },
      Math.min(SWEEP_MS, this.#config.wireguardPeerTtl * 1000),
    );
    this.#sweeper.unref();
  }

  async close(): Promise<void> {
    clearInterval(this.#sweeper);
    await this.#sweeping;
  }

  /** Allocates or renews the node's lease; throws LeaseRefused (409/503). */
  async init(nodeId: string, publicKey: string, clientIp: string): Promise<Lease> {
    const pool = this.pool as WgPool;
    const result = await this.#state.write<Allocation>(
      (r) => [`wg:${nodeId}`, ...r.expired.map((l) => `wg:${l.nodeId}`)],
      (tx) =>
        this.#store.allocate(tx, {
          nodeId,
          publicKey,
          clientIp,
          ttlSeconds: this.#config.wireguardPeerTtl,
          pool,
        }),
      (r) => {
        for (const lease of r.expired) this.#state.setLease(lease.nodeId, undefined);
        this.#state.setLease(nodeId, r.lease);
      },
    );
    if (this.#kernel) {
      for (const lease of result.expired) await this.#kernel.removePeer(lease.publicKey);
      if (result.replacedKey) await this.#kernel.removePeer(result.replacedKey);
      await this.#kernel.addPeer(result.lease.publicKey, result.lease.tunnelIp);
    }
    return result.lease;
  }

  /** Releases the node's lease (idempotent); the kernel peer goes after the caller answers. */
  async release(nodeId: string): Promise<() => Promise<void>> {
    const lease = await this.#state.write<Lease | undefined>(
      (released) => (released ? [`wg:${nodeId}`] : []),
      (tx) => this.#store.release(tx, nodeId),
      () => this.#state.setLease(nodeId, undefined),
    );
    return async () => {
      if (lease && this.#kernel) await this.#kernel.removePeer(lease.publicKey);
    };
  }

  /** Releases the leases past their expiry. */
  async sweep(): Promise<void> {
    const expired = await this.#state.write<Lease[]>(
      (leases) => leases.map((l) => `wg:${l.nodeId}`),
      (tx) => this.#store.expire(tx.kysely),
      (leases) => {
        for (const lease of leases) this.#state.setLease(lease.nodeId, undefined);
      },
    );
    if (this.#kernel) for (const lease of expired) await this.#kernel.removePeer(lease.publicKey);
  }

  async #keyFromFile(path: string): Promise<KeyPair> {
    const privateKey = (await readFile(path, "utf8")).trim();
    try {
      return { privateKey, publicKey: publicKeyOf(privateKey) };
    } catch {
      throw new Error(`WIREGUARD_PRIVATE_KEY_FILE: ${path} does not hold a base64 WireGuard private key`);
    }
  }
}
