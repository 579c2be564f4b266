import { buildIndex, EMPTY_INDEX } from "./build-index.ts";
import { nodesFromSmd, type SmdInventoryData } from "./from-smd.ts";
import type { InventoryIndex, InventorySource } from "./types.ts";

/**
 * An InventorySource over SMD data handed to it: `set()` swaps in a new view at once, as a
 * real source does after a refresh; refresh requests are only counted. For service tests
 * that need exact control of the view, and for rendering what a node would get.
 */
export class StaticInventory implements InventorySource {
  loaded = false;
  /** `set()` applies at once: there is never anything pending. */
  readonly applying = false;
  refreshRequests = 0;
  #index: InventoryIndex = EMPTY_INDEX;
  readonly #listeners = new Set<(index: InventoryIndex) => void>();

  constructor(data?: Partial<SmdInventoryData>) {
    if (data) this.set(data);
  }

  set(data: Partial<SmdInventoryData>): void {
    const nodes = nodesFromSmd({
      components: [],
      componentEndpoints: [],
      ethernetInterfaces: [],
      memberships: [],
      ...data,
    });
    this.#index = buildIndex(nodes, this.#index.version + 1);
    this.loaded = true;
    for (const listener of this.#listeners) listener(this.#index);
  }

  async start(): Promise<void> {}
  current(): InventoryIndex {
    return this.#index;
  }
  async settled(): Promise<void> {}
  requestRefresh(): void {
    this.refreshRequests++;
  }
  onChange(listener: (index: InventoryIndex) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
  async close(): Promise<void> {}
}

/** Several partial SMD data sets (e.g. one per node) as one. */
export function mergeSmdData(...parts: Partial<SmdInventoryData>[]): Partial<SmdInventoryData> {
  return {
    components: parts.flatMap((p) => p.components ?? []),
    componentEndpoints: parts.flatMap((p) => p.componentEndpoints ?? []),
    ethernetInterfaces: parts.flatMap((p) => p.ethernetInterfaces ?? []),
    memberships: parts.flatMap((p) => p.memberships ?? []),
  };
}
