import { type Logger, silentLogger } from "@openchami/core";
import type { Db } from "@openchami/db";
import { INVENTORY_RESOURCES, readInventoryData, SMD_CHANGES, type SmdChange } from "@openchami/smd";
import { nodesFromSmd } from "./from-smd.ts";
import { RefreshingSource } from "./refreshing-source.ts";
import type { InventoryNode } from "./types.ts";

export interface LocalInventoryOptions {
  /** The database SMD writes to (this process's, or another replica's on the same PostgreSQL). */
  db: Db;
  logger?: Logger;
  /** First wait before retrying a failed reload (doubling up to `maxRetryMs`); default 500 ms. */
  retryMs?: number;
  /** Default 30 s. */
  maxRetryMs?: number;
}

/**
 * The inventory read straight from SMD's tables and kept current by its change feed: writes
 * in this process arrive at commit (before the writer answers), other replicas' through
 * PostgreSQL NOTIFY, and a reconnected LISTEN (notifications possibly lost) reloads.
 */
export class LocalInventory extends RefreshingSource {
  readonly #db: Db;
  #unsubscribe: (() => Promise<void>) | undefined;

  constructor(options: LocalInventoryOptions) {
    super(options.logger ?? silentLogger(), {
      minIntervalMs: 0,
      // A burst of SMD writes must not queue behind back-to-back reloads.
      restFactor: 2,
      retryMs: options.retryMs ?? 500,
      maxRetryMs: options.maxRetryMs ?? 30_000,
    });
    this.#db = options.db;
  }

  /** Change events queue a reload synchronously, so a busy refresher means unapplied changes. */
  get applying(): boolean {
    return this.refresher.busy;
  }

  protected async readNodes(): Promise<InventoryNode[]> {
    return nodesFromSmd(await readInventoryData(this.#db));
  }

  /**
   * Subscribes first, then loads, so no write falls between the two. Resolves after the
   * first load attempt; if it failed, `loaded` stays false and the reload is retried.
   */
  async start(): Promise<void> {
    const unlisten = await this.#db.listen(SMD_CHANGES, (change: SmdChange) => {
      if (INVENTORY_RESOURCES.has(change.resource)) this.refresher.request();
    });
    const stopResync = this.#db.onResync(() => this.refresher.request());
    this.#unsubscribe = async () => {
      stopResync();
      await unlisten();
    };
    this.refresher.request();
    await this.refresher.settled();
  }

  /** Nothing to do: the change feed already keeps the view current. */
  requestRefresh(): void {}

  async close(): Promise<void> {
    this.refresher.close();
    await this.#unsubscribe?.();
  }
}
