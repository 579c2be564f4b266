import type { Logger } from "@openchami/core";
import type { Counter, Metrics } from "@openchami/http";
import { Refresher, type RefreshPolicy } from "@openchami/inventory";
import { HostViewPublisher } from "./publisher.ts";
import type { HostSource, HostView } from "./types.ts";
import type { DhcpInventoryData } from "./view.ts";

export interface RefreshingHostSourceOptions {
  logger?: Logger;
  /** Counts failed refreshes in `dhcp_inventory_refresh_failures_total`. */
  metrics?: Metrics;
  /** First wait before retrying a failed refresh, doubling up to `maxRetryMs`. */
  retryMs?: number;
  maxRetryMs?: number;
}

/**
 * What both inventory sources share (dhcp.md §2.4): a single-flight refresher reads SMD and
 * swaps in a new view. A failed read is counted and logged by the refresher, which retries
 * with back-off; the last good view keeps serving, and `loaded` stays false until a first
 * read succeeds.
 */
export abstract class RefreshingHostSource implements HostSource {
  protected readonly logger: Logger;
  protected readonly refresher: Refresher;
  readonly #publisher: HostViewPublisher;
  readonly #failures: Counter | undefined;

  constructor(logger: Logger, metrics: Metrics | undefined, policy: RefreshPolicy) {
    this.logger = logger;
    this.#publisher = new HostViewPublisher(logger);
    this.#failures = metrics?.counter(
      "dhcp_inventory_refresh_failures_total",
      "Inventory refreshes that failed (the last good copy kept serving).",
    );
    this.refresher = new Refresher(() => this.#reload(), policy, logger);
  }

  /**
   * Both SMD collections as the source has them now, or undefined when the source knows they
   * have not changed since the last view; throws when they cannot be read.
   */
  protected abstract read(): Promise<DhcpInventoryData | undefined>;

  abstract start(): Promise<void>;
  abstract close(): Promise<void>;

  get loaded(): boolean {
    return this.#publisher.loaded;
  }

  current(): HostView {
    return this.#publisher.current();
  }

  onChange(listener: (view: HostView) => void): () => void {
    return this.#publisher.onChange(listener);
  }

  /** Resolves when every refresh requested so far has ended, whatever its outcome. */
  settled(): Promise<void> {
    return this.refresher.settled();
  }

  async #reload(): Promise<void> {
    const readAt = Date.now();
    try {
      const data = await this.read();
      if (data === undefined && this.#publisher.loaded) this.#publisher.unchanged(readAt);
      else this.#publisher.publish(data ?? { components: [], ethernetInterfaces: [] }, readAt);
    } catch (err) {
      this.#failures?.inc();
      throw err;
    }
  }
}
