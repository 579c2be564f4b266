import type { Logger } from "@openchami/core";
import type { HostView } from "./types.ts";
import { buildHostView, type DhcpInventoryData, EMPTY_HOST_VIEW, restamp } from "./view.ts";

/**
 * Holds the current view and its listeners: each new data set is indexed aside, then swapped
 * in whole, so readers never see a half-built view and never wait for a rebuild.
 */
export class HostViewPublisher {
  readonly #logger: Logger;
  readonly #listeners = new Set<(view: HostView) => void>();
  #view: HostView = EMPTY_HOST_VIEW;
  #loaded = false;

  constructor(logger: Logger) {
    this.#logger = logger;
  }

  get loaded(): boolean {
    return this.#loaded;
  }

  current(): HostView {
    return this.#view;
  }

  onChange(listener: (view: HostView) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Records a read that found the data unchanged: the view's age restarts, nothing is rebuilt. */
  unchanged(loadedAt: number): void {
    this.#view = restamp(this.#view, loadedAt);
  }

  /** Swaps in the view of `data`, read at `loadedAt`, and tells every listener. */
  publish(data: DhcpInventoryData, loadedAt: number): HostView {
    const view = buildHostView(data, this.#view.version + 1, loadedAt, this.#logger);
    this.#view = view;
    this.#loaded = true;
    for (const listener of this.#listeners) {
      try {
        listener(view);
      } catch (err) {
        this.#logger.error({ err }, "inventory change listener failed");
      }
    }
    return view;
  }
}
