import { setTimeout as sleep } from "node:timers/promises";
import { silentLogger } from "@openchami/core";
import type { Db } from "@openchami/db";
import {
  DHCP_COMPONENTS,
  DHCP_PAGE_ROWS,
  DHCP_RESOURCES,
  type DhcpRowQuery,
  readDhcpComponents,
  readDhcpInterfaces,
  SMD_CHANGES,
  type SmdChange,
} from "@openchami/smd";
import { RefreshingHostSource, type RefreshingHostSourceOptions } from "./refreshing.ts";
import type { DhcpInventoryData, SmdComponentRecord, SmdInterfaceRecord } from "./view.ts";

export interface LocalHostSourceOptions extends RefreshingHostSourceOptions {
  /** The database SMD writes to (this process's, or another replica's on the same PostgreSQL). */
  db: Db;
  /** Full reload this long after each one, whatever the change feed said (`cache_valid`). */
  resyncMs: number;
}

/**
 * Pause between the pages of a full read: a resync spreads over about a second instead of
 * competing with a boot storm's DHCP traffic for the CPU in one burst.
 */
const PAGE_PAUSE_MS = 10;

type Reader<T> = (db: Db, query: DhcpRowQuery) => Promise<(T & { ID: string })[]>;

/** Rows of one SMD table kept by id, with the ids a change event named and not yet re-read. */
class RowCache<T> {
  readonly rows = new Map<string, T & { ID: string }>();
  readonly pending = new Set<string>();

  constructor(readonly read: Reader<T>) {}

  /**
   * Every row, a page at a time, yielding between pages so DHCP keeps answering. Returns
   * whether anything differed from the rows held before.
   */
  async reload(db: Db): Promise<boolean> {
    const fresh = new Map<string, T & { ID: string }>();
    let changed = false;
    let after: string | undefined;
    for (;;) {
      const page = await this.read(db, { after, limit: DHCP_PAGE_ROWS });
      for (const row of page) {
        fresh.set(row.ID, row);
        const held = this.rows.get(row.ID);
        changed ||= held === undefined || JSON.stringify(held) !== JSON.stringify(row);
      }
      if (page.length < DHCP_PAGE_ROWS) break;
      after = page[page.length - 1]!.ID;
      await sleep(PAGE_PAUSE_MS);
    }
    changed ||= fresh.size !== this.rows.size;
    this.rows.clear();
    for (const [id, row] of fresh) this.rows.set(id, row);
    return changed;
  }

  /** Re-reads only the ids changes named: those still there are replaced, the rest removed. */
  async applyPending(db: Db): Promise<void> {
    const ids = [...this.pending];
    this.pending.clear();
    for (let i = 0; i < ids.length; i += DHCP_PAGE_ROWS) {
      const chunk = ids.slice(i, i + DHCP_PAGE_ROWS);
      const found = new Map((await this.read(db, { ids: chunk })).map((row) => [row.ID, row]));
      for (const id of chunk) {
        const row = found.get(id);
        if (row) this.rows.set(id, row);
        else this.rows.delete(id);
      }
    }
  }
}

/**
 * The inventory read straight from SMD's tables (dhcp.md §2.4, in-process). A change event
 * re-reads only the rows it names; a truncated event, a lost LISTEN connection and every
 * `resyncMs` reload everything, in small pages: a DHCP server in the same process must not
 * stall for the length of a full read.
 */
export class LocalHostSource extends RefreshingHostSource {
  readonly #db: Db;
  readonly #components = new RowCache<SmdComponentRecord>(readDhcpComponents);
  readonly #interfaces = new RowCache<SmdInterfaceRecord>(readDhcpInterfaces);
  /** True until a full read has succeeded since the last reason for one. */
  #needFull = true;
  /** The rows held differ from the published view (a read failed half-way). */
  #unpublished = false;
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

  /**
   * A run with nothing pending is the periodic resync: it reads everything, and when nothing
   * differs the view is kept (undefined), so an idle resync costs no rebuild.
   */
  protected async read(): Promise<DhcpInventoryData | undefined> {
    const caches = [this.#components, this.#interfaces];
    try {
      if (this.#needFull || caches.every((c) => c.pending.size === 0)) {
        this.#needFull = false;
        for (const cache of caches) cache.pending.clear();
        let changed = false;
        for (const cache of caches) changed = (await cache.reload(this.#db)) || changed;
        if (!changed && !this.#unpublished) return undefined;
      } else {
        for (const cache of caches) await cache.applyPending(this.#db);
      }
    } catch (err) {
      // Whatever was re-read is held but not published; the next run reads everything.
      this.#needFull = true;
      this.#unpublished = true;
      throw err;
    }
    this.#unpublished = false;
    return {
      components: [...this.#components.rows.values()],
      ethernetInterfaces: [...this.#interfaces.rows.values()],
    };
  }

  #onChange(change: SmdChange): void {
    if (!DHCP_RESOURCES.has(change.resource)) return;
    if (change.truncated || change.ids.length === 0) this.#needFull = true;
    else {
      const cache = change.resource === DHCP_COMPONENTS ? this.#components : this.#interfaces;
      for (const id of change.ids) cache.pending.add(id);
    }
    this.refresher.request();
  }

  /**
   * Subscribes first, then loads, so no write falls between the two. Resolves after the first
   * load attempt; if it failed, `loaded` stays false and the load is retried.
   */
  async start(): Promise<void> {
    try {
      const unlisten = await this.#db.listen(SMD_CHANGES, (change: SmdChange) => this.#onChange(change));
      const stopResync = this.#db.onResync(() => {
        this.#needFull = true;
        this.refresher.request();
      });
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
