import type { Logger } from "@openchami/core";
import { NO_COLLECTOR_DETAILS } from "./domain/discovery.ts";
import type { DiscoveryStore } from "./store/discovery.ts";

/**
 * The seam for the project's Redfish collector (the magellan package), deployed alongside
 * SMD. It crawls the endpoints and writes what it finds through SMD's stores (spec §5.5).
 */
export interface DiscoveryCollector {
  /**
   * Crawls these enabled RedfishEndpoints; `force` re-crawls one already being crawled.
   * Resolves when done, rejects on failure; `signal` aborts when SMD shuts down.
   */
  discover(request: { endpoints: readonly string[]; force: boolean; signal: AbortSignal }): Promise<void>;
}

/** Status row 0 tracks every request (upstream runs one discovery at a time). */
const STATUS_ID = 0;

/**
 * Runs accepted discovery requests. Without a collector a request completes at once, its
 * Details saying nothing was crawled. With one, row 0 is InProgress until every run this
 * process started has finished, then Complete (with the failure in Details if the last one failed).
 */
export class DiscoveryRunner {
  readonly #running = new Set<Promise<void>>();
  readonly #shutdown = new AbortController();

  constructor(
    private readonly store: DiscoveryStore,
    private readonly collector: DiscoveryCollector | undefined,
    private readonly logger: Logger,
  ) {}

  /** Records the request and starts the crawl in the background; resolves once recorded. */
  async start(endpoints: readonly string[], force: boolean): Promise<void> {
    if (!this.collector) {
      await this.store.set(STATUS_ID, "Complete", NO_COLLECTOR_DETAILS);
      return;
    }
    await this.store.set(STATUS_ID, "InProgress", null);
    const run = this.#crawl(this.collector, endpoints, force).finally(() => this.#running.delete(run));
    this.#running.add(run);
  }

  /** Aborts running crawls and waits for them (the app is closing). */
  async close(): Promise<void> {
    this.#shutdown.abort();
    await Promise.allSettled(this.#running);
  }

  async #crawl(collector: DiscoveryCollector, endpoints: readonly string[], force: boolean): Promise<void> {
    let details: unknown = null;
    try {
      await collector.discover({ endpoints, force, signal: this.#shutdown.signal });
    } catch (err) {
      this.logger.error({ err, endpoints }, "discovery failed");
      details = { description: `discovery failed: ${(err as Error).message ?? String(err)}` };
    }
    // Still running: this one, and any other the last to finish will report.
    if (this.#running.size > 1 || this.#shutdown.signal.aborted) return;
    try {
      await this.store.set(STATUS_ID, "Complete", details);
    } catch (err) {
      this.logger.error({ err }, "discovery: could not record completion");
    }
  }
}
