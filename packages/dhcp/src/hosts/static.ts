import { type Logger, silentLogger } from "@openchami/core";
import { HostViewPublisher } from "./publisher.ts";
import type { HostSource, HostView } from "./types.ts";
import type { DhcpInventoryData } from "./view.ts";

/** A HostSource over given data, for tests and fixed setups: loaded once it has data. */
export class StaticHostSource implements HostSource {
  readonly #publisher: HostViewPublisher;

  constructor(data?: DhcpInventoryData, logger: Logger = silentLogger()) {
    this.#publisher = new HostViewPublisher(logger);
    if (data) this.#publisher.publish(data, Date.now());
  }

  get loaded(): boolean {
    return this.#publisher.loaded;
  }

  /** Replaces the data: a new view, listeners told. */
  update(data: DhcpInventoryData): HostView {
    return this.#publisher.publish(data, Date.now());
  }

  async start(): Promise<void> {}

  current(): HostView {
    return this.#publisher.current();
  }

  onChange(listener: (view: HostView) => void): () => void {
    return this.#publisher.onChange(listener);
  }

  async close(): Promise<void> {}
}
