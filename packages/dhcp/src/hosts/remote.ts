import { readFile } from "node:fs/promises";
import { silentLogger } from "@openchami/core";
import { EtagClient } from "@openchami/inventory";
import { Agent } from "undici";
import { RefreshingHostSource, type RefreshingHostSourceOptions } from "./refreshing.ts";
import type { DhcpInventoryData, SmdComponentRecord, SmdInterfaceRecord } from "./view.ts";

export interface RemoteHostSourceOptions extends RefreshingHostSourceOptions {
  /** SMD's base URL without `/hsm/v2` (`svc_base_uri`); any SMD, upstream's too. */
  svcBaseUri: string;
  /** Poll interval (`cache_valid`). */
  cacheValidMs: number;
  /** Bearer token file, re-read at each refresh; missing or empty: no Authorization header. */
  svcTokenFile?: string;
  /** PEM file of the CA that signed SMD's certificate (`ca_cert`). */
  caCert?: string;
  /** Per request; default 10 s. */
  timeoutMs?: number;
}

/**
 * The inventory polled from SMD over HTTP (dhcp.md §2.4, remote): both collections every
 * `cache_valid`, with ETags so an unchanged collection costs a 304. A non-2xx answer, a
 * network error or a body of the wrong shape fails the refresh and keeps the last copy.
 */
export class RemoteHostSource extends RefreshingHostSource {
  readonly #options: RemoteHostSourceOptions;
  readonly #base: string;
  readonly #closing = new AbortController();
  #client: EtagClient | undefined;
  #agent: Agent | undefined;
  #tokenUnreadable = false;

  constructor(options: RemoteHostSourceOptions) {
    const logger = options.logger ?? silentLogger();
    super(logger, options.metrics, {
      minIntervalMs: 0,
      pollIntervalMs: options.cacheValidMs,
      retryMs: options.retryMs ?? 1_000,
      maxRetryMs: options.maxRetryMs ?? Math.max(options.cacheValidMs, 1_000),
    });
    this.#options = options;
    this.#base = `${options.svcBaseUri.replace(/\/+$/, "")}/hsm/v2`;
  }

  protected async read(): Promise<DhcpInventoryData> {
    const [components, ethernetInterfaces] = await Promise.all([
      this.#list<SmdComponentRecord>("/State/Components", "Components"),
      this.#list<SmdInterfaceRecord>("/Inventory/EthernetInterfaces"),
    ]);
    return { components, ethernetInterfaces };
  }

  /** Resolves after the first refresh attempt; polling goes on whatever its outcome. */
  async start(): Promise<void> {
    this.refresher.request();
    await this.refresher.settled();
  }

  async close(): Promise<void> {
    this.refresher.close();
    this.#closing.abort();
    await this.#agent?.close();
  }

  /** A collection's items: the bare array, or the one under `key`. */
  async #list<T>(path: string, key?: string): Promise<T[]> {
    const body = await (await this.#httpClient()).get(`${this.#base}${path}`);
    const items = key === undefined ? body : (body as Record<string, unknown> | null)?.[key];
    if (!Array.isArray(items)) throw new Error(`GET ${path}: not a ${key ?? "JSON"} array`);
    return items as T[];
  }

  /** Built at the first refresh, so an unreadable CA file fails (and retries) that refresh, not the constructor. */
  async #httpClient(): Promise<EtagClient> {
    if (this.#client) return this.#client;
    const { caCert, timeoutMs = 10_000 } = this.#options;
    const agent = caCert ? new Agent({ connect: { ca: await readFile(caCert, "utf8") } }) : undefined;
    this.#agent = agent;
    this.#client = new EtagClient({
      token: () => this.#readToken(),
      timeoutMs,
      signal: this.#closing.signal,
      dispatcher: agent,
    });
    return this.#client;
  }

  /** SMD's collection GETs are public, so a missing token is worth a warning, not a failure. */
  async #readToken(): Promise<string | undefined> {
    const file = this.#options.svcTokenFile;
    if (file === undefined) return undefined;
    try {
      const token = (await readFile(file, "utf8")).trim();
      if (this.#tokenUnreadable) this.logger.info({ file }, "SMD token file readable again");
      this.#tokenUnreadable = false;
      return token || undefined;
    } catch (err) {
      if (!this.#tokenUnreadable)
        this.logger.warn({ err, file }, "cannot read the SMD token file; sending no token");
      this.#tokenUnreadable = true;
      return undefined;
    }
  }
}
