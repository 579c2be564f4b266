import { type Logger, silentLogger } from "@openchami/core";
import { EtagClient, type TokenSource } from "./etag-client.ts";
import {
  nodesFromSmd,
  type SmdComponent,
  type SmdComponentEndpoint,
  type SmdEthernetInterface,
  type SmdMembership,
} from "./from-smd.ts";
import { RefreshingSource } from "./refreshing-source.ts";
import type { InventoryNode } from "./types.ts";

export interface RemoteInventoryOptions {
  /** SMD's base URL, `/hsm/v2` included: `http://smd:27779/hsm/v2`. Any SMD, upstream's too. */
  url: string;
  token?: TokenSource;
  /** Default 30 s (BSS_HSM_POLL_INTERVAL). */
  pollIntervalMs?: number;
  /** Least time between two refreshes, so `requestRefresh()` storms cost one fetch; default 5 s. */
  minRefreshIntervalMs?: number;
  /** Per request; default 10 s. */
  timeoutMs?: number;
  /** First wait before retrying a failed refresh (doubling up to `maxRetryMs`); default 1 s. */
  retryMs?: number;
  /** Default 60 s. */
  maxRetryMs?: number;
  logger?: Logger;
}

/** Both node types, so the view equals LocalInventory's (SMD ORs repeated `type` values). */
const NODE_QUERY = "?type=Node&type=VirtualNode";

/**
 * The inventory polled from SMD over HTTP. A refresh GETs the four collections in parallel
 * and swaps in a new index; until then, and whenever a refresh fails, the last view serves.
 */
export class RemoteInventory extends RefreshingSource {
  /** Polling has no change signal to wait for. */
  readonly applying = false;
  readonly #base: string;
  readonly #client: EtagClient;
  readonly #closing = new AbortController();
  /** Optional collections read at least once: from then on their failure fails the refresh. */
  readonly #everRead = new Set<string>();
  /** Optional collections left out, each warned about once. */
  readonly #leftOut = new Set<string>();

  constructor(options: RemoteInventoryOptions) {
    super(options.logger ?? silentLogger(), {
      minIntervalMs: options.minRefreshIntervalMs ?? 5_000,
      pollIntervalMs: options.pollIntervalMs ?? 30_000,
      retryMs: options.retryMs ?? 1_000,
      maxRetryMs: options.maxRetryMs ?? 60_000,
    });
    this.#base = options.url.replace(/\/+$/, "");
    this.#client = new EtagClient({
      token: options.token,
      timeoutMs: options.timeoutMs ?? 10_000,
      signal: this.#closing.signal,
    });
  }

  protected async readNodes(): Promise<InventoryNode[]> {
    const [components, componentEndpoints, ethernetInterfaces, memberships] = await Promise.all([
      this.#list<SmdComponent>("/State/Components", "Components"),
      this.#optionalList<SmdComponentEndpoint>("/Inventory/ComponentEndpoints", "ComponentEndpoints"),
      this.#list<SmdEthernetInterface>("/Inventory/EthernetInterfaces"),
      this.#optionalList<SmdMembership>("/memberships"),
    ]);
    return nodesFromSmd({ components, componentEndpoints, ethernetInterfaces, memberships });
  }

  /** Resolves after the first refresh attempt; polling goes on whatever its outcome. */
  async start(): Promise<void> {
    this.refresher.request();
    await this.refresher.settled();
  }

  /** Rate-limited and single-flight; stale data serves meanwhile. */
  requestRefresh(): void {
    this.refresher.request();
  }

  async close(): Promise<void> {
    this.refresher.close();
    this.#closing.abort();
  }

  /** A collection's items (SMD's wire objects, taken as they come): the bare array, or the one under `key`. */
  async #list<T>(path: string, key?: string): Promise<T[]> {
    const body = await this.#client.get(`${this.#base}${path}${NODE_QUERY}`);
    const items = key === undefined ? body : (body as Record<string, unknown> | null)?.[key];
    if (!Array.isArray(items)) throw new Error(`GET ${path}: not a ${key ?? "JSON"} array`);
    return items as T[];
  }

  /**
   * Upstream SMD versions differ (and a token may lack the scope), so a collection that has
   * never been readable is left out with one warning. Once read, its failure fails the
   * refresh instead: a transient error must not turn endpoint-disabled nodes bootable.
   */
  async #optionalList<T>(path: string, key?: string): Promise<T[]> {
    try {
      const items = await this.#list<T>(path, key);
      this.#everRead.add(path);
      if (this.#leftOut.delete(path)) this.logger.info({ path }, "SMD collection readable again");
      return items;
    } catch (err) {
      if (this.#everRead.has(path)) throw err;
      if (!this.#leftOut.has(path)) {
        this.#leftOut.add(path);
        this.logger.warn({ err, path }, "SMD collection unreadable; continuing without it");
      }
      return [];
    }
  }
}
