import type { Logger } from "@openchami/core";
import type { Access, AccessFilter, EndpointAccessStore } from "./store/endpoint-access.ts";

/** At least this often, pending accesses are written (§4.5). */
const FLUSH_MS = 5000;

const pairKey = (name: string, endpoint: string) => `${name}\0${endpoint}`;

/**
 * Records endpoint accesses in memory, off the hot path, and writes them in one batch
 * every 5 s and at close. With a history bound, the individual accesses are kept too
 * (at most that many per pair between flushes).
 */
export class EndpointAccessLog {
  readonly #store: EndpointAccessStore;
  readonly #historyMax: number;
  readonly #logger: Logger;
  #latest = new Map<string, Access>();
  #history = new Map<string, number[]>();
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> = Promise.resolve();

  constructor(store: EndpointAccessStore, historyMax: number, logger: Logger) {
    this.#store = store;
    this.#historyMax = historyMax;
    this.#logger = logger;
  }

  start(): void {
    this.#timer = setInterval(() => void this.flush(), FLUSH_MS);
    this.#timer.unref();
  }

  record(name: string, endpoint: string, epoch: number): void {
    const key = pairKey(name, endpoint);
    const known = this.#latest.get(key);
    if (!known || known.epoch < epoch) this.#latest.set(key, { name, endpoint, epoch });
    if (this.#historyMax > 0) {
      const epochs = this.#history.get(key) ?? [];
      epochs.push(epoch);
      if (epochs.length > this.#historyMax) epochs.shift();
      this.#history.set(key, epochs);
    }
  }

  /** Accesses not written yet, for /endpoint-history to merge. */
  pending(filter: AccessFilter): Access[] {
    return [...this.#latest.values()].filter(
      (a) =>
        (filter.name === undefined || a.name === filter.name) &&
        (filter.endpoint === undefined || a.endpoint === filter.endpoint),
    );
  }

  /** Writes what is pending; one flush at a time. */
  flush(): Promise<void> {
    this.#flushing = this.#flushing.then(() => this.#write());
    return this.#flushing;
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
    await this.flush();
  }

  async #write(): Promise<void> {
    if (this.#latest.size === 0) return;
    const latest = this.#latest;
    const history = this.#history;
    this.#latest = new Map();
    this.#history = new Map();
    const accesses = [...history].flatMap(([key, epochs]) => {
      const { name, endpoint } = latest.get(key)!;
      return epochs.map((epoch) => ({ name, endpoint, epoch }));
    });
    try {
      await this.#store.write([...latest.values()], accesses, this.#historyMax);
    } catch (err) {
      // The last accesses go back for the next flush; the history of this batch is dropped.
      this.#logger.error({ err, pairs: latest.size }, "writing endpoint accesses failed; will retry");
      for (const [key, access] of latest) {
        if ((this.#latest.get(key)?.epoch ?? -1) < access.epoch) this.#latest.set(key, access);
      }
    }
  }
}
