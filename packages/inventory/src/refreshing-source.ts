import type { Logger } from "@openchami/core";
import { buildIndex, EMPTY_INDEX } from "./build-index.ts";
import type { RefreshPolicy } from "./refresher.ts";
import { Refresher } from "./refresher.ts";
import type { InventoryIndex, InventoryNode, InventorySource } from "./types.ts";

/**
 * What both inventory sources share: each refresh reads every node, builds a new index aside
 * and swaps it in, so readers never block and never see a half-built view. A failed refresh
 * keeps the last index (the refresher retries), so the view is never emptied by an outage.
 */
export abstract class RefreshingSource implements InventorySource {
  protected readonly logger: Logger;
  protected readonly refresher: Refresher;
  #index: InventoryIndex = EMPTY_INDEX;
  #loaded = false;
  readonly #listeners = new Set<(index: InventoryIndex) => void>();

  constructor(logger: Logger, policy: RefreshPolicy) {
    this.logger = logger;
    this.refresher = new Refresher(() => this.#reload(), policy, logger);
  }

  /** Every node as the source has it now; throws when the source cannot be read. */
  protected abstract readNodes(): Promise<InventoryNode[]>;

  abstract start(): Promise<void>;
  abstract requestRefresh(): void;
  abstract readonly applying: boolean;
  abstract close(): Promise<void>;

  get loaded(): boolean {
    return this.#loaded;
  }

  current(): InventoryIndex {
    return this.#index;
  }

  settled(): Promise<void> {
    return this.refresher.settled();
  }

  onChange(listener: (index: InventoryIndex) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async #reload(): Promise<void> {
    const index = buildIndex(await this.readNodes(), this.#index.version + 1, this.logger);
    this.#index = index;
    this.#loaded = true;
    for (const listener of this.#listeners) {
      try {
        listener(index);
      } catch (err) {
        this.logger.error({ err }, "inventory change listener failed");
      }
    }
  }
}
