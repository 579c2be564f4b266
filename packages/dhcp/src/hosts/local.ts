import { silentLogger } from "@openchami/core";
import type { Db } from "@openchami/db";
import { DHCP_RESOURCES, readDhcpData, SMD_CHANGES, type SmdChange } from "@openchami/smd";
import { RefreshingHostSource, type RefreshingHostSourceOptions } from "./refreshing.ts";
import type { DhcpInventoryData } from "./view.ts";

export interface LocalHostSourceOptions extends RefreshingHostSourceOptions {
  /** The database SMD writes to (this process's, or another replica's on the same PostgreSQL). */
  db: Db;
  /** Full reload this long after each one, whatever the change feed said (`cache_valid`). */
  resyncMs: number;
}

/**
 * The inventory read straight from SMD's tables (dhcp.md §2.4, in-process): reloaded on each
 * component or interface change event (`Enabled` included), when a lost LISTEN connection
 * may have dropped events, and every `resyncMs` regardless.
 */
export class LocalHostSource extends RefreshingHostSource {
  readonly #db: Db;
  #unsubscribe: (() => Promise<void>) | undefined;

  constructor(options: LocalHostSourceOptions) {
    super(options.logger ?? silentLogger(), options.metrics, {
      minIntervalMs: 0,
      pollIntervalMs: options.resyncMs,
      // A burst of SMD writes must not turn into back-to-back reloads competing with the writers.
      restFactor: 2,
      retryMs: options.retryMs ?? 500,
      maxRetryMs: options.maxRetryMs ?? 30_000,
    });
    this.#db = options.db;
  }

  protected read(): Promise<DhcpInventoryData> {
    return readDhcpData(this.#db);
  }

  /**
   * Subscribes first, then loads, so no write falls between the two. Resolves after the first
   * load attempt; if it failed, `loaded` stays false and the load is retried.
   */
  async start(): Promise<void> {
    try {
      const unlisten = await this.#db.listen(SMD_CHANGES, (change: SmdChange) => {
        if (DHCP_RESOURCES.has(change.resource)) this.refresher.request();
      });
      const stopResync = this.#db.onResync(() => this.refresher.request());
      this.#unsubscribe = async () => {
        stopResync();
        await unlisten();
      };
    } catch (err) {
      // Without the feed the periodic resync still converges, only later.
      this.logger.error({ err }, "cannot subscribe to SMD changes; relying on the periodic resync");
    }
    this.refresher.request();
    await this.refresher.settled();
  }

  async close(): Promise<void> {
    this.refresher.close();
    await this.#unsubscribe?.();
  }
}
